// Outboxes for the content agent's and the posting queue's messages. A row is written in the same D1 batch
// as the state it announces, sent right away and marked dispatched; when the send fails, the sweeper sends
// it again (sweeper.ts). Consumers recognise a message delivered twice, so sending twice is harmless.
import { contentRequests, postSchedule } from "db";
import { eq, inArray } from "drizzle-orm";
import type { Db } from "../lib/db";
import { newId } from "../lib/ids";
import type { ContentGenerationMessage, PostingMessage } from "../queues/messages";

export type ContentRequestRow = typeof contentRequests.$inferInsert & {
  id: string;
  message: ContentGenerationMessage;
};

export function contentRequestRow(message: ContentGenerationMessage): ContentRequestRow {
  return { id: newId(), agentId: message.agentId, message };
}

/** Sends one content request and marks it dispatched; a failed send is left to the sweeper. */
export async function sendContentRequest(
  db: Db,
  queue: Queue<ContentGenerationMessage>,
  request: { id: string; message: ContentGenerationMessage },
): Promise<boolean> {
  try {
    await queue.send(request.message);
  } catch (error) {
    console.error("outbox: content request not sent, the sweeper retries it", request.id, error);
    return false;
  }
  await db
    .update(contentRequests)
    .set({ dispatchedAt: new Date() })
    .where(eq(contentRequests.id, request.id));
  return true;
}

/** Hands one post to the posting queue and marks it dispatched; a failed send is left to the sweeper. */
export async function dispatchPost(
  db: Db,
  queue: Queue<PostingMessage>,
  postScheduleId: string,
): Promise<boolean> {
  try {
    await queue.send({ type: "publish", postScheduleId } satisfies PostingMessage);
  } catch (error) {
    console.error("outbox: post not dispatched, the sweeper retries it", postScheduleId, error);
    return false;
  }
  await db.update(postSchedule).set({ dispatchedAt: new Date() }).where(eq(postSchedule.id, postScheduleId));
  return true;
}

/** Hands several posts to the posting queue in one send (the scheduler's alarm); see dispatchPost. */
export async function dispatchPosts(
  db: Db,
  queue: Queue<PostingMessage>,
  postScheduleIds: string[],
): Promise<boolean> {
  if (postScheduleIds.length === 0) return true;
  try {
    // sendBatch takes at most 100 messages.
    for (let i = 0; i < postScheduleIds.length; i += 100) {
      const ids = postScheduleIds.slice(i, i + 100);
      await queue.sendBatch(
        ids.map((postScheduleId) => ({ body: { type: "publish", postScheduleId } satisfies PostingMessage })),
      );
    }
  } catch (error) {
    console.error("outbox: posts not dispatched, the sweeper retries them", postScheduleIds.length, error);
    return false;
  }
  // D1 binds at most 100 parameters per statement.
  for (let i = 0; i < postScheduleIds.length; i += 90) {
    const ids = postScheduleIds.slice(i, i + 90);
    await db.update(postSchedule).set({ dispatchedAt: new Date() }).where(inArray(postSchedule.id, ids));
  }
  return true;
}
