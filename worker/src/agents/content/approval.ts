// The approval state machine (the backlog's UserProxyAgent): which action may move a piece from which
// status to which, and the one place that applies a transition together with its audit event.
import { contentEvents, contentPieces } from "db";
import { ALLOWED_FROM, CONTENT_ACTIONS, type ContentAction, type ContentStatus } from "db/rules";
import { and, eq, getTableColumns, is, SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "../../lib/db";
import { ServiceError } from "../../lib/errors";
import { newId } from "../../lib/ids";

export type { ContentAction, ContentStatus };
export { ALLOWED_FROM, CONTENT_ACTIONS };
export type Actor = "agent" | "system" | "marketing";

const ACTION_LABELS: Record<ContentAction, string> = {
  approve_and_post: "approve",
  reject_discard: "reject",
  request_revisions: "request revisions for",
  send_to_marketing: "send to marketing",
  record_marketing_response: "record a marketing response for",
  edit: "edit",
  retry: "try again on",
};

export const STATUS_LABELS: Record<ContentStatus, string> = {
  generating: "still being drafted",
  pending_approval: "waiting for approval",
  revision_requested: "being revised",
  sent_to_marketing: "with the marketing department",
  approved: "approved",
  scheduled: "scheduled",
  posting: "being posted",
  posted: "posted",
  post_failed: "not posted (publishing failed)",
  unconfirmed: "posted unconfirmed",
  rejected: "rejected",
  failed: "failed",
  superseded: "replaced by a newer version",
};

export function assertAllowed(action: ContentAction, status: ContentStatus): void {
  if (!ALLOWED_FROM[action].includes(status)) {
    throw new ServiceError(
      "CONFLICT",
      `You can't ${ACTION_LABELS[action]} a draft that is ${STATUS_LABELS[status]}.`,
    );
  }
}

type TransitionInput = {
  pieceId: string;
  agentId: string;
  from: ContentStatus;
  to: ContentStatus;
  action: string;
  actor: Actor;
  note?: string | null;
  set?: Partial<typeof contentPieces.$inferInsert>;
};

/** Statements that run in a transition's batch, only if the transition applied (see `transition`). */
export type FollowUps = (applied: SQL) => BatchItem<"sqlite">[];

/**
 * Moves a piece from exactly `from` to `to` and writes its content event, in one batch (a transaction).
 * The event is inserted only if the update matched (`changes() = 1`), and `then`'s statements are
 * guarded by that event's existence, so a piece that changed meanwhile gets none of them and the caller
 * hears CONFLICT.
 */
export async function transition(db: Db, input: TransitionInput, then?: FollowUps): Promise<void> {
  const now = Date.now();
  const eventId = newId();
  const applied = sql`exists (select 1 from ${contentEvents} where ${contentEvents.id} = ${eventId})`;
  const [updated] = await db.batch([
    db
      .update(contentPieces)
      .set({ ...input.set, status: input.to, updatedAt: new Date(now) })
      .where(
        and(
          eq(contentPieces.id, input.pieceId),
          eq(contentPieces.agentId, input.agentId),
          eq(contentPieces.status, input.from),
        ),
      )
      .returning({ id: contentPieces.id }),
    // Columns in the table's order: id, content_id, agent_id, actor, action, from, to, note, created_at.
    db.insert(contentEvents).select(sql`
      select ${eventId}, ${input.pieceId}, ${input.agentId}, ${input.actor}, ${input.action}, ${input.from},
             ${input.to}, ${input.note ?? null}, ${now}
      where changes() = 1`),
    ...(then?.(applied) ?? []),
  ]);
  if (updated.length === 0) {
    throw new ServiceError("CONFLICT", "This draft changed in the meantime. Reload it and try again.");
  }
}

/**
 * `insert ... select <values> where <condition>`: a row written only if the condition holds. Drizzle's
 * insert-select names every column in the table's order, so columns left out get their default here.
 */
export function insertWhere<T extends SQLiteTable>(db: Db, table: T, row: T["$inferInsert"], condition: SQL) {
  const values = Object.entries(getTableColumns(table)).map(([key, column]) => {
    const value = (row as Record<string, unknown>)[key];
    if (value !== undefined) return sql.param(value, column);
    if (column.defaultFn) return sql.param(column.defaultFn(), column);
    if (is(column.default, SQL)) return column.default;
    return sql.param(column.default ?? null, column);
  });
  return db.insert(table).select(sql`select ${sql.join(values, sql`, `)} where ${condition}`);
}
