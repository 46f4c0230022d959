// Rules both the Worker and the web client follow: statuses, kinds, the approval transitions and the
// platforms' limits. No drizzle here, so the web bundle can import it (`db/rules`).

export const LISTING_STATUSES = ["available", "under_contract", "sold", "off_market"] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

/** What a builder page or a manual upload can say; only the listing agent concludes `off_market`. */
export const SITE_LISTING_STATUSES = [
  "available",
  "under_contract",
  "sold",
] as const satisfies readonly ListingStatus[];
export type SiteListingStatus = (typeof SITE_LISTING_STATUSES)[number];

export const CONTENT_KINDS = ["facebook_post", "instagram_caption", "flyer_text"] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];

export const POST_TYPES = [
  "new_listing",
  "price_improvement",
  "new_incentive",
  "now_selling",
  "sold_out",
] as const;
export type PostType = (typeof POST_TYPES)[number];

export const CONTENT_STATUSES = [
  "generating",
  "pending_approval",
  "revision_requested",
  "sent_to_marketing",
  "approved",
  "scheduled",
  "posting",
  "posted",
  // The piece mirrors its post: publishing failed (with the reason on the post), or could not be confirmed.
  "post_failed",
  "unconfirmed",
  "rejected",
  "failed",
  "superseded",
] as const;
export type ContentStatus = (typeof CONTENT_STATUSES)[number];

/** Statuses that still need the agent (or are on their way to him): the approvals list shows these. */
export const OPEN_CONTENT_STATUSES = [
  "generating",
  "pending_approval",
  "revision_requested",
  "sent_to_marketing",
  "failed",
] as const satisfies readonly ContentStatus[];

/** Statuses in which the content agent is still working; the client polls only while one is showing. */
export const IN_PROGRESS_CONTENT_STATUSES = [
  "generating",
  "revision_requested",
  "posting",
] as const satisfies readonly ContentStatus[];

export const SOCIAL_PLATFORMS = ["facebook", "instagram"] as const;
/** How the product names each platform's connected account in messages. */
export const PLATFORM_LABELS = { facebook: "Facebook Page", instagram: "Instagram account" } as const;
export type SocialPlatform = (typeof SOCIAL_PLATFORMS)[number];

/** A connected account's state; needs_reconnect carries a reason (expired token, missing permission). */
export const SOCIAL_ACCOUNT_STATUSES = ["connected", "needs_reconnect", "disconnected"] as const;
export type SocialAccountStatus = (typeof SOCIAL_ACCOUNT_STATUSES)[number];

/** A post's life: scheduled -> publishing -> published | failed | unconfirmed; or cancelled before it starts. */
export const POST_STATUSES = [
  "scheduled",
  "publishing",
  "published",
  "failed",
  "unconfirmed",
  "cancelled",
] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

/**
 * Where a post is inside `publishing` (and whether a Graph write may already have happened):
 * new = nothing sent yet; attempted = a publishing call was sent and its outcome is not known (read back
 * before any retry); polling = an Instagram container exists and is polled until FINISHED;
 * done = nothing left to do.
 */
export const POST_PHASES = ["new", "attempted", "polling", "done"] as const;
export type PostPhase = (typeof POST_PHASES)[number];

/** What stopped or held a post, so the UI can say what to do. */
export const POST_FAILURE_KINDS = [
  "reconnect",
  "rate_limited",
  "blocked",
  "quota",
  "rejected",
  "preflight",
  "media",
  "unknown",
] as const;
export type PostFailureKind = (typeof POST_FAILURE_KINDS)[number];

/** The permissions the app asks for (classic Facebook Login); insights ones are for a later issue. */
export const FACEBOOK_SCOPES = [
  "pages_show_list",
  "pages_read_engagement",
  "pages_manage_posts",
  "business_management",
  "instagram_basic",
  "instagram_content_publish",
  "read_insights",
  "instagram_manage_insights",
] as const;
export const INSTAGRAM_PUBLISH_SCOPES = ["instagram_basic", "instagram_content_publish"] as const;

