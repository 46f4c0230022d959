// The notification agent: each message names one history row written by notify(). It is pushed to the
// agent's open tabs and emailed, each as the agent's preferences say. Redelivery is harmless: the email
// is keyed by the notification and skipped once sent; a second push only repeats a live update.
import { type NotificationEvent, notificationPreferences, notifications } from "db";
import { and, eq, ne } from "drizzle-orm";
import { createDb, type Db } from "../../lib/db";
import { EmailError } from "../../lib/email";
import type { NotificationMessage } from "../../queues/messages";
import { notificationView, unreadCount } from "../../services/notify";
import { emailNotification } from "./email";

/** Always shown in-app: the agent must see that a post failed or an account needs reconnecting. */
export const CRITICAL_EVENTS: readonly NotificationEvent[] = [
  "post_failed",
  "post_unconfirmed",
  "account_needs_reconnect",
];

/** Emailed unless the agent switches them off; the rest only when switched on. */
export const EMAIL_BY_DEFAULT: readonly NotificationEvent[] = [
  "post_failed",
  "post_unconfirmed",
  "account_needs_reconnect",
  "content_approved",
  "post_succeeded",
  "marketing_response",
];

export type Channels = { inApp: boolean; email: boolean };

/** The channels for one event: the agent's saved choice over the defaults; critical in-app is forced. */
export async function channelsFor(db: Db, agentId: string, event: NotificationEvent): Promise<Channels> {
  const [saved] = await db
    .select({ inApp: notificationPreferences.inApp, email: notificationPreferences.email })
    .from(notificationPreferences)
    .where(and(eq(notificationPreferences.agentId, agentId), eq(notificationPreferences.eventType, event)))
    .limit(1);
  return {
    inApp: CRITICAL_EVENTS.includes(event) || (saved?.inApp ?? true),
    email: saved?.email ?? EMAIL_BY_DEFAULT.includes(event),
  };
}

async function deliver(env: Env, db: Db, notificationId: string): Promise<void> {
  const [row] = await db.select().from(notifications).where(eq(notifications.id, notificationId)).limit(1);
  if (!row) return; // The agent was deleted; nothing to deliver.
  const channels = await channelsFor(db, row.agentId, row.eventType);

  if (channels.inApp) {
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
  } else if (row.inApp) {
    await db.update(notifications).set({ inApp: false }).where(eq(notifications.id, row.id));
  }

  if (!channels.email || row.emailStatus === "sent") return;
  await db
    .update(notifications)
    .set({ emailStatus: "pending" })
    .where(and(eq(notifications.id, row.id), ne(notifications.emailStatus, "sent")));
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
