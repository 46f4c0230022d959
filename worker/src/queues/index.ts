import { consumeContentBatch, consumeContentDeadLetters } from "../agents/content/consumer";
import { consumeIngestionBatch, consumeIngestionDeadLetters } from "../agents/listing/ingestion-consumer";
import { consumeNotificationBatch, consumeNotificationDeadLetters } from "../agents/notifications/consumer";
import { consumePostingBatch, consumePostingDeadLetters } from "../agents/social/posting-consumer";
import type {
  ContentGenerationMessage,
  IngestionMessage,
  NotificationMessage,
  PostingMessage,
} from "./messages";

export type QueueConsumer = (batch: MessageBatch<unknown>, env: Env) => Promise<void>;

// Queue names as in wrangler.toml; each queue's consumer belongs to the agent that owns the work.
const consumers: Partial<Record<string, QueueConsumer>> = {
  "rltr-mktg-content-generation": (batch, env) =>
    consumeContentBatch(batch as MessageBatch<ContentGenerationMessage>, env),
  "rltr-mktg-content-generation-dlq": (batch, env) =>
    consumeContentDeadLetters(batch as MessageBatch<ContentGenerationMessage>, env),
  "rltr-mktg-posting": (batch, env) => consumePostingBatch(batch as MessageBatch<PostingMessage>, env),
  "rltr-mktg-posting-dlq": (batch, env) =>
    consumePostingDeadLetters(batch as MessageBatch<PostingMessage>, env),
  "rltr-mktg-ingestion": (batch, env) => consumeIngestionBatch(batch as MessageBatch<IngestionMessage>, env),
  "rltr-mktg-ingestion-dlq": (batch, env) =>
    consumeIngestionDeadLetters(batch as MessageBatch<IngestionMessage>, env),
  "rltr-mktg-notifications": (batch, env) =>
    consumeNotificationBatch(batch as MessageBatch<NotificationMessage>, env),
  "rltr-mktg-notifications-dlq": (batch, env) =>
    consumeNotificationDeadLetters(batch as MessageBatch<NotificationMessage>, env),
};

export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const consumer = consumers[batch.queue];
  if (!consumer) throw new Error(`No consumer for queue ${batch.queue}`);
  await consumer(batch, env);
}
