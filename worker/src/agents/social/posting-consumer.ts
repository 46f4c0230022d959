// Posting queue consumer: each message says "look at this post". The engine claims the post's due step
// or finds nothing to do (already running, done, or not due: a stale or redelivered message), so a
// message is acked unless the step failed unexpectedly; then it is retried, and the dead-letter queue
// settles what kept failing.
import type { PostingMessage } from "../../queues/messages";
import { abandonPost, runPostStep } from "./publisher";

export async function consumePostingBatch(batch: MessageBatch<PostingMessage>, env: Env): Promise<void> {
  // The steps of different posts are independent; run them side by side.
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        await runPostStep(env, message.body.postScheduleId);
        message.ack();
      } catch (error) {
        console.error("posting: step failed, retried", message.body.postScheduleId, error);
        message.retry({ delaySeconds: 30 });
      }
    }),
  );
}

export async function consumePostingDeadLetters(
  batch: MessageBatch<PostingMessage>,
  env: Env,
): Promise<void> {
  for (const message of batch.messages) {
    await abandonPost(env, message.body.postScheduleId, "Posting kept failing and was stopped.");
    message.ack();
  }
}
