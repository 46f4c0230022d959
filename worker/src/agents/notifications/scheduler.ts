// Email that waits: held by quiet hours (sent when they end) and the daily digest, plus the marketing
// reminders. One alarm on the agent's NotificationHub drives all of it; every step is idempotent, since
// an alarm may run twice and a reschedule may race it.
import { agents, emailOutbox, notifications } from "db";
import { and, asc, eq, inArray, lt, lte, min, ne } from "drizzle-orm";
import { createDb, type Db } from "../../lib/db";
import { EmailError } from "../../lib/email";
import { emailDigest, emailNotification } from "./email";
import { digestMoments, emailedEvents, quietHoursEndAt } from "./preferences";
import { nextReminderAt, sendDueReminders } from "./reminders";

/** A held email the provider could not take is tried again this much later. */
export const HELD_RETRY_MS = 5 * 60_000;
/** A held email still failing this long after its notification is given up (recorded as failed). */
const HELD_GIVE_UP_MS = 3 * 24 * 3600_000;
/** Held rows sent per alarm; the rest wait for the next one, a minute later. */
const HELD_BATCH = 25;
const DIGEST_MAX_ROWS = 200;
// D1 binds at most 100 parameters per statement.
const IDS_PER_UPDATE = 90;

/** Asks the agent's hub to recompute its alarm. Best effort: logs and never throws. */
export async function rescheduleNotifications(env: Env, agentId: string): Promise<void> {
  try {
    await env.NOTIFICATION_HUB.getByName(agentId).reschedule(agentId);
  } catch (error) {
    console.error("notifications: reschedule failed", agentId, error);
  }
}

export type DueWorkSummary = { held: number; retried: number; digest: number; reminders: number };

const digestKey = (agentId: string, localDate: string) => `digest:${agentId}:${localDate}`;

/** Whether the digest of this local date went out (the outbox keeps every message by its key). */
async function digestSent(db: Db, key: string): Promise<boolean> {
  const [row] = await db
    .select({ id: emailOutbox.id })
    .from(emailOutbox)
    .where(and(eq(emailOutbox.idempotencyKey, key), ne(emailOutbox.status, "failed")))
    .limit(1);
  return row !== undefined;
}

async function setEmailStatus(db: Db, ids: readonly string[], status: "sent" | "failed" | "none") {
  for (let i = 0; i < ids.length; i += IDS_PER_UPDATE) {
    await db
      .update(notifications)
      .set({ emailStatus: status })
      .where(inArray(notifications.id, ids.slice(i, i + IDS_PER_UPDATE)));
  }
}

async function sendHeld(env: Env, db: Db, agentId: string, now: number, emailed: Set<string>) {
  const due = await db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.agentId, agentId),
        eq(notifications.emailStatus, "held"),
        lte(notifications.emailDueAt, new Date(now)),
      ),
    )
    .orderBy(asc(notifications.emailDueAt))
    .limit(HELD_BATCH);
  let sent = 0;
  let retried = 0;
  for (const row of due) {
    // Switched off (or unsubscribed) while it waited.
    if (!emailed.has(row.eventType)) {
      await setEmailStatus(db, [row.id], "none");
      continue;
    }
    let status: "sent" | "failed";
    try {
      status = (await emailNotification(env, db, row)) ? "sent" : "failed";
    } catch (error) {
      const retry =
        error instanceof EmailError && error.retryable && now - row.createdAt.getTime() < HELD_GIVE_UP_MS;
      console.error("notifications: held email not sent", row.id, retry ? "retried" : "failed", error);
      if (retry) {
        await db
          .update(notifications)
          .set({ emailDueAt: new Date(now + HELD_RETRY_MS) })
          .where(and(eq(notifications.id, row.id), eq(notifications.emailStatus, "held")));
        retried++;
        continue;
      }
      status = "failed";
    }
    await db
      .update(notifications)
      .set({ emailStatus: status })
      .where(and(eq(notifications.id, row.id), eq(notifications.emailStatus, "held")));
    if (status === "sent") sent++;
  }
  return { sent, retried };
}

/**
 * The digest of the agent's local date, once its time has passed: every row waiting for it that was
 * written before that time (later ones wait for tomorrow's), so a retry sends the same rows under the
 * same idempotency key. Returns how many rows it carried.
 */
