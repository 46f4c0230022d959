// The whole product's D1 schema. Conventions: ids are random text; every `*_at` column is UTC epoch
// milliseconds; JSON columns are TEXT holding JSON; every list query has an index that starts with agent_id.
import { sql } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import {
  CONTENT_KINDS,
  CONTENT_STATUSES,
  LISTING_STATUSES,
  type ListingEvent,
  type ListingFieldSources,
  NOTIFICATION_EMAIL_STATUSES,
  NOTIFICATION_EVENTS,
  POST_FAILURE_KINDS,
  POST_PHASES,
  POST_STATUSES,
  POST_TYPES,
  SOCIAL_ACCOUNT_STATUSES,
  SOCIAL_PLATFORMS,
} from "./rules";

export * from "./rules";

const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);
const updatedAt = () =>
  integer("updated_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);
const agentRef = () =>
  text("agent_id")
    .notNull()
    .references(() => agents.id, { onDelete: "cascade" });

/** A secret sealed by the worker's token-crypto (AES-256-GCM); the same shape as its SealedToken. */
export type SealedToken = { ciphertext: string; iv: string; keyId: string };

/**
 * The agent's brand kit. Colours are "#rrggbb"; logoUrl is an https URL from before the brand kit (emails
 * still honour it); uploaded images are media assets (agents.logo_asset_id / headshot_asset_id).
 */
export type Brand = { primaryColor?: string; accentColor?: string; logoUrl?: string; tagline?: string };

export const agents = sqliteTable("rltr_mktg_agents", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  passwordHash: text("password_hash").notNull(),
  name: text("name").notNull(),
  brokerageName: text("brokerage_name").notNull().default(""),
  licenseNumber: text("license_number").notNull().default(""),
  phone: text("phone").notNull().default(""),
  timezone: text("timezone").notNull().default("America/New_York"),
  brand: text("brand", { mode: "json" }).$type<Brand>().notNull().default({}),
  marketingEmail: text("marketing_email"),
  autoDraftNewListings: integer("auto_draft_new_listings", { mode: "boolean" }).notNull().default(true),
  // Notification delivery, in the agent's time zone ("HH:MM"): email is held between the quiet hours'
  // start and end (both set, or neither), and low-priority events go into one daily digest at digest_time.
  quietHoursStart: text("quiet_hours_start"),
  quietHoursEnd: text("quiet_hours_end"),
  digestTime: text("digest_time"),
  // Days a draft sent to the marketing department waits for an answer before a reminder.
  marketingReminderDays: integer("marketing_reminder_days").notNull().default(2),
  // Brand kit uploads (rltr_mktg_media_assets rows, purpose logo / headshot), resized and kept in R2.
  logoAssetId: text("logo_asset_id"),
  headshotAssetId: text("headshot_asset_id"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

// Lucia-guide sessions: the id is the SHA-256 (hex) of the cookie token; the token itself is never stored.
export const sessions = sqliteTable(
  "rltr_mktg_sessions",
  {
    id: text("id").primaryKey(),
    agentId: agentRef(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("rltr_mktg_sessions_agent_idx").on(t.agentId)],
);

// Fixed-window counters for login/registration throttling and rate-limited actions.
export const rateLimits = sqliteTable("rltr_mktg_rate_limits", {
  key: text("key").primaryKey(),
  windowStart: integer("window_start", { mode: "timestamp_ms" }).notNull(),
  count: integer("count").notNull().default(0),
});

// A builder site; shared by every agent that follows it so it is fetched once per run.
export const listingSources = sqliteTable("rltr_mktg_listing_sources", {
  id: text("id").primaryKey(),
  adapter: text("adapter").notNull(),
  baseUrl: text("base_url").notNull().unique(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});

export const agentListingSources = sqliteTable(
  "rltr_mktg_agent_listing_sources",
  {
    agentId: agentRef(),
    sourceId: text("source_id")
      .notNull()
      .references(() => listingSources.id, { onDelete: "cascade" }),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    // Digest of the last scrape applied to this agent's copy: a run whose scrape has the same digest has
    // nothing to write for this follower and skips it (null: never applied, e.g. a new follower).
    syncedDigest: text("synced_digest"),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.agentId, t.sourceId] }),
    index("rltr_mktg_agent_listing_sources_source_idx").on(t.sourceId),
  ],
);

export const ingestionRuns = sqliteTable(
  "rltr_mktg_ingestion_runs",
  {
    id: text("id").primaryKey(),
    sourceId: text("source_id")
      .notNull()
      .references(() => listingSources.id, { onDelete: "cascade" }),
    trigger: text("trigger", { enum: ["cron", "manual"] }).notNull(),
    status: text("status", { enum: ["running", "succeeded", "failed"] }).notNull(),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
    pagesFetched: integer("pages_fetched").notNull().default(0),
    listingsFound: integer("listings_found").notNull().default(0),
    listingsNew: integer("listings_new").notNull().default(0),
    listingsChanged: integer("listings_changed").notNull().default(0),
    listingsRemoved: integer("listings_removed").notNull().default(0),
    errorCount: integer("error_count").notNull().default(0),
    errors: text("errors", { mode: "json" }).$type<string[]>().notNull().default([]),
    failureReason: text("failure_reason"),
    // The agent who pressed "Run ingestion now" (null for the cron).
    requestedBy: text("requested_by").references(() => agents.id, { onDelete: "set null" }),
    // Refreshed by the queue consumer while it crawls: a redelivered message leaves a live run alone.
    heartbeatAt: integer("heartbeat_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("rltr_mktg_ingestion_runs_source_started_idx").on(t.sourceId, t.startedAt)],
);

// A run's scrape, kept while its follower groups are applied by separate queue invocations (a queue
// message holds at most 128 KB); split in parts that each stay well under D1's 100 KB statement size.
export const ingestionScrapeParts = sqliteTable(
  "rltr_mktg_ingestion_scrape_parts",
  {
    runId: text("run_id")
      .notNull()
      .references(() => ingestionRuns.id, { onDelete: "cascade" }),
    part: integer("part").notNull(),
    body: text("body").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.part] })],
);

// The followers of a run, in groups that one queue invocation applies within D1's per-invocation limits.
// A group is finished once; the run succeeds when its last group finishes.
export const ingestionApplyGroups = sqliteTable(
  "rltr_mktg_ingestion_apply_groups",
  {
    runId: text("run_id")
      .notNull()
      .references(() => ingestionRuns.id, { onDelete: "cascade" }),
    groupNo: integer("group_no").notNull(),
    agentIds: text("agent_ids", { mode: "json" }).$type<string[]>().notNull(),
    // Held by the invocation applying it; a redelivery leaves a fresh lease alone.
    leasedAt: integer("leased_at", { mode: "timestamp_ms" }),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
    listingsNew: integer("listings_new").notNull().default(0),
    listingsChanged: integer("listings_changed").notNull().default(0),
    listingsRemoved: integer("listings_removed").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.runId, t.groupNo] })],
);

