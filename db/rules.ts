// Rules both the Worker and the web client follow: statuses, kinds, the approval transitions and the
// platforms' limits. No drizzle here, so the web bundle can import it (`db/rules`).

export const LISTING_STATUSES = ["available", "under_contract", "sold", "off_market"] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

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
export type SocialPlatform = (typeof SOCIAL_PLATFORMS)[number];

export const NOTIFICATION_EVENTS = [
  "listing_new",
  "listing_changed",
  "ingestion_failed",
  "content_ready",
  "content_failed",
  "content_approved",
  "marketing_response",
  "marketing_reminder",
  "post_succeeded",
  "post_failed",
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

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
};

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
