// Posting queue consumer. Publishing through the Graph API belongs to the social media agent; until an
// account can be connected, an approved post fails visibly here instead of waiting forever.
import { notifications, postSchedule, socialAccounts } from "db";
import { and, eq } from "drizzle-orm";
import { createDb, type Db } from "../../lib/db";
import { newId } from "../../lib/ids";
import type { PostingMessage } from "../../queues/messages";

const PLATFORM_LABELS = { facebook: "Facebook Page", instagram: "Instagram Business account" } as const;

export async function consumePostingBatch(batch: MessageBatch<PostingMessage>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  for (const message of batch.messages) {
    await publish(db, message.body.postScheduleId);
    message.ack();
  }
}

export async function consumePostingDeadLetters(
  batch: MessageBatch<PostingMessage>,
  env: Env,
): Promise<void> {
  const db = createDb(env.DB);
  for (const message of batch.messages) {
    await failPost(db, message.body.postScheduleId, "Posting kept failing and was stopped.");
    message.ack();
  }
}

async function publish(db: Db, postScheduleId: string) {
  const [post] = await db.select().from(postSchedule).where(eq(postSchedule.id, postScheduleId)).limit(1);
  // Already posted, failed or canceled: a redelivery or a second alarm changes nothing.
  if (post?.status !== "scheduled") return;
  const [account] = await db
    .select({ id: socialAccounts.id })
    .from(socialAccounts)
    .where(
      and(
        eq(socialAccounts.agentId, post.agentId),
        eq(socialAccounts.platform, post.platform),
        eq(socialAccounts.status, "connected"),
      ),
    )
    .limit(1);
  await failPost(
    db,
    post.id,
    account
      ? "Publishing through the Graph API is not available yet."
      : `No ${PLATFORM_LABELS[post.platform]} is connected. Connect it in Settings, then post again.`,
  );
}

async function failPost(db: Db, postScheduleId: string, reason: string) {
  const [post] = await db
    .update(postSchedule)
    .set({ status: "failed", lastError: reason, attempts: 1, updatedAt: new Date() })
    .where(and(eq(postSchedule.id, postScheduleId), eq(postSchedule.status, "scheduled")))
    .returning();
  if (!post) return;
  await db
    .insert(notifications)
    .values({
      id: newId(),
      agentId: post.agentId,
      eventType: "post_failed",
      title: `Could not post to ${PLATFORM_LABELS[post.platform]}`,
      body: reason,
      link: `/approvals?piece=${post.contentId}`,
      dedupeKey: `post-failed:${post.id}`,
    })
    .onConflictDoNothing();
}
