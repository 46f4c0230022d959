import type { CONTENT_KINDS, ComplianceFlag, POST_TYPES } from "db";

export type { ComplianceFlag };
export type ContentKind = (typeof CONTENT_KINDS)[number];
export type PostType = (typeof POST_TYPES)[number];

/** What the writer may say about a home: the listing row, nothing else. Text fields are scraped (untrusted). */
export interface ListingFacts {
  addressLine: string;
  city: string;
  state: string;
  zip: string;
  community: string;
  planName: string;
  priceCents: number | null;
  /** The price before the latest change (set on a price drop). */
  previousPriceCents: number | null;
  beds: number | null;
  bathsFull: number | null;
  bathsHalf: number | null;
  sqft: number | null;
  garage: number | null;
  status: "available" | "under_contract" | "sold" | "off_market";
  /** ISO yyyy-mm-dd; null means ready now or unknown, so the writer says nothing about it. */
  moveInDate: string | null;
  incentives: string;
  description: string;
  imageUrls: string[];
  sourceUrl: string | null;
}

export interface AgentProfile {
  name: string;
  brokerageName: string;
  phone: string;
  email: string;
  licenseNumber: string;
}

export type FacebookPost = { kind: "facebook_post"; text: string; hashtags: string[] };
/** Instagram: caption with hashtags at most 2,200 characters, at most 30 hashtags and 20 mentions. */
export type InstagramCaption = {
  kind: "instagram_caption";
  caption: string;
  hashtags: string[];
  mentions: string[];
};
export type FlyerText = {
  kind: "flyer_text";
  headline: string;
  body: string;
  bullets: string[];
  callToAction: string;
};
/** Hashtags and mentions are stored without their leading "#" / "@". */
export type DraftContent = FacebookPost | InstagramCaption | FlyerText;

export interface DraftRequest {
  kind: ContentKind;
  postType: PostType;
  listing: ListingFacts;
  agent: AgentProfile;
  /** Sent to the gateway as x-portkey-trace-id, so a piece can be found in the gateway's logs. */
  traceId: string;
  /** The agent's revision notes, with the draft they refer to. */
  feedback?: string;
  previous?: DraftContent;
}

export interface DraftResult {
  content: DraftContent;
  /** Plain-text rendering: what is shown, checked and posted. */
  body: string;
  /**
   * What the writer fixed in the model's output before validating it, one short sentence each ("Shortened
   * bullet 2 to 140 characters", "Removed 4 hashtags over Instagram's 30"). Shown on the piece as notes, not
   * errors; empty when nothing needed fixing. Stored in `content_pieces.repairs`.
   */
  repairs: string[];
  generator: "llm" | "langflow" | "offline";
  model: string | null;
  promptVersion: string;
  /** Summed over every model call of the chain; null when no call reported usage. */
  promptTokens: number | null;
  completionTokens: number | null;
  latencyMs: number;
}

/** The plain sentences an `UnusableDraftError` gives as its `reason`, one per way drafting can fail. */
export const FAILURE_REASONS = {
  unusable: "The writing service returned an unusable draft twice.",
  refused: "The writing service declined to write this draft.",
  unreadable: "The writing service sent a reply we could not read.",
  unreachable: "The writing service could not be reached.",
  rateLimited: "The writing service was too busy to answer (rate limited).",
  serverError: "The writing service had an internal error.",
  authRefused: "The writing service refused our credentials.",
  badRequest: "The writing service refused the request.",
  notConfigured: "The writing service is not set up.",
} as const;
export type FailureReason = (typeof FAILURE_REASONS)[keyof typeof FAILURE_REASONS];

/**
 * The one error a writer throws when it cannot produce a usable draft.
 * - `reason`: a plain sentence for the agent (one of FAILURE_REASONS), stored in `content_pieces.error`.
 * - `detail`: the technical details (validation messages, status codes, gateway message), stored in
 *   `content_pieces.error_detail` and shown behind a disclosure. Also the error's `message`, for logs.
 * - `retryable`: the gateway was rate limited, failing (5xx) or unreachable after the SDK's own retries, so the
 *   queue may try again later. Not retryable: unusable output twice, a refusal, other 4xx, configuration.
 * - `status`: the HTTP status the gateway answered, when there was one.
 */
export class UnusableDraftError extends Error {
  readonly reason: FailureReason;
  readonly detail: string;
  readonly retryable: boolean;
  readonly status: number | null;

  constructor(
    reason: FailureReason,
    detail: string,
    options: { retryable: boolean; status?: number | null; cause?: unknown },
  ) {
    super(detail, { cause: options.cause });
    this.name = "UnusableDraftError";
    this.reason = reason;
    this.detail = detail;
    this.retryable = options.retryable;
    this.status = options.status ?? null;
  }
}

/** The reason for a gateway answer (null: no answer at all). */
export function reasonForStatus(status: number | null): FailureReason {
  if (status === null || status === 408) return FAILURE_REASONS.unreachable;
  if (status === 401 || status === 403) return FAILURE_REASONS.authRefused;
  if (status === 429) return FAILURE_REASONS.rateLimited;
  if (status >= 500 || status === 409) return FAILURE_REASONS.serverError;
  return FAILURE_REASONS.badRequest;
}

/** @deprecated The former name of UnusableDraftError; the same class. */
export { UnusableDraftError as GenerationError };
