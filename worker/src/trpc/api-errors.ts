import type { ServiceErrorCode } from "../lib/errors";

/** One error a procedure raises on purpose, with the situation that raises it. */
export type ApiError = { code: ServiceErrorCode; when: string };

/** What docs/api.md says about a procedure beyond what the router itself tells. */
export type ApiEntry = { summary: string; errors: readonly ApiError[] };

/**
 * Every procedure of the router, keyed by its path: what it does and the errors it raises, which cannot be
 * read from the code. Validation errors (BAD_REQUEST) and a missing session (UNAUTHORIZED on signed-in
 * procedures) are added by the generator. `pnpm docs:api` fails while a procedure has no entry here or an
 * entry names a procedure that does not exist.
 */
export const API_ERRORS: Record<string, ApiEntry> = {
  "auth.register": {
    summary: "Creates an account and signs it in (sets the session cookie).",
    errors: [
      { code: "CONFLICT", when: "an account with this email already exists (field `email`)" },
      { code: "TOO_MANY_REQUESTS", when: "too many sign-ups from this network" },
    ],
  },
  "auth.login": {
    summary: "Signs in with email and password (sets the session cookie).",
    errors: [
      { code: "UNAUTHORIZED", when: "the email or password is wrong" },
      {
        code: "TOO_MANY_REQUESTS",
        when: "too many failed attempts for this email or from this network; `retryAfterSeconds` says when to retry",
      },
    ],
  },
  "auth.logout": { summary: "Ends the current session and clears its cookie.", errors: [] },
  "auth.me": { summary: "The signed-in agent's account and profile.", errors: [] },
  "agent.updateProfile": {
    summary:
      "Saves the agent's profile: brokerage, contact details, brand, marketing email and reminder days, preferences.",
    errors: [{ code: "NOT_FOUND", when: "the account was deleted while signed in" }],
  },
  "agent.getNotificationPreferences": {
    summary:
      "The agent's notification settings: every event with its in-app and email switches, quiet hours, digest.",
    errors: [{ code: "NOT_FOUND", when: "the account was deleted while signed in" }],
  },
  "agent.updateNotificationPreferences": {
    summary:
      "Saves the changed event switches, quiet hours and daily digest; returns the settings as now saved.",
    errors: [
      {
        code: "BAD_REQUEST",
        when: "in-app is switched off for a critical event (post failed, not confirmed, reconnect)",
      },
      { code: "NOT_FOUND", when: "the account was deleted while signed in" },
    ],
  },
  "agent.getBrand": {
    summary:
      "The brand kit: colours (defaults until set), tagline, the uploaded logo and headshot (/media URL and size) and each colour's contrast with white text.",
    errors: [{ code: "NOT_FOUND", when: "the account was deleted while signed in" }],
  },
  "agent.updateBrand": {
    summary:
      "Saves the brand colours and tagline; a colour under 4.5:1 contrast with white text is refused (field error). Returns the brand kit.",
    errors: [{ code: "NOT_FOUND", when: "the account was deleted while signed in" }],
  },
  "agent.removeBrandImage": {
    summary:
      "Removes the uploaded logo or headshot (`kind`) and deletes its stored file. Returns the brand kit. Uploads are POST /api/brand/logo|headshot.",
    errors: [{ code: "NOT_FOUND", when: "the account was deleted while signed in" }],
  },
  "dashboard.overview": {
    summary:
      "The dashboard: listing and content counts, the last 30 days' post performance (per platform, by day, best 3), posts due in the next 7 days, failed or unconfirmed posts, and listings without content.",
    errors: [],
  },
  "listings.list": {
    summary: "The agent's listings, filtered and sorted, a page at a time (`nextCursor`).",
    errors: [{ code: "BAD_REQUEST", when: "the cursor is not one this procedure returned (field `cursor`)" }],
  },
  "listings.get": {
    summary: "One listing with its photos, description, field sources and change history.",
    errors: [{ code: "NOT_FOUND", when: "no listing with this id belongs to the agent" }],
  },
  "listings.communities": { summary: "The communities of the agent's listings, for the filter.", errors: [] },
  "listings.manualUpload": {
    summary: "Adds a listing by hand; it is handed to the content agent like a scraped new listing.",
    errors: [
      { code: "BAD_REQUEST", when: "the listing cannot be normalized (for example no usable address)" },
      { code: "CONFLICT", when: "the agent already has a listing at this address" },
    ],
  },
  "listings.runIngestionNow": {
    summary:
      "Starts the listing agent for the sources the agent follows and answers at once with the runs to follow.",
    errors: [
      { code: "TOO_MANY_REQUESTS", when: "more than 3 runs in 10 minutes" },
      { code: "BAD_GATEWAY", when: "the run could not be queued; it is recorded as failed" },
    ],
  },
  "listings.ingestionRuns": {
    summary: "The run history of the agent's sources, newest first, a page at a time.",
    errors: [{ code: "BAD_REQUEST", when: "the cursor is not one this procedure returned (field `cursor`)" }],
  },
  "listings.ingestionRun": {
    summary: "One run with its progress and errors (polled while it runs).",
    errors: [{ code: "NOT_FOUND", when: "no run with this id belongs to a source the agent follows" }],
  },
  "content.createForListing": {
    summary: "Asks the content agent to draft the chosen kinds of content for a listing.",
    errors: [
      { code: "NOT_FOUND", when: "no listing with this id belongs to the agent (field `listingId`)" },
      { code: "TOO_MANY_REQUESTS", when: "more than 30 draft requests in an hour" },
    ],
  },
  "content.pendingApprovals": {
    summary: "The agent's open pieces (drafting, waiting for approval, with marketing, failed).",
    errors: [],
  },
  "content.get": {
    summary: "One piece with its versions, events, marketing requests and posts.",
    errors: [{ code: "NOT_FOUND", when: "no piece with this id belongs to the agent" }],
  },
  "content.flyer": {
    summary:
      "The printable flyer of a flyer_text piece: its text, photos, facts, QR link, the agent's brand and the layout's fit for Letter and A4.",
    errors: [{ code: "NOT_FOUND", when: "no flyer_text piece with this id belongs to the agent" }],
  },
  "content.update": {
    summary: "Saves the agent's edit as a new version, re-checked for compliance and the platform's limits.",
    errors: [
      { code: "NOT_FOUND", when: "no piece with this id belongs to the agent, or its listing is gone" },
      {
        code: "CONFLICT",
        when: "the piece's status does not allow editing (see `ALLOWED_FROM` in db/rules.ts)",
      },
      { code: "BAD_REQUEST", when: "the text exceeds the platform's limits" },
    ],
  },
  "content.action": {
    summary:
      "Moves a piece through the approval workflow: approve and post, reject, request revisions, send to marketing, record marketing's answer, retry a failed draft.",
    errors: [
      { code: "NOT_FOUND", when: "no piece with this id belongs to the agent" },
      {
        code: "CONFLICT",
        when: "the action is not allowed from the piece's status (see `ALLOWED_FROM` in db/rules.ts), or the piece changed meanwhile",
      },
      {
        code: "BAD_REQUEST",
        when: "approving with unacknowledged compliance warnings (field `acknowledgeCompliance`), a schedule time in the past or over a year ahead (field `scheduledAt`), or sending to marketing without a marketing email in the profile",
      },
      { code: "BAD_GATEWAY", when: "the email to marketing could not be sent" },
      { code: "TOO_MANY_REQUESTS", when: "`retry` beyond the 30 draft requests an hour" },
    ],
  },
  "content.renderFlyerImage": {
    summary:
      "Makes the flyer piece's 1080×1350 JPEG for posts (Images binding, stored in R2) and returns its `/media/<id>.jpg` URL; the same version, text and brand reuse the stored image.",
    errors: [
      { code: "NOT_FOUND", when: "no flyer piece with this id belongs to the agent" },
      { code: "CONFLICT", when: "the flyer has no text yet (drafting or failed)" },
      { code: "BAD_GATEWAY", when: "the Images binding could not make a 1080×1350 JPEG" },
      { code: "TOO_MANY_REQUESTS", when: "more than 60 flyer images in an hour" },
    ],
  },
  "content.flyerChoices": {
    summary:
      "For a Facebook post or Instagram caption: the same listing's current flyers (with their image URL once made) and the one attached.",
    errors: [{ code: "NOT_FOUND", when: "no post piece with this id belongs to the agent" }],
  },
  "content.attachFlyer": {
    summary:
      "Posts a Facebook post or Instagram caption with a flyer's JPEG instead of the listing's photos (`flyerId: null` detaches).",
    errors: [
      {
        code: "NOT_FOUND",
        when: "no post piece with this id belongs to the agent, or no flyer of the same listing and agent has `flyerId`",
      },
      {
        code: "CONFLICT",
        when: "the post is already posting or done, the flyer was rejected or replaced, or its image was not made yet (field `flyerId`)",
      },
    ],
  },
  "marketing.review": {
    summary:
      "What a marketing review link shows, or that it was already answered (no account needed). A mutation, so the token travels in the body, never in a logged URL.",
    errors: [
      { code: "NOT_FOUND", when: "the link's token is unknown or the link expired" },
      { code: "TOO_MANY_REQUESTS", when: "more than 60 link requests in 10 minutes from this network" },
    ],
  },
  "marketing.respond": {
    summary: "Marketing's answer through its review link; a link can be answered once.",
    errors: [
      { code: "NOT_FOUND", when: "the link's token is unknown or the link expired" },
      { code: "CONFLICT", when: "the link was already answered" },
      { code: "TOO_MANY_REQUESTS", when: "more than 60 link requests in 10 minutes from this network" },
    ],
  },
  "posts.list": {
    summary:
      "The agent's posts due or posted in a range (epoch ms, at most 62 days), with status, account and link.",
    errors: [
      {
        code: "BAD_REQUEST",
        when: "the range ends before it starts or spans more than 62 days (field `to`)",
      },
    ],
  },
  "posts.get": {
    summary: "One post with its text, status, account, link and reason.",
    errors: [{ code: "NOT_FOUND", when: "no post with this id belongs to the agent" }],
  },
  "posts.byListing": {
    summary:
      "The posts of one listing (cancelled ones left out), newest first, each with its latest metrics; empty for a listing not the agent's.",
    errors: [],
  },
  "posts.reschedule": {
    summary: "Moves a scheduled post that has not started to a new time; the piece's history notes it.",
    errors: [
      { code: "NOT_FOUND", when: "no post with this id belongs to the agent" },
      {
        code: "BAD_REQUEST",
        when: "the time is not in the future or more than a year ahead (field `scheduledAt`)",
      },
      { code: "CONFLICT", when: "the post is not scheduled or has started publishing" },
    ],
  },
  "posts.cancel": {
    summary: "Cancels a scheduled post that has not started; its piece waits for approval again.",
    errors: [
      { code: "NOT_FOUND", when: "no post with this id belongs to the agent" },
      { code: "CONFLICT", when: "the post is not scheduled or has started publishing" },
    ],
  },
  "posts.retry": {
    summary:
      "Tries a failed or unconfirmed post again; an unconfirmed one is read back first, so it is never posted twice.",
    errors: [
      { code: "NOT_FOUND", when: "no post with this id belongs to the agent" },
      { code: "CONFLICT", when: "the post is not failed or unconfirmed, or its account is not connected" },
    ],
  },
  "posts.insights": {
    summary:
      "A published post's metrics: the latest reading per metric (ok or unavailable) and the series of the last 30 days.",
    errors: [
      { code: "NOT_FOUND", when: "no post with this id belongs to the agent" },
      { code: "CONFLICT", when: "the post is not published" },
    ],
  },
  "posts.refreshInsights": {
    summary:
      "Reads a published post's metrics from Meta now (unless read in the last 5 minutes or posted over 30 days ago) and returns the latest readings; `insightsError` says why a read failed.",
    errors: [
      { code: "NOT_FOUND", when: "no post with this id belongs to the agent" },
      { code: "CONFLICT", when: "the post is not published" },
    ],
  },
  "notifications.list": {
    summary:
      "The agent's notification history, newest first, a page at a time (`nextCursor`), with the unread count.",
    errors: [{ code: "BAD_REQUEST", when: "the cursor is not one this procedure returned (field `cursor`)" }],
  },
  "notifications.markRead": {
    summary: "Marks the agent's notifications read (others' ids are ignored); open tabs get the new count.",
    errors: [],
  },
  "notifications.markAllRead": {
    summary: "Marks every notification of the agent read; open tabs get the new count.",
    errors: [],
  },
  "notifications.unreadCount": { summary: "How many of the agent's notifications are unread.", errors: [] },
  "socialAccounts.connectFacebook": {
    summary:
      "Starts connecting the Facebook Page: answers the Facebook Login URL to open (state bound to this session for 10 minutes, PKCE). Facebook then sends the browser to `GET /api/oauth/facebook/callback`.",
    errors: [{ code: "TOO_MANY_REQUESTS", when: "more than 20 connection attempts in 10 minutes" }],
  },
  "socialAccounts.selectPage": {
    summary: "Connects the Page Chris picked when the last Facebook grant named several.",
    errors: [{ code: "NOT_FOUND", when: "the Page is not among the agent's pending page choices" }],
  },
  "socialAccounts.connectInstagram": {
    summary:
      "Connects the Instagram professional account linked to the connected Page; when the grant lacks Instagram's permissions, answers `authorizationUrl` for a re-consent instead.",
    errors: [
      {
        code: "BAD_REQUEST",
        when: "no Facebook Page is connected (or it needs reconnecting), or the Page has no linked Instagram professional account (the message says how to link one)",
      },
      { code: "BAD_GATEWAY", when: "Facebook could not be reached" },
      { code: "TOO_MANY_REQUESTS", when: "more than 20 connection attempts in 10 minutes (re-consent)" },
    ],
  },
  "socialAccounts.list": {
    summary:
      "The agent's Facebook Page and Instagram account with status, reason and declined permissions, and the Pages waiting to be picked. Never a token.",
    errors: [],
  },
  "socialAccounts.disconnect": {
    summary: "Disconnects an account and deletes its token; its post history stays.",
    errors: [{ code: "NOT_FOUND", when: "no social account with this id belongs to the agent" }],
  },
  "dev.tools": {
    summary: "Development only: links for the development tools (the local Graph fake's published posts).",
    errors: [{ code: "NOT_FOUND", when: '`DEV_TOOLS_ENABLED` is not "true" (checked before the session)' }],
  },
  "dev.outbox": {
    summary: "Development only: the signed-in agent's local email outbox, review-link tokens redacted.",
    errors: [{ code: "NOT_FOUND", when: '`DEV_TOOLS_ENABLED` is not "true" (checked before the session)' }],
  },
  "dev.reviewLink": {
    summary: "Development only: a working review link for a marketing email kept in the local outbox.",
    errors: [
      { code: "NOT_FOUND", when: '`DEV_TOOLS_ENABLED` is not "true" (checked before the session)' },
      {
        code: "NOT_FOUND",
        when: "the email is not the agent's, has no review link, or its link was used or expired",
      },
    ],
  },
  "dev.seedListings": {
    summary:
      "Development only: adds `count` (1–1000) listings to the signed-in agent, each with three drafts pending approval.",
    errors: [{ code: "NOT_FOUND", when: '`DEV_TOOLS_ENABLED` is not "true" (checked before the session)' }],
  },
};