export const NOTIFICATION_EVENTS = [
  "listing_new",
  "listing_changed",
  "ingestion_failed",
  "content_ready",
  "content_failed",
  "content_approved",
  "marketing_sent",
  "marketing_response",
  "marketing_reminder",
  "post_scheduled",
  "post_succeeded",
  "post_failed",
  "post_unconfirmed",
  "account_needs_reconnect",
  "preflight_warning",
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** Critical events: always shown in-app (the agent must see them); email can still be switched off. */
export const CRITICAL_NOTIFICATION_EVENTS = [
  "post_failed",
  "post_unconfirmed",
  "account_needs_reconnect",
] as const satisfies readonly NotificationEvent[];
/** Low-priority events: with a daily digest on, their email waits for the digest. */
export const DIGEST_NOTIFICATION_EVENTS = [
  "listing_new",
  "listing_changed",
  "content_ready",
] as const satisfies readonly NotificationEvent[];

/**
 * Email of one notification: none (not emailed), pending (being sent), held (quiet hours, until
 * email_due_at), digest (waits for the daily digest), sent, failed.
 */
export const NOTIFICATION_EMAIL_STATUSES = ["none", "pending", "held", "digest", "sent", "failed"] as const;
export type NotificationEmailStatus = (typeof NOTIFICATION_EMAIL_STATUSES)[number];

// Changes that matter for marketing; each one is handed to the content agent once.
export const LISTING_EVENTS = ["new_listing", "price_drop", "status_change", "new_incentive"] as const;
export type ListingEvent = (typeof LISTING_EVENTS)[number];

/** What the agent can do to a piece (`content.action`), plus editing (`content.update`). */
export const CONTENT_ACTIONS = [
  "approve_and_post",
  "reject_discard",
  "request_revisions",
  "send_to_marketing",
  "record_marketing_response",
  "retry",
] as const;
export type ContentAction = (typeof CONTENT_ACTIONS)[number] | "edit";

/** The approval state machine: from which statuses each action may start. */
export const ALLOWED_FROM: Record<ContentAction, readonly ContentStatus[]> = {
  approve_and_post: ["pending_approval", "sent_to_marketing"],
  reject_discard: ["pending_approval", "sent_to_marketing", "failed"],
  request_revisions: ["pending_approval", "sent_to_marketing"],
  send_to_marketing: ["pending_approval"],
  record_marketing_response: ["sent_to_marketing"],
  edit: ["pending_approval", "sent_to_marketing"],
  retry: ["failed"],
};

/** How marketing answers a review request (`record_marketing_response`, the review link). */
export const MARKETING_RESPONSES = ["approved", "changes_requested", "rejected"] as const;
export type MarketingResponse = (typeof MARKETING_RESPONSES)[number];

export function isActionAllowed(action: ContentAction, status: ContentStatus): boolean {
  return ALLOWED_FROM[action].includes(status);
}

/** Platform and layout limits, enforced on drafts and on edits, and counted live in the editor. */
export const LIMITS = {
  facebookText: 3000,
  facebookHashtags: 10,
  instagramCaption: 2200,
  instagramHashtags: 30,
  instagramMentions: 20,
  flyerHeadline: 80,
  flyerBody: 1200,
  flyerBullets: 8,
  flyerBullet: 140,
  flyerCallToAction: 200,
} as const;

/** One limit as the editor counts it and `content.update` enforces it. */
export type LimitCount = { label: string; count: number; max: number; unit: string };

const HASHTAG = /(?<![\p{L}\p{N}_&#])#[\p{L}\p{N}_]+/gu;
// Not the middle of an email address: a mention starts the text or follows a space or punctuation.
const MENTION = /(?<![\p{L}\p{N}_@.])@[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*/gu;
const BULLET = /^\s*[•*-]\s+/;

const characters = (text: string) => [...text.trim()].length;
const matches = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;
export const countHashtags = (text: string) => matches(text, HASHTAG);
export const countMentions = (text: string) => matches(text, MENTION);
const paragraphs = (text: string) =>
  text
    .split(/\n\s*\n/)
    .map((part) => part.trim())
    .filter(Boolean);

/** The limits that apply to edited text of each kind, counted on the text as it will be posted or printed. */
export function contentLimitCounts(kind: ContentKind, body: string): LimitCount[] {
  switch (kind) {
    case "instagram_caption":
      return [
        { label: "Caption", count: characters(body), max: LIMITS.instagramCaption, unit: "characters" },
        { label: "Hashtags", count: matches(body, HASHTAG), max: LIMITS.instagramHashtags, unit: "hashtags" },
        { label: "Mentions", count: matches(body, MENTION), max: LIMITS.instagramMentions, unit: "mentions" },
      ];
    case "facebook_post": {
      // The closing line of hashtags is not part of the post text.
      const parts = paragraphs(body);
      const last = parts.at(-1) ?? "";
      const tagsOnly = parts.length > 1 && last.replace(HASHTAG, "").trim() === "";
      const text = (tagsOnly ? parts.slice(0, -1) : parts).join("\n\n");
      return [
        { label: "Post text", count: characters(text), max: LIMITS.facebookText, unit: "characters" },
        { label: "Hashtags", count: matches(body, HASHTAG), max: LIMITS.facebookHashtags, unit: "hashtags" },
      ];
    }
    case "flyer_text": {
      // Laid out as the flyer renders: headline, body, "•" bullets, call to action, blank lines between.
      const parts = paragraphs(body);
      const headline = parts[0] ?? "";
      const callToAction = parts.length > 1 ? (parts.at(-1) ?? "") : "";
      const lines = parts.slice(1, parts.length > 1 ? -1 : 1).flatMap((part) => part.split("\n"));
      const bullets = lines.filter((line) => BULLET.test(line)).map((line) => line.replace(BULLET, ""));
      const text = lines.filter((line) => !BULLET.test(line)).join("\n");
      return [
        { label: "Headline", count: characters(headline), max: LIMITS.flyerHeadline, unit: "characters" },
        { label: "Body", count: characters(text), max: LIMITS.flyerBody, unit: "characters" },
        { label: "Bullets", count: bullets.length, max: LIMITS.flyerBullets, unit: "bullets" },
        {
          label: "Longest bullet",
          count: Math.max(0, ...bullets.map(characters)),
          max: LIMITS.flyerBullet,
          unit: "characters",
        },
        {
          label: "Call to action",
          count: characters(callToAction),
          max: LIMITS.flyerCallToAction,
          unit: "characters",
        },
      ];
    }
  }
}

/** Plain sentences for each limit the text exceeds (empty when it fits). */
export function contentLimitProblems(kind: ContentKind, body: string): string[] {
  return contentLimitCounts(kind, body)
    .filter((limit) => limit.count > limit.max)
    .map((limit) => `${limit.label}: ${limit.count} ${limit.unit}, at most ${limit.max} allowed.`);
}

/** tRPC calls one HTTP request may carry; sign-in procedures (`auth.*`) are never batched. */
export const TRPC_MAX_BATCH = 10;

/** `content.pendingApprovals` answers at most this many open pieces, the most recently updated first. */
export const OPEN_PIECES_LIMIT = 200;

/** Where the listing agent read a field: the extraction layers in order, or a person typing it in. */
export const LISTING_FIELD_SOURCES = ["json_ld", "microdata", "label", "selector", "manual"] as const;
export type ListingFieldSource = (typeof LISTING_FIELD_SOURCES)[number];
/** Listing field (as the listing detail names it) -> where it came from; absent fields were not on the page. */
export type ListingFieldSources = Partial<Record<string, ListingFieldSource>>;
/** The listing fields whose provenance is kept, in the order the listing detail shows them. */
export const LISTING_PROVENANCE_FIELDS = [
  "addressLine",
  "city",
  "state",
  "zip",
  "community",
  "planName",
  "priceCents",
  "status",
  "beds",
  "bathsFull",
  "bathsHalf",
  "sqft",
  "garage",
  "moveInDate",
  "incentives",
  "description",
  "imageUrls",
  "sourceKey",
] as const;
