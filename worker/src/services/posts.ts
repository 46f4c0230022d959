// The agent's posts as the calendar sees them, and the changes Chris makes to one: reschedule, cancel,
// retry. This checks what Chris may do (his post, its status, its account); the publishing engine makes
// the change with a conditional update, so a post it has started meanwhile is left alone (CONFLICT).
import { contentPieces, listings, PLATFORM_LABELS, postSchedule, socialAccounts } from "db";
import { and, asc, eq, gte, inArray, isNull, lt, or } from "drizzle-orm";
import * as engine from "../agents/social/publisher";
import type { Db } from "../lib/db";
import { ServiceError } from "../lib/errors";
import { readTemplate, templatesByShape } from "../lib/read-template";
import {
  type ListPostsInput,
  MAX_LIST_RANGE_MS,
  MAX_SCHEDULE_AHEAD_MS,
  type ReschedulePostInput,
} from "../schemas/posts";
import { activeAccount } from "./social-accounts";

export type PostsDeps = { db: Db; env: Env; agentId: string };

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

// The account the post went (or goes) to; for one not yet assigned, the agent's account on that platform
// that is not disconnected.
const postAccountJoin = or(
  eq(socialAccounts.id, postSchedule.socialAccountId),
  and(
    isNull(postSchedule.socialAccountId),
    eq(socialAccounts.agentId, postSchedule.agentId),
    eq(socialAccounts.platform, postSchedule.platform),
    inArray(socialAccounts.status, ["connected", "needs_reconnect"]),
  ),
);

function postsQuery(db: Db) {
  return db
    .select(postColumns)
    .from(postSchedule)
    .innerJoin(contentPieces, eq(contentPieces.id, postSchedule.contentId))
    .innerJoin(listings, eq(listings.id, contentPieces.listingId))
    .leftJoin(socialAccounts, postAccountJoin);
}

type PostRow = Awaited<ReturnType<ReturnType<typeof postsQuery>["where"]>>[number];

// The calendar's month: flat columns for a read template (lib/read-template.ts), built once per shape.
const { listing: listingColumns, ...flatPostColumns } = postColumns;
const postListColumns = {
  ...flatPostColumns,
  listingId: listingColumns.id,
  listingAddressLine: listingColumns.addressLine,
  listingCity: listingColumns.city,
};
const postListTemplate = templatesByShape((shape: { status: boolean }) =>
  readTemplate(postListColumns, (db, p) =>
    db
      .select(postListColumns)
      .from(postSchedule)
      .innerJoin(contentPieces, eq(contentPieces.id, postSchedule.contentId))
      .innerJoin(listings, eq(listings.id, contentPieces.listingId))
      .leftJoin(socialAccounts, postAccountJoin)
      .where(
        and(
          eq(postSchedule.agentId, p("agentId")),
          gte(postSchedule.scheduledAt, p("from")),
          lt(postSchedule.scheduledAt, p("to")),
          shape.status ? eq(postSchedule.status, p("status")) : undefined,
        ),
      )
      .orderBy(asc(postSchedule.scheduledAt), asc(postSchedule.id))
      .limit(1000),
  ),
);

/**
 * The first EXCERPT_CHARS characters (code points, so an emoji is never cut in half) of a body. Same
 * result as `[...body].slice(0, EXCERPT_CHARS).join("")` without building an array of every character:
 * a calendar month is a few hundred posts.
 */
function excerptOf(body: string): string {
  if (body.length <= EXCERPT_CHARS) return body;
  let characters = 0;
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    const next = body.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
    if (++characters === EXCERPT_CHARS) return body.slice(0, i + 1);
  }
  return body;
}

function toItem(row: PostRow) {
  const { body, accountName, accountUsername, updatedAt, ...post } = row;
  return {
    ...post,
    scheduledAt: post.scheduledAt.getTime(),
    postedAt: post.postedAt?.getTime() ?? null,
    updatedAt: updatedAt.getTime(),
    excerpt: excerptOf(body),
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
  const rows = (
    await postListTemplate({ status: input.status !== undefined }).all(db, {
      agentId,
      from: input.from,
      to: input.to,
      status: input.status,
    })
  ).map(({ listingId, listingAddressLine, listingCity, ...row }) => ({
    ...row,
    listing: { id: listingId, addressLine: listingAddressLine, city: listingCity },
  }));
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

const notStarted = () =>
  new ServiceError("CONFLICT", "This post has already started publishing or is no longer scheduled.");

/** Posts nothing has been sent for yet: only these can be moved or cancelled. */
function assertNotStarted(post: PostRow) {
  if (post.status !== "scheduled" || post.phase !== "new") throw notStarted();
}

/**
 * Moves a scheduled post that has not started. The engine moves next_step_at in a conditional update and
 * notes it on the piece; an alarm or message for the old time then finds nothing due.
 */
export async function reschedulePost({ db, env, agentId }: PostsDeps, input: ReschedulePostInput) {
  const now = Date.now();
  const post = await ownedPost(db, agentId, input.id);
  if (input.scheduledAt <= now || input.scheduledAt > now + MAX_SCHEDULE_AHEAD_MS) {
    throw new ServiceError("BAD_REQUEST", "Choose a time in the future, within a year", {
      field: "scheduledAt",
    });
  }
  assertNotStarted(post);
  const result = await engine.reschedulePost(env, agentId, post.id, input.scheduledAt);
  return { id: post.id, ...result };
}

/** Cancels a scheduled post that has not started; its piece waits for approval again. */
export async function cancelPost({ db, env, agentId }: PostsDeps, id: string) {
  const post = await ownedPost(db, agentId, id);
  assertNotStarted(post);
  const result = await engine.cancelPost(env, agentId, post.id);
  return { id: post.id, ...result, pieceId: post.contentId };
}

/**
 * Tries a failed or unconfirmed post again, once its account is connected. The engine reads back a post
 * whose publishing call may have gone out before it sends anything: it is never posted twice blindly.
 */
export async function retryPost({ db, env, agentId }: PostsDeps, id: string) {
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
  const result = await engine.retryPost(env, agentId, post.id);
  return { id: post.id, ...result };
}
