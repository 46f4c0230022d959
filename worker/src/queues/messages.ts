import type { CONTENT_KINDS, ListingEvent, POST_TYPES } from "db";

type Kind = (typeof CONTENT_KINDS)[number];
type PostType = (typeof POST_TYPES)[number];

/**
 * Work for the content agent. `key` names the request: the pieces it produces are keyed
 * `${key}:${kind}`, so a redelivered message finds them and does not draft twice.
 */
export type ContentGenerationMessage =
  | {
      type: "listing_event";
      key: string;
      agentId: string;
      listingId: string;
      changeId: string;
      events: ListingEvent[];
    }
  | {
      type: "manual_request";
      key: string;
      agentId: string;
      listingId: string;
      kinds: Kind[];
      postType: PostType;
    }
  | { type: "revision_request"; key: string; agentId: string; listingId: string; parentId: string }
  // "Try again" on a failed piece: `pieceId` is the new version, already created in `generating`.
  | { type: "retry_request"; key: string; agentId: string; listingId: string; pieceId: string };

export type PostingMessage = { type: "publish"; postScheduleId: string };

/**
 * A claimed ingestion run for the listing agent to crawl in the background ("Run ingestion now"). The run
 * row is the state: a redelivery finds it finished, or still crawled by a live consumer, and does nothing.
 */
export type IngestionMessage = { type: "ingest"; runId: string; sourceId: string; agentId: string };

/** Fan out one notification (a history row written by notify()) to the agent's tabs and inbox. */
export type NotificationMessage = { type: "deliver"; notificationId: string };
