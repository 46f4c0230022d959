// The notification agent: each message names one history row written by notify(). It is pushed to the
// agent's open tabs and emailed, each as the agent's preferences say: now, into the daily digest, or held
// until quiet hours end (scheduler.ts sends those). Redelivery is harmless: email already decided for is
// not decided again, sending is keyed by the notification; a second push only repeats a live update.
import { type NotificationEmailStatus, notifications } from "db";
import { and, eq, inArray } from "drizzle-orm";
import { createDb, type Db } from "../../lib/db";
import { EmailError } from "../../lib/email";
import type { NotificationMessage } from "../../queues/messages";
import { notificationView, unreadCount } from "../../services/notify";
import { emailNotification } from "./email";
import { channelsFor, DIGEST_EVENTS, quietHoursEndAt } from "./preferences";
import { rescheduleNotifications } from "./scheduler";

// Email already decided for (waiting or sent) is never decided again on redelivery.
const UNDECIDED: NotificationEmailStatus[] = ["none", "pending", "failed"];

async function deliver(env: Env, db: Db, notificationId: string): Promise<void> {
  const [row] = await db.select().from(notifications).where(eq(notifications.id, notificationId)).limit(1);
  if (!row) return; // The agent was deleted; nothing to deliver.
  const policy = await channelsFor(db, row.agentId, row.eventType);

  // notify() decided in-app when it wrote the row (so the bell's count agrees with what was pushed).
  if (row.inApp) {
    const count = await unreadCount(db, row.agentId);
    try {
      await env.NOTIFICATION_HUB.getByName(row.agentId).push({
        type: "notification",
        notification: notificationView(row),
        unreadCount: count,
      });
    } catch (error) {
      // A live update is best effort: the history and the count on the next connect have it.
      console.error("notifications: push failed", notificationId, error);
    }
  }

  if (!policy.email || !UNDECIDED.includes(row.emailStatus)) return;
  const undecided = and(eq(notifications.id, row.id), inArray(notifications.emailStatus, UNDECIDED));

  // Low-priority events wait for the agent's daily digest; anything else waits out quiet hours.
  if (policy.digestTime && DIGEST_EVENTS.includes(row.eventType)) {
    await db.update(notifications).set({ emailStatus: "digest" }).where(undecided);
    await rescheduleNotifications(env, row.agentId);
    return;
  }
  const quietEnd = quietHoursEndAt(Date.now(), policy.timezone, policy.quietHours);
  if (quietEnd !== null) {
    await db
      .update(notifications)
      .set({ emailStatus: "held", emailDueAt: new Date(quietEnd) })
      .where(undecided);
    await rescheduleNotifications(env, row.agentId);
    return;
  }

  const claimed = await db
    .update(notifications)
    .set({ emailStatus: "pending" })
    .where(undecided)
    .returning({ id: notifications.id });
  if (claimed.length === 0) return; // A concurrent delivery of the same message decided first.
  try {
    if (!(await emailNotification(env, db, row))) return;
  } catch (error) {
    // A retryable failure stays pending and is retried; a refusal is final.
    if (error instanceof EmailError && error.retryable) throw error;
    await db.update(notifications).set({ emailStatus: "failed" }).where(eq(notifications.id, row.id));
    console.error("notifications: email refused", notificationId, error);
    return;
  }
  await db.update(notifications).set({ emailStatus: "sent" }).where(eq(notifications.id, row.id));
}

export async function consumeNotificationBatch(
  batch: MessageBatch<NotificationMessage>,
  env: Env,
): Promise<void> {
  const db = createDb(env.DB);
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        await deliver(env, db, message.body.notificationId);
        message.ack();
      } catch (error) {
        console.error("notifications: delivery failed, retried", message.body.notificationId, error);
        message.retry({ delaySeconds: Math.min(300, 10 * 2 ** message.attempts) });
      }
    }),
  );
}

/** Kept failing: the email is recorded as failed (the in-app history is there already). */
export async function consumeNotificationDeadLetters(
  batch: MessageBatch<NotificationMessage>,
  env: Env,
): Promise<void> {
  const db = createDb(env.DB);
  for (const message of batch.messages) {
    await db
      .update(notifications)
      .set({ emailStatus: "failed" })
      .where(
        and(eq(notifications.id, message.body.notificationId), eq(notifications.emailStatus, "pending")),
      );
    message.ack();
  }
}
