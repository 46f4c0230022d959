export type QueueConsumer = (batch: MessageBatch<unknown>, env: Env) => Promise<void>;

// Each product queue gets its consumer from the agent that owns it (content, social, notification).
const consumers: Partial<Record<string, QueueConsumer>> = {};

export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const consumer = consumers[batch.queue];
  if (!consumer) throw new Error(`No consumer for queue ${batch.queue}`);
  await consumer(batch, env);
}
