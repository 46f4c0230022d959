// The agent's posts as the calendar sees them, and the changes Chris makes to one: reschedule, cancel,
// retry. D1 holds the truth about times (next_step_at); every change is a conditional update, so a post
// the publishing engine has started meanwhile is left alone and Chris hears CONFLICT.
import { contentEvents, contentPieces, listings, postSchedule, socialAccounts } from "db";
import type { ContentStatus, PostStatus } from "db/rules";
import { and, asc, eq, gte, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import { wakeScheduler } from "../agents/social/wake";
import type { Db } from "../lib/db";
import { ServiceError } from "../lib/errors";
import { newId } from "../lib/ids";
import {
  type ListPostsInput,
  MAX_LIST_RANGE_MS,
  MAX_SCHEDULE_AHEAD_MS,
  type ReschedulePostInput,
} from "../schemas/posts";
import { activeAccount } from "./social-accounts";

export type PostsDeps = { db: Db; env: Env; agentId: string };

const PLATFORM_LABELS = { facebook: "Facebook Page", instagram: "Instagram account" } as const;
const EXCERPT_CHARS = 160;

const postColumns = {
  id: postSchedule.id,
  contentId: postSchedule.contentId,
  platform: postSchedule.platform,
  status: postSchedule.status,
  phase: postSchedule.phase,
  scheduledAt: postSchedule.scheduledAt,
  postedAt: postSchedule.postedAt,
  permalink: postSchedule.permalink,
  lastError: postSchedule.lastError,
  failureKind: postSchedule.failureKind,
  warnings: postSchedule.warnings,
  attempts: postSchedule.attempts,
  updatedAt: postSchedule.updatedAt,
  kind: contentPieces.kind,
  body: contentPieces.body,
  pieceStatus: contentPieces.status,
  listing: { id: listings.id, addressLine: listings.addressLine, city: listings.city },
  accountName: socialAccounts.displayName,
  accountUsername: socialAccounts.username,
};

function postsQuery(db: Db) {
  return (
    db
      .select(postColumns)
      .from(postSchedule)
      .innerJoin(contentPieces, eq(contentPieces.id, postSchedule.contentId))
      .innerJoin(listings, eq(listings.id, contentPieces.listingId))
      // The account the post went (or goes) to; for one not yet assigned, the agent's account on that
      // platform that is not disconnected.
      .leftJoin(
        socialAccounts,
        or(
          eq(socialAccounts.id, postSchedule.socialAccountId),
          and(
            isNull(postSchedule.socialAccountId),
            eq(socialAccounts.agentId, postSchedule.agentId),
            eq(socialAccounts.platform, postSchedule.platform),
            inArray(socialAccounts.status, ["connected", "needs_reconnect"]),
          ),
        ),
      )
  );
}

type PostRow = Awaited<ReturnType<ReturnType<typeof postsQuery>["where"]>>[number];

function toItem(row: PostRow) {
  const { body, accountName, accountUsername, updatedAt, ...post } = row;
  return {
    ...post,
    scheduledAt: post.scheduledAt.getTime(),
    postedAt: post.postedAt?.getTime() ?? null,
    updatedAt: updatedAt.getTime(),
    excerpt: [...body].slice(0, EXCERPT_CHARS).join(""),
    account: accountName ? { displayName: accountName, username: accountUsername } : null,
  };
}

export type PostItem = ReturnType<typeof toItem>;

/** The agent's posts due (or posted) in [from, to), oldest first. */
export async function listPosts(db: Db, agentId: string, input: ListPostsInput) {
  if (input.to <= input.from) {
    throw new ServiceError("BAD_REQUEST", "The range must end after it starts", { field: "to" });
  }
  if (input.to - input.from > MAX_LIST_RANGE_MS) {
    throw new ServiceError("BAD_REQUEST", "Ask for at most 62 days at a time", { field: "to" });
  }
  const rows = await postsQuery(db)
    .where(
      and(
        eq(postSchedule.agentId, agentId),
        gte(postSchedule.scheduledAt, new Date(input.from)),
        lt(postSchedule.scheduledAt, new Date(input.to)),
        input.status ? eq(postSchedule.status, input.status) : undefined,
      ),
    )
    .orderBy(asc(postSchedule.scheduledAt), asc(postSchedule.id))
    .limit(1000);
  // Two accounts could match a post without one (a reconnect left two rows): keep the first.
  const seen = new Set<string>();
  return {
    items: rows.filter((row) => !seen.has(row.id) && seen.add(row.id)).map(toItem),
  };
}

async function ownedPost(db: Db, agentId: string, id: string) {
  const [row] = await postsQuery(db)
    .where(and(eq(postSchedule.id, id), eq(postSchedule.agentId, agentId)))
    .limit(1);
  if (!row) throw new ServiceError("NOT_FOUND", "Post not found");
  return row;
}

export async function getPost(db: Db, agentId: string, id: string) {
  const row = await ownedPost(db, agentId, id);
  return { ...toItem(row), body: row.body };
}

/** A post the engine has not touched: scheduled, nothing sent, no worker holding it. */
function untouched(now: number): SQL {
  return and(
    eq(postSchedule.status, "scheduled"),
    eq(postSchedule.phase, "new"),
    or(isNull(postSchedule.leaseUntil), lt(postSchedule.leaseUntil, new Date(now))),
  ) as SQL;
}

/** `exists` the post with this status and this exact updated_at: the batch's own update applied. */
function updatedBy(postId: string, status: PostStatus, at: number): SQL {
  return sql`exists (select 1 from ${postSchedule} where ${postSchedule.id} = ${postId}
    and ${postSchedule.status} = ${status} and ${postSchedule.updatedAt} = ${at})`;
}

/** The piece's history event, written only if `condition` holds (the post's update applied). */
function eventWhere(
  db: Db,
  input: { pieceId: string; agentId: string; action: string; from: string; to: string; note: string },
  condition: SQL,
) {
  // Columns in the table's order: id, content_id, agent_id, actor, action, from, to, note, created_at.
  return db.insert(contentEvents).select(sql`
    select ${newId()}, ${input.pieceId}, ${input.agentId}, 'agent', ${input.action}, ${input.from},
           ${input.to}, ${input.note}, ${Date.now()}
    where ${condition}`);
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/:\d\d\.\d{3}Z$/, "Z");

function assertSchedulable(at: number, now: number) {
  if (at <= now || at > now + MAX_SCHEDULE_AHEAD_MS) {
    throw new ServiceError("BAD_REQUEST", "Choose a time in the future, within a year", {
      field: "scheduledAt",
    });
  }
}

const notStarted = () =>
  new ServiceError("CONFLICT", "This post has already started publishing or is no longer scheduled.");

/** Moves a scheduled post that has not started; the old time's alarm finds next_step_at moved and stops. */
export async function reschedulePost({ db, env, agentId }: PostsDeps, input: ReschedulePostInput) {
  const now = Date.now();
  const post = await ownedPost(db, agentId, input.id);
  assertSchedulable(input.scheduledAt, now);
  if (post.status !== "scheduled" || post.phase !== "new") throw notStarted();
  const [updated] = await db.batch([
    db
      .update(postSchedule)
      .set({
        scheduledAt: new Date(input.scheduledAt),
        nextStepAt: new Date(input.scheduledAt),
        // Sent again when due, and checked again before then.
        dispatchedAt: null,
        preflightAt: null,
        updatedAt: new Date(now),
      })
      .where(and(eq(postSchedule.id, post.id), eq(postSchedule.agentId, agentId), untouched(now)))
      .returning({ id: postSchedule.id }),
    eventWhere(
      db,
      {
        pieceId: post.contentId,
        agentId,
        action: "post_rescheduled",
        from: post.pieceStatus as string,
        to: post.pieceStatus as string,
        note: `Rescheduled from ${iso(post.scheduledAt.getTime())} to ${iso(input.scheduledAt)}`,
      },
      sql`changes() = 1`,
    ),
  ]);
  if (updated.length === 0) throw notStarted();
  await wakeScheduler(env, agentId, input.scheduledAt);
  return { id: post.id, status: "scheduled" as const, scheduledAt: input.scheduledAt };
}

/** Cancels a scheduled post that has not started; its piece waits for approval again. */
export async function cancelPost({ db, agentId }: PostsDeps, id: string) {
  const now = Date.now();
  const post = await ownedPost(db, agentId, id);
  if (post.status !== "scheduled" || post.phase !== "new") throw notStarted();
  const applied = updatedBy(post.id, "cancelled", now);
  const pieceFrom: ContentStatus[] = ["scheduled", "approved"];
  const [updated] = await db.batch([
    db
      .update(postSchedule)
      .set({ status: "cancelled", phase: "done", nextStepAt: null, updatedAt: new Date(now) })
      .where(and(eq(postSchedule.id, post.id), eq(postSchedule.agentId, agentId), untouched(now)))
      .returning({ id: postSchedule.id }),
    db
      .update(contentPieces)
      .set({ status: "pending_approval", updatedAt: new Date(now) })
      .where(
        and(
          eq(contentPieces.id, post.contentId),
          eq(contentPieces.agentId, agentId),
          inArray(contentPieces.status, pieceFrom),
          applied,
        ),
      ),
    eventWhere(
      db,
      {
        pieceId: post.contentId,
        agentId,
        action: "post_cancelled",
        from: post.pieceStatus as string,
        to: "pending_approval",
        note: `Scheduled post for ${iso(post.scheduledAt.getTime())} cancelled; waiting for approval again`,
      },
      applied,
    ),
  ]);
  if (updated.length === 0) throw notStarted();
  return { id: post.id, status: "cancelled" as const, pieceId: post.contentId };
}

/**
 * Tries a failed or unconfirmed post again. An unconfirmed one keeps its phase (`attempted`), so the
 * engine reads back what Graph has before it sends anything: it is never posted twice blindly.
 */
export async function retryPost({ db, env, agentId }: PostsDeps, id: string) {
  const now = Date.now();
  const post = await ownedPost(db, agentId, id);
  if (post.status !== "failed" && post.status !== "unconfirmed") {
    throw new ServiceError("CONFLICT", "Only a failed or unconfirmed post can be tried again.");
  }
  const account = await activeAccount(db, agentId, post.platform);
  if (account?.status !== "connected") {
    throw new ServiceError(
      "CONFLICT",
      `Connect your ${PLATFORM_LABELS[post.platform]} in Settings first, then try again.`,
    );
  }
  const applied = updatedBy(post.id, "scheduled", now);
  const [updated] = await db.batch([
    db
      .update(postSchedule)
      .set({
        status: "scheduled",
        phase: sql`case when ${postSchedule.status} = 'unconfirmed' or ${postSchedule.phase} = 'attempted'
          then 'attempted' else 'new' end`,
        nextStepAt: new Date(now),
        leaseUntil: null,
        dispatchedAt: null,
        failureKind: null,
        lastError: null,
        updatedAt: new Date(now),
      })
      .where(
        and(
          eq(postSchedule.id, post.id),
          eq(postSchedule.agentId, agentId),
          inArray(postSchedule.status, ["failed", "unconfirmed"]),
        ),
      )
      .returning({ id: postSchedule.id }),
    db
      .update(contentPieces)
      .set({ status: "approved", updatedAt: new Date(now) })
      .where(
        and(
          eq(contentPieces.id, post.contentId),
          eq(contentPieces.agentId, agentId),
          inArray(contentPieces.status, ["post_failed", "unconfirmed"]),
          applied,
        ),
      ),
    eventWhere(
      db,
      {
        pieceId: post.contentId,
        agentId,
        action: "post_retried",
        from: post.pieceStatus as string,
        to: "approved",
        note:
          post.status === "unconfirmed" ? "Checking the post, then trying again" : "Trying the post again",
      },
      applied,
    ),
  ]);
  if (updated.length === 0) {
    throw new ServiceError("CONFLICT", "This post changed in the meantime. Reload it and try again.");
  }
  await wakeScheduler(env, agentId, now);
  return { id: post.id, status: "scheduled" as const };
}
