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
 * Work for the listing agent's ingestion consumer; the rows are the state, so a redelivery does nothing.
 * `ingest`: crawl a claimed run ("Run ingestion now" names the agent who asked; the cron names nobody).
 * `apply`: bring one group of the run's followers up to date from the scrape the crawl kept in D1.
 */
export type IngestionMessage =
  | { type: "ingest"; runId: string; sourceId: string; agentId?: string }
  | { type: "apply"; runId: string; sourceId: string; group: number };

/** Fan out one notification (a history row written by notify()) to the agent's tabs and inbox. */
export type NotificationMessage = { type: "deliver"; notificationId: string };
