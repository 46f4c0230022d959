// The one way to notify an agent: the history row first (idempotent by its dedupe key), then a queue
// message per row actually written, so the notification agent fans it out by the agent's preferences.
import {
  CRITICAL_NOTIFICATION_EVENTS,
  type NotificationEmailStatus,
  type NotificationEvent,
  notificationPreferences,
  notifications,
} from "db";
import { and, count, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { createDb, type Db } from "../lib/db";
import { newId } from "../lib/ids";
import { readBatch, readTemplate, templatesByShape } from "../lib/read-template";
import type { NotificationMessage } from "../queues/messages";
import type { NotificationListInput } from "../schemas/notifications";

export type NotifyInput = {
  agentId: string;
  event: NotificationEvent;
  title: string;
  body: string;
  link: string | null;
  /** Same key, one notification: a redelivered message or a rerun notifies once. */
  dedupeKey: string;
  /**
   * Same key, one notification that is brought up to date: the row takes the new title, body and link,
   * becomes unread and moves to the top (a burst of drafts is one "12 drafts are ready for 4 homes").
   * Email stays once per row. Without it, a second call with the key changes nothing.
   */
  coalesce?: boolean;
};

// D1 caps bound parameters per statement (100); drizzle binds every column of a row (12).
const ROWS_PER_INSERT = 8;

/**
 * Writes the history rows and queues the delivery of those that are new. Returns the ids written. A failed
 * queue send is logged, not thrown: the caller's work is done and the row is the history.
 */
export async function notify(env: Env, input: NotifyInput | readonly NotifyInput[]): Promise<string[]> {
  const inputs = Array.isArray(input) ? (input as readonly NotifyInput[]) : [input as NotifyInput];
  if (inputs.length === 0) return [];
  const db = createDb(env.DB);
  const inApp = await inAppChoices(db, inputs);
  const ids: string[] = [];
  // Plain and coalescing inputs are written by separate statements (they differ on conflict).
  for (const group of [inputs.filter((n) => !n.coalesce), inputs.filter((n) => n.coalesce)]) {
    for (let i = 0; i < group.length; i += ROWS_PER_INSERT) {
      const chunk = group.slice(i, i + ROWS_PER_INSERT);
      const rows = chunk.map((n) => ({
        id: newId(),
        agentId: n.agentId,
        eventType: n.event,
        title: n.title,
        body: n.body,
        link: n.link,
        dedupeKey: n.dedupeKey,
        inApp: inApp(n.agentId, n.event),
        createdAt: new Date(),
      }));
      const insert = db.insert(notifications).values(rows);
      const written = await (chunk[0]?.coalesce
        ? insert.onConflictDoUpdate({
            target: notifications.dedupeKey,
            set: {
              title: sql`excluded.title`,
              body: sql`excluded.body`,
              link: sql`excluded.link`,
              readAt: null,
              createdAt: sql`excluded.created_at`,
            },
          })
        : insert.onConflictDoNothing({ target: notifications.dedupeKey })
      ).returning({ id: notifications.id });
      ids.push(...written.map((row) => row.id));
    }
  }
  if (ids.length === 0) return ids;
  try {
    // sendBatch takes at most 100 messages.
    for (let i = 0; i < ids.length; i += 100) {
      await env.NOTIFICATION_QUEUE.sendBatch(
        ids.slice(i, i + 100).map((notificationId) => ({
          body: { type: "deliver", notificationId } satisfies NotificationMessage,
        })),
      );
    }
  } catch (error) {
    console.error("notify: delivery not queued; the history keeps the notification", ids.length, error);
  }
  return ids;
}

/**
 * Whether each (agent, event) is shown in-app, decided when the row is written so the bell's count never
 * includes what the agent switched off (critical events are always shown). One query per 50 agents.
 */
async function inAppChoices(db: Db, inputs: readonly NotifyInput[]) {
  const agentIds = [...new Set(inputs.map((n) => n.agentId))];
  const events = [...new Set(inputs.map((n) => n.event))];
  const saved: { agentId: string; event: NotificationEvent; inApp: boolean }[] = [];
  // D1 binds at most 100 parameters: 50 agents and the (at most 15) events per query.
  for (let i = 0; i < agentIds.length; i += 50) {
    saved.push(
      ...(await db
        .select({
          agentId: notificationPreferences.agentId,
          event: notificationPreferences.eventType,
          inApp: notificationPreferences.inApp,
        })
        .from(notificationPreferences)
        .where(
          and(
            inArray(notificationPreferences.agentId, agentIds.slice(i, i + 50)),
            inArray(notificationPreferences.eventType, events),
          ),
        )),
    );
  }
  const off = new Set(saved.filter((row) => !row.inApp).map((row) => `${row.agentId} ${row.event}`));
  return (agentId: string, event: NotificationEvent) =>
    (CRITICAL_NOTIFICATION_EVENTS as readonly string[]).includes(event) || !off.has(`${agentId} ${event}`);
}

/** The bell's count (the (agent_id, read_at) index), built once (lib/read-template.ts). */
const unreadCountTemplate = readTemplate({ n: count() }, (db, p) =>
  db
    .select({ n: count() })
    .from(notifications)
    .where(
      and(
        eq(notifications.agentId, p("agentId")),
        isNull(notifications.readAt),
        eq(notifications.inApp, true),
      ),
    ),
);

/** Unread in-app notifications of one agent: the bell's count. */
export async function unreadCount(db: Db, agentId: string): Promise<number> {
  const [row] = await unreadCountTemplate.all(db, { agentId });
  return row?.n ?? 0;
}

/** Tells the agent's open tabs the new unread count; a hub that cannot be reached is only logged. */
export async function pushUnread(env: Env, agentId: string, count?: number): Promise<void> {
  try {
    const n = count ?? (await unreadCount(createDb(env.DB), agentId));
    await env.NOTIFICATION_HUB.getByName(agentId).unread(n);
  } catch (error) {
    console.error("notify: unread count not pushed", error);
  }
}

/** A page of the agent's history, newest first, with the unread count for the bell. */
type NotificationListShape = { unreadOnly: boolean; inApp: boolean; event: boolean; cursor: boolean };

const notificationViewColumns = {
  id: notifications.id,
  eventType: notifications.eventType,
  title: notifications.title,
  body: notifications.body,
  link: notifications.link,
  readAt: notifications.readAt,
  inApp: notifications.inApp,
  emailStatus: notifications.emailStatus,
  createdAt: notifications.createdAt,
};

/** One page of the history for one combination of filters: built once (lib/read-template.ts). */
function buildNotificationListTemplate(shape: NotificationListShape) {
  return readTemplate(notificationViewColumns, (db, p) => {
    const conditions = [eq(notifications.agentId, p("agentId"))];
    if (shape.unreadOnly) conditions.push(isNull(notifications.readAt));
    if (shape.inApp) conditions.push(eq(notifications.inApp, true));
    if (shape.event) conditions.push(eq(notifications.eventType, p("event")));
    if (shape.cursor) {
      const before = or(
        lt(notifications.createdAt, p("cursorAt")),
        and(eq(notifications.createdAt, p("cursorAt")), lt(notifications.id, p("cursorId"))),
      );
      if (before) conditions.push(before);
    }
    return db
      .select(notificationViewColumns)
      .from(notifications)
      .where(and(...conditions))
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(p("limit"));
  });
}

const notificationListTemplate = templatesByShape(buildNotificationListTemplate);

export async function listNotifications(db: Db, agentId: string, input: NotificationListInput) {
  const shape: NotificationListShape = {
    unreadOnly: Boolean(input.unreadOnly),
    inApp: Boolean(input.inApp),
    event: input.event !== undefined,
    cursor: input.cursor !== undefined,
  };
  const template = notificationListTemplate(shape);
  const [cursorAt, cursorId] = input.cursor ? decodeCursor(input.cursor) : [];
  // The page and the count in one round trip to D1.
  const [rows, [unread]] = await readBatch(db, [
    template.read(db, { agentId, event: input.event, cursorAt, cursorId, limit: input.limit + 1 }),
    unreadCountTemplate.read(db, { agentId }),
  ]);
  const shown = rows.slice(0, input.limit);
  const last = shown.at(-1);
  return {
    items: shown.map(notificationView),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.createdAt.getTime(), last.id]) : null,
    unreadCount: unread?.n ?? 0,
  };
}

/** Marks the agent's own notifications read; ids of another agent's match nothing. */
export async function markRead(db: Db, agentId: string, ids: readonly string[] | "all") {
  const mine = and(eq(notifications.agentId, agentId), isNull(notifications.readAt));
  const updated = await db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(ids === "all" ? mine : and(mine, inArray(notifications.id, [...ids])))
    .returning({ id: notifications.id });
  return { marked: updated.length, unreadCount: await unreadCount(db, agentId) };
}

export type NotificationView = {
  id: string;
  event: NotificationEvent;
  title: string;
  body: string;
  link: string | null;
  readAt: number | null;
  createdAt: number;
  /** False when the agent had switched this event off in-app: history only (and email). */
  inApp: boolean;
  emailStatus: NotificationEmailStatus;
};

export function notificationView(
  row: Pick<typeof notifications.$inferSelect, keyof typeof notificationViewColumns>,
): NotificationView {
  return {
    id: row.id,
    event: row.eventType,
    title: row.title,
    body: row.body,
    link: row.link,
    readAt: row.readAt ? row.readAt.getTime() : null,
    inApp: row.inApp,
    createdAt: row.createdAt.getTime(),
    emailStatus: row.emailStatus,
  };
}