export const listings = sqliteTable(
  "rltr_mktg_listings",
  {
    id: text("id").primaryKey(),
    agentId: agentRef(),
    origin: text("origin", { enum: ["scraped", "manual"] }).notNull(),
    sourceId: text("source_id").references(() => listingSources.id, { onDelete: "set null" }),
    sourceKey: text("source_key").notNull(),
    sourceUrl: text("source_url"),
    contentHash: text("content_hash").notNull(),
    addressLine: text("address_line").notNull(),
    city: text("city").notNull().default(""),
    state: text("state").notNull().default("FL"),
    zip: text("zip").notNull().default(""),
    community: text("community").notNull().default(""),
    planName: text("plan_name").notNull().default(""),
    priceCents: integer("price_cents"),
    beds: integer("beds"),
    bathsFull: integer("baths_full"),
    bathsHalf: integer("baths_half"),
    sqft: integer("sqft"),
    garage: integer("garage"),
    status: text("status", { enum: LISTING_STATUSES }).notNull().default("available"),
    moveInDate: text("move_in_date"),
    incentives: text("incentives").notNull().default(""),
    description: text("description").notNull().default(""),
    imageUrls: text("image_urls", { mode: "json" }).$type<string[]>().notNull().default([]),
    // Which extraction layer gave each field, so a wrong field can be diagnosed from the UI.
    fieldSources: text("field_sources", { mode: "json" }).$type<ListingFieldSources>().notNull().default({}),
    // Set when the price changes, so lists can mark "price changed" without reading the history.
    previousPriceCents: integer("previous_price_cents"),
    priceChangedAt: integer("price_changed_at", { mode: "timestamp_ms" }),
    // Written only when the listing changes (an unchanged re-run writes nothing); the source's last
    // successful ingestion run tells when unchanged listings were last confirmed.
    firstSeenAt: integer("first_seen_at", { mode: "timestamp_ms" }).notNull(),
    lastSeenAt: integer("last_seen_at", { mode: "timestamp_ms" }).notNull(),
    offMarketAt: integer("off_market_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("rltr_mktg_listings_agent_source_key_uq").on(t.agentId, t.origin, t.sourceKey),
    index("rltr_mktg_listings_agent_first_seen_idx").on(t.agentId, t.firstSeenAt),
    index("rltr_mktg_listings_agent_status_idx").on(t.agentId, t.status, t.firstSeenAt),
    index("rltr_mktg_listings_agent_price_idx").on(t.agentId, t.priceCents),
    index("rltr_mktg_listings_agent_community_idx").on(t.agentId, t.community),
    index("rltr_mktg_listings_source_idx").on(t.sourceId),
  ],
);

export type ListingFieldChange = { from: unknown; to: unknown };

export const listingChanges = sqliteTable(
  "rltr_mktg_listing_changes",
  {
    id: text("id").primaryKey(),
    listingId: text("listing_id")
      .notNull()
      .references(() => listings.id, { onDelete: "cascade" }),
    agentId: agentRef(),
    runId: text("run_id").references(() => ingestionRuns.id, { onDelete: "set null" }),
    changeType: text("change_type", {
      enum: ["created", "updated", "off_market", "relisted"],
    }).notNull(),
    changes: text("changes", { mode: "json" })
      .$type<Record<string, ListingFieldChange>>()
      .notNull()
      .default({}),
    // Marketing events this change carries (empty for cosmetic changes) and, like an outbox, when they
    // were handed to the content-generation queue: undispatched rows are sent again on the next run.
    events: text("events", { mode: "json" }).$type<ListingEvent[]>().notNull().default([]),
    dispatchedAt: integer("dispatched_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [
    index("rltr_mktg_listing_changes_listing_idx").on(t.listingId, t.createdAt),
    index("rltr_mktg_listing_changes_agent_idx").on(t.agentId, t.createdAt),
    // One listing's history (the listing page), without reading the agent's other listings' changes.
    index("rltr_mktg_listing_changes_agent_listing_idx").on(t.agentId, t.listingId, t.createdAt),
    index("rltr_mktg_listing_changes_dispatch_idx").on(t.dispatchedAt),
  ],
);

export type ComplianceFlag = {
  rule: "fair_housing" | "fl_61j2_10_025" | "fact_check";
  message: string;
  excerpt?: string;
};

export const contentPieces = sqliteTable(
  "rltr_mktg_content_pieces",
  {
    id: text("id").primaryKey(),
    agentId: agentRef(),
    listingId: text("listing_id")
      .notNull()
      .references(() => listings.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: CONTENT_KINDS }).notNull(),
    postType: text("post_type", { enum: POST_TYPES }).notNull(),
    status: text("status", { enum: CONTENT_STATUSES }).notNull(),
    version: integer("version").notNull().default(1),
    parentId: text("parent_id").references((): AnySQLiteColumn => contentPieces.id, {
      onDelete: "set null",
    }),
    // The first version's id (its own id for version 1): all versions of a piece share it.
    rootId: text("root_id").notNull().default(""),
    // Makes queue redelivery harmless: one piece per (generation request, kind, version).
    generationKey: text("generation_key").notNull().unique(),
    body: text("body").notNull().default(""),
    structured: text("structured", { mode: "json" }).$type<Record<string, unknown>>(),
    generator: text("generator", { enum: ["llm", "langflow", "offline", "manual"] }),
    model: text("model"),
    promptVersion: text("prompt_version"),
    traceId: text("trace_id"),
    promptTokens: integer("prompt_tokens"),
    completionTokens: integer("completion_tokens"),
    latencyMs: integer("latency_ms"),
    complianceFlags: text("compliance_flags", { mode: "json" })
      .$type<ComplianceFlag[]>()
      .notNull()
      .default([]),
    complianceAcknowledgedAt: integer("compliance_acknowledged_at", { mode: "timestamp_ms" }),
    feedback: text("feedback"),
    // A failure in words Chris can act on; the technical cause is kept apart for a disclosure.
    error: text("error"),
    errorDetail: text("error_detail"),
    // What the deterministic repair changed in the model's draft (shown as notes, not errors).
    repairs: text("repairs", { mode: "json" }).$type<string[]>().notNull().default([]),
    // flyer_text: the flyer rendered as a 1080x1350 JPEG (a media asset, purpose "flyer").
    flyerAssetId: text("flyer_asset_id"),
    // facebook_post / instagram_caption: post this flyer piece's JPEG instead of the listing's photos.
    attachedFlyerId: text("attached_flyer_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("rltr_mktg_content_pieces_agent_status_idx").on(t.agentId, t.status, t.createdAt),
    // Approvals filtered by status, newest change first (otherwise planned on every agent's pieces).
    index("rltr_mktg_content_pieces_agent_status_updated_idx").on(t.agentId, t.status, t.updatedAt),
    index("rltr_mktg_content_pieces_agent_listing_idx").on(t.agentId, t.listingId, t.createdAt),
    index("rltr_mktg_content_pieces_parent_idx").on(t.parentId),
    index("rltr_mktg_content_pieces_root_idx").on(t.rootId, t.version),
    // The sweeper's look for pieces stuck in a status.
    index("rltr_mktg_content_pieces_status_updated_idx").on(t.status, t.updatedAt),
  ],
);

export const contentEvents = sqliteTable(
  "rltr_mktg_content_events",
  {
    id: text("id").primaryKey(),
    contentId: text("content_id")
      .notNull()
      .references(() => contentPieces.id, { onDelete: "cascade" }),
    agentId: agentRef(),
    actor: text("actor", { enum: ["agent", "system", "marketing"] }).notNull(),
    action: text("action").notNull(),
    fromStatus: text("from_status"),
    toStatus: text("to_status").notNull(),
    note: text("note"),
    createdAt: createdAt(),
  },
  (t) => [index("rltr_mktg_content_events_content_idx").on(t.contentId, t.createdAt)],
);

// Outbox for manual draft and revision requests: written in the same batch as their pieces, sent at
// once and marked dispatched; the sweeper resends what a failed send left behind.
export const contentRequests = sqliteTable(
  "rltr_mktg_content_requests",
  {
    id: text("id").primaryKey(),
    agentId: agentRef(),
    message: text("message", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    dispatchedAt: integer("dispatched_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("rltr_mktg_content_requests_dispatch_idx").on(t.dispatchedAt, t.createdAt)],
);

export const marketingRequests = sqliteTable(
  "rltr_mktg_marketing_requests",
  {
    id: text("id").primaryKey(),
    agentId: agentRef(),
    contentId: text("content_id")
      .notNull()
      .references(() => contentPieces.id, { onDelete: "cascade" }),
    recipientEmail: text("recipient_email").notNull(),
    // SHA-256 of the single-use link token.
    tokenHash: text("token_hash").notNull().unique(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
    response: text("response", { enum: ["approved", "changes_requested", "rejected"] }),
    responseNotes: text("response_notes"),
    respondedAt: integer("responded_at", { mode: "timestamp_ms" }),
    // The link token sealed with TOKEN_ENCRYPTION_KEY (row id as AAD), so a reminder can repeat the same
    // link without a new token; null when no key was configured (the reminder then points to the first email).
    tokenSealed: text("token_sealed", { mode: "json" }).$type<SealedToken>(),
    reminderSentAt: integer("reminder_sent_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [
    index("rltr_mktg_marketing_requests_agent_idx").on(t.agentId, t.createdAt),
    index("rltr_mktg_marketing_requests_content_idx").on(t.contentId),
  ],
);

// Every email the product sends. Without an email API key (local development) messages stop here and a
// development-only page shows them; with one, this is the send log (provider id, failures).
export const emailOutbox = sqliteTable(
  "rltr_mktg_email_outbox",
  {
    id: text("id").primaryKey(),
    agentId: text("agent_id").references(() => agents.id, { onDelete: "cascade" }),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    html: text("html").notNull(),
    text: text("text").notNull(),
    idempotencyKey: text("idempotency_key").notNull().unique(),
    status: text("status", { enum: ["stored", "sent", "failed"] }).notNull(),
    providerId: text("provider_id"),
    error: text("error"),
    createdAt: createdAt(),
  },
  (t) => [index("rltr_mktg_email_outbox_agent_idx").on(t.agentId, t.createdAt)],
);

export const socialAccounts = sqliteTable(
  "rltr_mktg_social_accounts",
  {
    id: text("id").primaryKey(),
    agentId: agentRef(),
    platform: text("platform", { enum: SOCIAL_PLATFORMS }).notNull(),
    // The Page id (facebook) or the Instagram professional account id (instagram).
    externalId: text("external_id").notNull(),
    displayName: text("display_name").notNull(),
    // Instagram: @username; Facebook: null.
    username: text("username"),
    // The Facebook Page the account belongs to (its own id for a Page); Instagram publishes with its token.
    pageId: text("page_id").notNull().default(""),
    // The app-scoped Meta user who granted access: Meta's deauthorize/data-deletion callbacks name him.
    metaUserId: text("meta_user_id"),
    // The Page token: AES-256-GCM ciphertext (base64) with its IV; key_id names the key so keys can rotate.
    // All three are emptied ("") once the account is disconnected (the post history stays).
    accessTokenCiphertext: text("access_token_ciphertext").notNull(),
    accessTokenIv: text("access_token_iv").notNull(),
    keyId: text("key_id").notNull(),
    tokenExpiresAt: integer("token_expires_at", { mode: "timestamp_ms" }),
    // Granted and declined permissions, comma-separated, as /me/permissions reported them.
    scopes: text("scopes").notNull().default(""),
    declinedScopes: text("declined_scopes").notNull().default(""),
    status: text("status", { enum: SOCIAL_ACCOUNT_STATUSES }).notNull().default("connected"),
    // Why the account needs reconnecting, in words Chris can act on.
    statusReason: text("status_reason"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("rltr_mktg_social_accounts_agent_platform_uq").on(t.agentId, t.platform, t.externalId),
    index("rltr_mktg_social_accounts_meta_user_idx").on(t.metaUserId),
  ],
);

// One row per "Connect Facebook" click: the OAuth state (stored hashed) bound to the session, with its PKCE
// verifier; used once, expires after minutes.
export const oauthStates = sqliteTable(
  "rltr_mktg_oauth_states",
  {
    stateHash: text("state_hash").primaryKey(),
    agentId: agentRef(),
    sessionId: text("session_id").notNull(),
    purpose: text("purpose", { enum: ["facebook", "instagram"] }).notNull(),
    codeVerifier: text("code_verifier").notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [index("rltr_mktg_oauth_states_agent_idx").on(t.agentId, t.createdAt)],
);

// Pages offered by a grant that named several: Chris picks one (socialAccounts.selectPage), the rest are
// deleted. Tokens encrypted as in social_accounts.
export const pageChoices = sqliteTable(
  "rltr_mktg_page_choices",
  {
    agentId: agentRef(),
    pageId: text("page_id").notNull().default(""),
    name: text("name").notNull(),
    instagramId: text("instagram_id"),
    instagramUsername: text("instagram_username"),
    metaUserId: text("meta_user_id"),
    scopes: text("scopes").notNull().default(""),
    declinedScopes: text("declined_scopes").notNull().default(""),
    accessTokenCiphertext: text("access_token_ciphertext").notNull(),
    accessTokenIv: text("access_token_iv").notNull(),
    keyId: text("key_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.pageId] })],
);

// Meta's data-deletion callback: the confirmation code and what was deleted, for the status page.
export const dataDeletionRequests = sqliteTable("rltr_mktg_data_deletion_requests", {
  confirmationCode: text("confirmation_code").primaryKey(),
  metaUserId: text("meta_user_id").notNull(),
  accountsDeleted: integer("accounts_deleted").notNull().default(0),
  createdAt: createdAt(),
});

// Photos made valid for Instagram (JPEG, 4:5..1.91:1, 320-1440 px) and kept in R2 `MEDIA` under an
// unguessable key, served at /media/<id>.jpg so Meta can fetch them.
export const mediaAssets = sqliteTable(
  "rltr_mktg_media_assets",
  {
    id: text("id").primaryKey(),
    agentId: agentRef(),
    sourceUrl: text("source_url").notNull(),
    purpose: text("purpose").notNull().default("instagram"),
    r2Key: text("r2_key").notNull(),
    contentType: text("content_type").notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    bytes: integer("bytes").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("rltr_mktg_media_assets_source_uq").on(t.agentId, t.purpose, t.sourceUrl)],
);

/** Graph ids of one post, stored the moment each is returned (so a retry can read back, not repost). */
export type PostGraphState = {
  /** Facebook: unpublished photo ids for a multi-photo post. */
  photoIds?: string[];
  /** Instagram: carousel item containers, then the carousel (or single-photo) container. */
  childContainerIds?: string[];
  containerId?: string;
  /** The published post/media id. */
  postId?: string;
  /** Polls of the container so far, and when polling began (10 minutes at most). */
  polls?: number;
  pollingSince?: number;
};

export type PostWarning = { code: string; message: string; at: number };

export const postSchedule = sqliteTable(
  "rltr_mktg_post_schedule",
  {
    id: text("id").primaryKey(),
    agentId: agentRef(),
    contentId: text("content_id")
      .notNull()
      .references(() => contentPieces.id, { onDelete: "cascade" }),
    socialAccountId: text("social_account_id").references(() => socialAccounts.id, {
      onDelete: "set null",
    }),
    platform: text("platform", { enum: SOCIAL_PLATFORMS }).notNull(),
    scheduledAt: integer("scheduled_at", { mode: "timestamp_ms" }).notNull(),
    status: text("status", { enum: POST_STATUSES }).notNull(),
    phase: text("phase", { enum: POST_PHASES }).notNull().default("new"),
    // When the post's next step is due (its time, the next container poll, the end of a rate limit);
    // null when nothing is due. D1 is the source of truth; the scheduler's alarm only wakes it.
    nextStepAt: integer("next_step_at", { mode: "timestamp_ms" }),
    // A worker holds the step until then; a second alarm or redelivery finds it held and stops.
    leaseUntil: integer("lease_until", { mode: "timestamp_ms" }),
    attempts: integer("attempts").notNull().default(0),
    // When the last publishing call was sent, and a fingerprint of the text: the read-back after an
    // ambiguous answer looks for a post since then that matches it.
    attemptStartedAt: integer("attempt_started_at", { mode: "timestamp_ms" }),
    fingerprint: text("fingerprint"),
    graphState: text("graph_state", { mode: "json" }).$type<PostGraphState>().notNull().default({}),
    externalPostId: text("external_post_id"),
    permalink: text("permalink"),
    failureKind: text("failure_kind", { enum: POST_FAILURE_KINDS }),
    lastError: text("last_error"),
    // Preflight problems, shown on the post while there is time to fix them.
    warnings: text("warnings", { mode: "json" }).$type<PostWarning[]>().notNull().default([]),
    preflightAt: integer("preflight_at", { mode: "timestamp_ms" }),
    postedAt: integer("posted_at", { mode: "timestamp_ms" }),
    // An outbox: set once the post was handed to the posting queue; the sweeper sends due rows without it.
    dispatchedAt: integer("dispatched_at", { mode: "timestamp_ms" }),
    // Post performance: when its metrics were last read, and why the last read failed (if it did).
    insightsAt: integer("insights_at", { mode: "timestamp_ms" }),
    insightsError: text("insights_error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("rltr_mktg_post_schedule_dispatch_idx").on(t.dispatchedAt, t.scheduledAt),
    // Never post the same piece twice to the same platform (a cancelled post frees it).
    uniqueIndex("rltr_mktg_post_schedule_content_platform_uq")
      .on(t.contentId, t.platform)
      .where(sql`status <> 'cancelled'`),
    index("rltr_mktg_post_schedule_agent_scheduled_idx").on(t.agentId, t.scheduledAt),
    index("rltr_mktg_post_schedule_agent_next_idx").on(t.agentId, t.nextStepAt),
    index("rltr_mktg_post_schedule_status_next_idx").on(t.status, t.nextStepAt),
    // The daily insights job: published posts of the last 30 days.
    index("rltr_mktg_post_schedule_status_posted_idx").on(t.status, t.postedAt),
  ],
);

// Post performance as a time series: one row per post, metric and reading. A metric Meta refuses for a
// post (a small audience, "(#10)") is recorded as unavailable (value null), not as an error.
export const postMetrics = sqliteTable(
  "rltr_mktg_post_metrics",
  {
    id: text("id").primaryKey(),
    agentId: agentRef(),
    postId: text("post_id")
      .notNull()
      .references(() => postSchedule.id, { onDelete: "cascade" }),
    platform: text("platform", { enum: SOCIAL_PLATFORMS }).notNull(),
    metric: text("metric").notNull(),
    value: integer("value"),
    status: text("status", { enum: ["ok", "unavailable"] })
      .notNull()
      .default("ok"),
    capturedAt: integer("captured_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    // One reading per post, metric and instant: a repeated run writes nothing new.
    uniqueIndex("rltr_mktg_post_metrics_post_metric_at_uq").on(t.postId, t.metric, t.capturedAt),
    index("rltr_mktg_post_metrics_agent_captured_idx").on(t.agentId, t.capturedAt),
  ],
);

export const notifications = sqliteTable(
  "rltr_mktg_notifications",
  {
    id: text("id").primaryKey(),
    agentId: agentRef(),
    eventType: text("event_type", { enum: NOTIFICATION_EVENTS }).notNull(),
    title: text("title").notNull(),
    body: text("body").notNull().default(""),
    link: text("link"),
    // Makes redelivered notification events harmless.
    dedupeKey: text("dedupe_key").notNull().unique(),
    inApp: integer("in_app", { mode: "boolean" }).notNull().default(true),
    // held: waiting for quiet hours to end (email_due_at); digest: waiting for the daily digest.
    emailStatus: text("email_status", { enum: NOTIFICATION_EMAIL_STATUSES }).notNull().default("none"),
    emailDueAt: integer("email_due_at", { mode: "timestamp_ms" }),
    readAt: integer("read_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [
    index("rltr_mktg_notifications_agent_created_idx").on(t.agentId, t.createdAt),
    // The history filtered by event.
    index("rltr_mktg_notifications_agent_event_idx").on(t.agentId, t.eventType, t.createdAt),
    index("rltr_mktg_notifications_agent_unread_idx").on(t.agentId, t.readAt),
    index("rltr_mktg_notifications_agent_email_idx").on(t.agentId, t.emailStatus, t.emailDueAt),
  ],
);

export const notificationPreferences = sqliteTable(
  "rltr_mktg_notification_preferences",
  {
    agentId: agentRef(),
    eventType: text("event_type", { enum: NOTIFICATION_EVENTS }).notNull(),
    inApp: integer("in_app", { mode: "boolean" }).notNull().default(true),
    email: integer("email", { mode: "boolean" }).notNull().default(false),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.eventType] })],
);

export type Agent = typeof agents.$inferSelect;
export type PostMetric = typeof postMetrics.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type Listing = typeof listings.$inferSelect;
export type ContentPiece = typeof contentPieces.$inferSelect;
