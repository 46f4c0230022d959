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
  generator: "llm" | "langflow" | "offline";
  model: string | null;
  promptVersion: string;
  /** Summed over every model call of the chain; null when no call reported usage. */
  promptTokens: number | null;
  completionTokens: number | null;
  latencyMs: number;
}

/**
 * Drafting failed. `retryable`: the gateway was rate limited, failing (5xx) or unreachable after the SDK's own
 * retries, so the queue may try again later. Not retryable: invalid output twice, other 4xx, configuration.
 */
export class GenerationError extends Error {
  readonly retryable: boolean;
  readonly status: number | null;

  constructor(message: string, options: { retryable: boolean; status?: number | null; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "GenerationError";
    this.retryable = options.retryable;
    this.status = options.status ?? null;
  }
}