async function sendDigest(
  env: Env,
  db: Db,
  agent: { id: string; timezone: string; digestTime: string | null },
  now: number,
  emailed: Set<string>,
): Promise<number> {
  if (!agent.digestTime) return 0;
  const moment = digestMoments(now, agent.timezone, agent.digestTime);
  if (now < moment.today) return 0;
  const key = digestKey(agent.id, moment.date);
  if (await digestSent(db, key)) return 0;
  const waiting = await db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.agentId, agent.id),
        eq(notifications.emailStatus, "digest"),
        lt(notifications.createdAt, new Date(moment.today)),
      ),
    )
    .orderBy(asc(notifications.createdAt))
    .limit(DIGEST_MAX_ROWS);
  const off = waiting.filter((row) => !emailed.has(row.eventType));
  await setEmailStatus(
    db,
    off.map((row) => row.id),
    "none",
  );
  const rows = waiting.filter((row) => emailed.has(row.eventType));
  if (rows.length === 0) return 0;
  let status: "sent" | "failed";
  try {
    status = (await emailDigest(env, db, agent.id, rows, key)) ? "sent" : "failed";
  } catch (error) {
    // Retryable: the rows stay waiting and the next alarm tries again (nextWakeAt says when).
    if (error instanceof EmailError && error.retryable) {
      console.error("notifications: digest not sent, retried", agent.id, error);
      return 0;
    }
    console.error("notifications: digest refused", agent.id, error);
    status = "failed";
  }
  await setEmailStatus(
    db,
    rows.map((row) => row.id),
    status,
  );
  return status === "sent" ? rows.length : 0;
}

/** Everything due for the agent at `now`: held email, the digest, reminders. Safe to run twice. */
export async function runDueNotificationWork(
  env: Env,
  agentId: string,
  now: number,
): Promise<DueWorkSummary> {
  const db = createDb(env.DB);
  const [agent] = await db
    .select({
      id: agents.id,
      timezone: agents.timezone,
      digestTime: agents.digestTime,
      quietHoursStart: agents.quietHoursStart,
      quietHoursEnd: agents.quietHoursEnd,
    })
    .from(agents)
    .where(eq(agents.id, agentId))
    .limit(1);
  if (!agent) return { held: 0, retried: 0, digest: 0, reminders: 0 };
  if (!agent.digestTime) {
    // The digest was switched off (an unsubscribe link does that) with rows still waiting for it: they
    // go on their own, after any quiet hours, if their email is still on.
    const quiet =
      agent.quietHoursStart && agent.quietHoursEnd
        ? { start: agent.quietHoursStart, end: agent.quietHoursEnd }
        : null;
    await db
      .update(notifications)
      .set({ emailStatus: "held", emailDueAt: new Date(quietHoursEndAt(now, agent.timezone, quiet) ?? now) })
      .where(and(eq(notifications.agentId, agentId), eq(notifications.emailStatus, "digest")));
  }
  const emailed = await emailedEvents(db, agentId, agent.digestTime !== null);
  const held = await sendHeld(env, db, agentId, now, emailed);
  const digest = await sendDigest(env, db, agent, now, emailed);
  const reminders = await sendDueReminders(env, db, agentId, now);
  return { held: held.sent, retried: held.retried, digest, reminders };
}

/**
 * When the agent's hub should next wake (epoch ms; may be <= now when work is due), or null when nothing
 * waits: the earliest held email, the next digest that has rows to carry, the next reminder.
 */
export async function nextWakeAt(db: Db, agentId: string, now: number): Promise<number | null> {
  const [agentRows, heldRows, digestRows] = await db.batch([
    db
      .select({ timezone: agents.timezone, digestTime: agents.digestTime })
      .from(agents)
      .where(eq(agents.id, agentId))
      .limit(1),
    db
      .select({ due: min(notifications.emailDueAt) })
      .from(notifications)
      .where(and(eq(notifications.agentId, agentId), eq(notifications.emailStatus, "held"))),
    db
      .select({ oldest: min(notifications.createdAt) })
      .from(notifications)
      .where(and(eq(notifications.agentId, agentId), eq(notifications.emailStatus, "digest"))),
  ]);
  const agent = agentRows[0];
  if (!agent) return null;
  const candidates: number[] = [];
  const held = heldRows[0]?.due;
  if (held) candidates.push(held.getTime());
  const oldest = digestRows[0]?.oldest;
  if (oldest && !agent.digestTime) candidates.push(now); // Waiting for a digest that was switched off.
  if (agent.digestTime && oldest) {
    const moment = digestMoments(now, agent.timezone, agent.digestTime);
    if (now < moment.today) candidates.push(moment.today);
    else if (oldest.getTime() < moment.today && !(await digestSent(db, digestKey(agentId, moment.date)))) {
      candidates.push(now); // Today's digest is due (or being retried).
    } else candidates.push(moment.tomorrow);
  }
  const reminder = await nextReminderAt(db, agentId);
  if (reminder !== null) candidates.push(reminder);
  return candidates.length > 0 ? Math.min(...candidates) : null;
}
