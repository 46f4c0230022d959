// The content sweeper, run by the cron: finds work stuck past a deadline and either sends it again or
// fails it visibly with a reason. Every step is conditional on the state it found, so running it twice,
// or at the same time as a consumer, changes nothing more.
import { type ContentPiece, contentPieces, contentRequests, postSchedule } from "db";
import { and, asc, eq, inArray, isNotNull, isNull, lte, notExists, or } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { transition } from "../agents/content/approval";
import { failPiece, STOPPED_REASONS } from "../agents/content/store";
import { createDb, type Db } from "../lib/db";
import { ServiceError } from "../lib/errors";
import type { ContentGenerationMessage } from "../queues/messages";
import { dispatchPost, sendContentRequest } from "./outbox";

export const SWEEP_DEADLINES = {
  /** An outbox row not marked dispatched this long after it was due: its send failed. */
  dispatchGraceMs: 60_000,
  /** A piece still drafting this long after its last activity is stopped. */
  generatingMs: 15 * 60_000,
  keepSentRequestsMs: 7 * 24 * 3600_000,
} as const;
const BATCH = 100;

export type SweepReport = {
  requestsResent: number;
  postsDispatched: number;
  draftsStopped: number;
  revisionsSettled: number;
  revisionsFailed: number;
  requestsPruned: number;
};

export async function sweepContent(env: Env, now = Date.now()): Promise<SweepReport> {
  const db = createDb(env.DB);
  return {
    requestsResent: await resendContentRequests(db, env, now),
    postsDispatched: await dispatchDuePosts(db, env, now),
    draftsStopped: await stopStuckDrafts(db, env, now),
    ...(await settleRevisions(db, now)),
    requestsPruned: await pruneContentRequests(db, now),
  };
}

/** Sent requests are kept a week, to look into a delivery, then deleted. */
async function pruneContentRequests(db: Db, now: number) {
  const pruned = await db
    .delete(contentRequests)
    .where(
      and(
        isNotNull(contentRequests.dispatchedAt),
        lte(contentRequests.dispatchedAt, new Date(now - SWEEP_DEADLINES.keepSentRequestsMs)),
      ),
    )
    .returning({ id: contentRequests.id });
  return pruned.length;
}

async function resendContentRequests(db: Db, env: Env, now: number) {
  const pending = await db
    .select({ id: contentRequests.id, message: contentRequests.message })
    .from(contentRequests)
    .where(
      and(
        isNull(contentRequests.dispatchedAt),
        lte(contentRequests.createdAt, new Date(now - SWEEP_DEADLINES.dispatchGraceMs)),
      ),
    )
    .limit(BATCH);
  let sent = 0;
  for (const request of pending) {
    const message = request.message as unknown as ContentGenerationMessage;
    if (await sendContentRequest(db, env.CONTENT_QUEUE, { id: request.id, message })) sent++;
  }
  return sent;
}

/**
 * Posts whose step is past due and that nothing is working on: scheduled ones neither the send after
 * approval nor the scheduler's alarm handed over, and publishing ones whose step's lease ran out (the
 * worker died, or its next-step alarm was lost). The consumer claims each step, so a post sent twice
 * runs once.
 */
async function dispatchDuePosts(db: Db, env: Env, now: number) {
  const dueBy = new Date(now - SWEEP_DEADLINES.dispatchGraceMs);
  const due = await db
    .select({ id: postSchedule.id })
    .from(postSchedule)
    .where(
      or(
        and(
          eq(postSchedule.status, "scheduled"),
          isNull(postSchedule.dispatchedAt),
          lte(postSchedule.nextStepAt, dueBy),
        ),
        and(
          eq(postSchedule.status, "publishing"),
          lte(postSchedule.nextStepAt, dueBy),
          or(isNull(postSchedule.leaseUntil), lte(postSchedule.leaseUntil, new Date(now))),
        ),
      ),
    )
    .limit(BATCH);
  let sent = 0;
  for (const post of due) if (await dispatchPost(db, env.POSTING_QUEUE, post.id)) sent++;
  return sent;
}

async function stopStuckDrafts(db: Db, env: Env, now: number) {
  const stuck = await db
    .select()
    .from(contentPieces)
    .where(
      and(
        eq(contentPieces.status, "generating"),
        lte(contentPieces.updatedAt, new Date(now - SWEEP_DEADLINES.generatingMs)),
      ),
    )
    .limit(BATCH);
  let stopped = 0;
  for (const piece of stuck) {
    const last = [piece.error, piece.errorDetail].filter(Boolean).join(" — ");
    const detail = `No draft ${Math.round((now - piece.updatedAt.getTime()) / 60_000)} minutes after the last activity.${
      last ? ` Last error: ${last}` : ""
    }`;
    if (await unlessChanged(failPiece(env, db, piece, { reason: STOPPED_REASONS.tooLong, detail })))
      stopped++;
  }
  return stopped;
}

/**
 * A piece waiting for a revision whose new version has finished (well or badly) is superseded; one with no
 * new version at all past the deadline fails, so Chris can try again from it.
 */
async function settleRevisions(db: Db, now: number) {
  const child = alias(contentPieces, "child");
  const waiting = await db
    .select()
    .from(contentPieces)
    .where(
      and(
        eq(contentPieces.status, "revision_requested"),
        notExists(
          db
            .select({ id: child.id })
            .from(child)
            .where(and(eq(child.parentId, contentPieces.id), eq(child.status, "generating"))),
        ),
      ),
    )
    .orderBy(asc(contentPieces.updatedAt))
    .limit(BATCH);
  if (waiting.length === 0) return { revisionsSettled: 0, revisionsFailed: 0 };
  const children = await db
    .select({
      parentId: contentPieces.parentId,
      status: contentPieces.status,
      version: contentPieces.version,
    })
    .from(contentPieces)
    .where(
      inArray(
        contentPieces.parentId,
        waiting.map((piece) => piece.id),
      ),
    );
  let revisionsSettled = 0;
  let revisionsFailed = 0;
  for (const piece of waiting) {
    const mine = children.filter((row) => row.parentId === piece.id);
    if (mine.some((row) => row.status === "generating")) continue;
    const newest = mine.sort((a, b) => b.version - a.version)[0];
    if (newest) {
      const settled = transitionOf(piece, "superseded", `Replaced by version ${newest.version}`);
      if (await unlessChanged(transition(db, settled))) revisionsSettled++;
    } else if (piece.updatedAt.getTime() <= now - SWEEP_DEADLINES.generatingMs) {
      const failed = transitionOf(piece, "failed", STOPPED_REASONS.lostRevision, {
        error: STOPPED_REASONS.lostRevision,
        errorDetail: "The revision request was recorded but no new version was created.",
      });
      if (await unlessChanged(transition(db, failed))) revisionsFailed++;
    }
  }
  return { revisionsSettled, revisionsFailed };
}

function transitionOf(
  piece: ContentPiece,
  to: "superseded" | "failed",
  note: string,
  set?: Partial<typeof contentPieces.$inferInsert>,
) {
  return {
    pieceId: piece.id,
    agentId: piece.agentId,
    from: "revision_requested" as const,
    to,
    action: to === "failed" ? "revision_lost" : "superseded",
    actor: "system" as const,
    note,
    ...(set && { set }),
  };
}

/** True if the step applied; false if the piece changed meanwhile (someone else settled it). */
async function unlessChanged(step: Promise<unknown>): Promise<boolean> {
  try {
    await step;
    return true;
  } catch (error) {
    if (error instanceof ServiceError && error.code === "CONFLICT") return false;
    throw error;
  }
}
