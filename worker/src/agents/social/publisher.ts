// The publishing engine: runs one step of one post at a time, never twice at once and never a publishing
// call twice blindly. A step is claimed with a lease (a conditional UPDATE), acts through the Graph API,
// stores every Graph id the moment it is returned, and releases the lease with the time of the next step
// (a container poll, the end of a rate limit) or with the outcome. D1 is the source of truth: alarms,
// queue messages and the sweeper only say "look again", so a duplicate or stale one finds nothing to do.
import {
  contentPieces,
  listings,
  PLATFORM_LABELS,
  type PostFailureKind,
  type PostGraphState,
  type PostPhase,
  type PostStatus,
  postSchedule,
  type SocialPlatform,
} from "db";
import type { ContentStatus } from "db/rules";
import { and, eq, inArray, isNull, lte, or, sql } from "drizzle-orm";
import { createDb, type Db } from "../../lib/db";
import { ServiceError } from "../../lib/errors";
import { TokenKeyError } from "../../lib/token-crypto";
import { notify } from "../../services/notify";
import {
  accountToken,
  activeAccount,
  markNeedsReconnect,
  type SocialAccount,
} from "../../services/social-accounts";
import { transition } from "../content/approval";
import { fingerprint } from "./fingerprint";
import { GraphClient, GraphError } from "./graph";
import { stepFacebook } from "./publish-facebook";
import { stepInstagram } from "./publish-instagram";
import { wakeScheduler } from "./wake";

export const ENGINE = {
  /** How long a claimed step is held; every write renews it, and Graph calls time out well within it. */
  leaseMs: 60_000,
  graphTimeoutMs: 15_000,
  /** Publishing calls per post (each one only after a read-back found nothing). */
  maxAttempts: 4,
  /**
   * Consecutive transient failures of other calls (reads, uploads, read-backs) before giving up. With the
   * backoff below (2 s doubling to 15 min) twelve span about an hour: a short outage or a flaky stretch is
   * ridden out, a long one ends the post with a reason instead of retrying for ever.
   */
  maxRetries: 12,
  maxRetryDelayMs: 15 * 60_000,
  /** After an ambiguous publishing call, the read-back waits this long (Graph needs a moment). */
  readBackDelayMs: 3_000,
  /** Rate limits and temporary blocks are waited out, but not for longer than this after the post's time. */
  maxDeferralMs: 24 * 3600_000,
  blockedDeferralMs: 3600_000,
  minRateLimitDeferralMs: 60_000,
} as const;

export type PostRow = typeof postSchedule.$inferSelect;
/** graph_state plus the engine's own counter of consecutive transient failures. */
export type EngineState = PostGraphState & { retries?: number };

const ACTIVE: PostStatus[] = ["scheduled", "publishing"];

/** What a platform step decided; the engine writes it (guarded by the lease) and wakes the scheduler. */
export type StepOutcome =
  | { kind: "published"; externalPostId: string; permalink: string | null }
  /** Continue later: a container poll, a read-back, a retry after a transient failure. */
  | { kind: "continue"; at: number; phase?: PostPhase }
  /** Held, not failed: a rate limit, a temporary block, Instagram's daily quota. */
  | { kind: "hold"; at: number; failureKind: PostFailureKind; reason: string; phase?: PostPhase }
  | { kind: "failed"; failureKind: PostFailureKind; reason: string }
  | { kind: "unconfirmed"; reason: string };

/** Everything a platform step needs; its writes go through `save`/`publishCall`, guarded by the lease. */
export interface StepContext {
  env: Env;
  db: Db;
  post: PostRow;
  account: SocialAccount;
  token: string;
  graph: GraphClient;
  text: string;
  /** The listing's photo URLs (as stored; converted for the platform by the step when it uploads). */
  sourcePhotos: string[];
  altText: string;
  origin: string;
  state: EngineState;
  now(): number;
  /** Stores graph_state (one UPDATE), renewing the lease; throws LeaseLost if another worker took over. */
  save(state: EngineState): Promise<void>;
  /**
   * Makes a publishing call: first records it (phase attempted, attempts+1, attempt_started_at,
   * fingerprint; null when the attempts are used up), then calls. A definite refusal (any GraphError but
   * an ambiguous one) puts the phase and count back, since nothing was posted; an ambiguous one leaves
   * the attempt recorded, so the next step reads back first.
   */
  publishCall<T>(call: () => Promise<T>): Promise<T | null>;
  setPhase(phase: PostPhase, extra?: Partial<PostRow>): Promise<void>;
}

/** Thrown when a guarded write finds the lease gone: another worker holds the post now; stop quietly. */
export class LeaseLost extends Error {
  constructor() {
    super("post lease lost");
    this.name = "LeaseLost";
  }
}

export type StepResult =
  | { ran: false; reason: "not_found" | "not_due" | "claimed" | "lease_lost" }
  | { ran: true; outcome: StepOutcome["kind"]; nextAt: number | null };

/** Runs the post's due step if it is due and free; a no-op otherwise (a duplicate alarm or message). */
export async function runPostStep(env: Env, postId: string, now = Date.now()): Promise<StepResult> {
  const db = createDb(env.DB);
  const [found] = await db.select().from(postSchedule).where(eq(postSchedule.id, postId)).limit(1);
  if (!found) return { ran: false, reason: "not_found" };
  if (!isDue(found, now)) return { ran: false, reason: "not_due" };
  const account = await activeAccount(db, found.agentId, found.platform);
  const claimed = await claim(db, found, account, now);
  if (!claimed) return { ran: false, reason: "claimed" };
  let lease = claimed.leaseUntil?.getTime() ?? 0;
  const post = claimed;
  try {
    if (found.status === "scheduled") await mirrorPiece(db, post, "publishing");
    const outcome = await decide(
      env,
      db,
      post,
      account,
      () => lease,
      (next) => {
        lease = next;
      },
    );
    const nextAt = await settle(env, db, post, lease, outcome);
    return { ran: true, outcome: outcome.kind, nextAt };
  } catch (error) {
    if (error instanceof LeaseLost) return { ran: false, reason: "lease_lost" };
    // An unexpected failure (D1, a bug): give the step back to be retried soon; the phase still says
    // whether a publishing call may have gone out, so the retry reads back first.
    console.error("publisher: step failed", postId, error);
    await release(db, post.id, lease, { nextStepAt: new Date(Date.now() + 30_000) }).catch(() => false);
    throw error;
  }
}

function isDue(post: PostRow, now: number) {
  return (
    ACTIVE.includes(post.status) &&
    post.nextStepAt !== null &&
    post.nextStepAt.getTime() <= now &&
    (post.leaseUntil === null || post.leaseUntil.getTime() <= now)
  );
}

/**
 * Takes the post's lease: only if it is still active, due and free. A second alarm, a redelivered message
 * or a concurrent retry finds it held and stops. Records which account the post goes to.
 */
async function claim(db: Db, post: PostRow, account: SocialAccount | null, now: number) {
  const [row] = await db
    .update(postSchedule)
    .set({
      status: "publishing",
      leaseUntil: new Date(now + ENGINE.leaseMs),
      socialAccountId: account?.id ?? post.socialAccountId,
      // A start from `scheduled` (the first, or after a retry or a reconnect) gets fresh bounds; steps of
      // a post already publishing keep counting.
      attempts: sql`case when ${postSchedule.status} = 'scheduled' then 0 else ${postSchedule.attempts} end`,
      graphState: sql`case when ${postSchedule.status} = 'scheduled'
        then json_set(${postSchedule.graphState}, '$.retries', 0)
        else ${postSchedule.graphState} end`,
      updatedAt: new Date(now),
    })
    .where(
      and(
        eq(postSchedule.id, post.id),
        inArray(postSchedule.status, ACTIVE),
        lte(postSchedule.nextStepAt, new Date(now)),
        or(isNull(postSchedule.leaseUntil), lte(postSchedule.leaseUntil, new Date(now))),
      ),
    )
    .returning();
  return row ?? null;
}

/** A write guarded by the lease; renews it. False when another worker holds the post now. */
async function guarded(db: Db, postId: string, lease: number, set: Partial<PostRow>, renewTo?: number) {
  const rows = await db
    .update(postSchedule)
    .set({ ...set, ...(renewTo && { leaseUntil: new Date(renewTo) }), updatedAt: new Date() })
    .where(and(eq(postSchedule.id, postId), eq(postSchedule.leaseUntil, new Date(lease))))
    .returning({ id: postSchedule.id });
  return rows.length === 1;
}

async function release(db: Db, postId: string, lease: number, set: Partial<PostRow>) {
  return guarded(db, postId, lease, { ...set, leaseUntil: null });
}

async function decide(
  env: Env,
  db: Db,
  post: PostRow,
  account: SocialAccount | null,
  lease: () => number,
  setLease: (next: number) => void,
): Promise<StepOutcome> {
  const label = PLATFORM_LABELS[post.platform];
  if (!account) {
    return {
      kind: "failed",
      failureKind: "reconnect",
      reason: `No ${label} is connected. Connect it in Settings › Social accounts; the post goes out when you do.`,
    };
  }
  if (account.status !== "connected") {
    return {
      kind: "failed",
      failureKind: "reconnect",
      reason: `${account.statusReason ?? `Your ${label} needs reconnecting.`} Reconnect it in Settings › Social accounts; the post goes out when you do.`,
    };
  }
  const [piece] = await db
    .select({ body: contentPieces.body, listingId: contentPieces.listingId })
    .from(contentPieces)
    .where(and(eq(contentPieces.id, post.contentId), eq(contentPieces.agentId, post.agentId)))
    .limit(1);
  if (!piece)
    return { kind: "failed", failureKind: "unknown", reason: "The approved text no longer exists." };
  const [listing] = await db
    .select({ imageUrls: listings.imageUrls, addressLine: listings.addressLine, city: listings.city })
    .from(listings)
    .where(and(eq(listings.id, piece.listingId), eq(listings.agentId, post.agentId)))
    .limit(1);
  let token: string;
  try {
    token = await accountToken(env, account);
  } catch (error) {
    if (!(error instanceof TokenKeyError)) throw error;
    // A token sealed with a key that is gone (or damaged): only a new connection helps.
    const reason = `The saved connection to your ${label} can no longer be read.`;
    await markNeedsReconnect(env, db, account, reason);
    return {
      kind: "failed",
      failureKind: "reconnect",
      reason: `${reason} Reconnect it in Settings › Social accounts; the post goes out when you do.`,
    };
  }
  let state: EngineState = { ...(post.graphState as EngineState) };
  const renew = async (set: Partial<PostRow>) => {
    const next = Math.max(Date.now() + ENGINE.leaseMs, lease() + 1);
    if (!(await guarded(db, post.id, lease(), set, next))) throw new LeaseLost();
    setLease(next);
  };
  const ctx: StepContext = {
    env,
    db,
    post,
    account,
    token,
    graph: new GraphClient(env, { timeoutMs: ENGINE.graphTimeoutMs }),
    text: piece.body,
    sourcePhotos: listing?.imageUrls ?? [],
    altText: listing
      ? `Photo of the home at ${[listing.addressLine, listing.city].filter(Boolean).join(", ")}`
      : "",
    origin: (env.APP_ORIGIN || "http://localhost:8787").replace(/\/$/, ""),
    get state() {
      return state;
    },
    now: () => Date.now(),
    save: async (next) => {
      await renew({ graphState: next });
      state = next;
      post.graphState = next;
    },
    publishCall: async (call) => {
      if (post.attempts >= ENGINE.maxAttempts) return null;
      const before = { phase: post.phase, attempts: post.attempts };
      const set = {
        phase: "attempted" as const,
        attempts: post.attempts + 1,
        attemptStartedAt: new Date(),
        fingerprint: await fingerprint(piece.body),
      };
      await renew(set);
      Object.assign(post, set);
      try {
        return await call();
      } catch (error) {
        if (error instanceof GraphError && error.kind !== "ambiguous") {
          await renew(before);
          Object.assign(post, before);
        }
        throw error;
      }
    },
    setPhase: async (phase, extra = {}) => {
      await renew({ phase, ...extra });
      Object.assign(post, { phase, ...extra });
    },
  };
  try {
    const outcome = post.platform === "facebook" ? await stepFacebook(ctx) : await stepInstagram(ctx);
    // Progress resets the count of consecutive transient failures.
    if (outcome.kind === "continue" || outcome.kind === "hold") {
      if (state.retries) await ctx.save({ ...state, retries: 0 });
    }
    return outcome;
  } catch (error) {
    if (error instanceof LeaseLost || !(error instanceof GraphError)) throw error;
    return outcomeOfGraphError(ctx, error);
  }
}

/** Meta's error taxonomy, turned into what happens to the post. */
async function outcomeOfGraphError(ctx: StepContext, error: GraphError): Promise<StepOutcome> {
  const { post } = ctx;
  const now = ctx.now();
  const label = PLATFORM_LABELS[post.platform];
  const pastDeadline = (at: number) => at > post.scheduledAt.getTime() + ENGINE.maxDeferralMs;
  switch (error.kind) {
    case "reconnect": {
      const reason = reconnectReason(error, label);
      await markNeedsReconnect(ctx.env, ctx.db, ctx.account, reason);
      return {
        kind: "failed",
        failureKind: "reconnect",
        reason: `${reason} Reconnect it in Settings › Social accounts; the post goes out when you do.`,
      };
    }
    case "rate_limited": {
      const at = now + Math.max(ENGINE.minRateLimitDeferralMs, error.retryAfterMs);
      if (pastDeadline(at)) {
        return {
          kind: "failed",
          failureKind: "rate_limited",
          reason: `Meta kept limiting posts to your ${label} for a day.`,
        };
      }
      return {
        kind: "hold",
        at,
        failureKind: "rate_limited",
        reason: `Meta is limiting posts to your ${label} for now; it goes out when the limit lifts.`,
      };
    }
    case "blocked": {
      const at = now + Math.max(ENGINE.blockedDeferralMs, error.retryAfterMs);
      if (pastDeadline(at)) {
        return {
          kind: "failed",
          failureKind: "blocked",
          reason: `Meta kept your ${label} temporarily blocked from posting for a day.`,
        };
      }
      return {
        kind: "hold",
        at,
        failureKind: "blocked",
        reason: `Meta has temporarily blocked posting to your ${label}; it is tried again in an hour.`,
      };
    }
    case "not_ready":
      return { kind: "continue", at: now + 5_000 };
    case "quota":
      // Only Instagram has a quota; its step decides when the window frees.
      return {
        kind: "hold",
        at: now + 3600_000,
        failureKind: "quota",
        reason: "Instagram's daily publishing limit is reached; the post goes out when it frees up.",
        phase: "new",
      };
    case "ambiguous": {
      const retries = (ctx.state.retries ?? 0) + 1;
      if (retries > ENGINE.maxRetries) {
        if (post.phase === "attempted") {
          return {
            kind: "unconfirmed",
            reason: `Meta did not answer clearly whether the post went out on your ${label}, and it could not be checked.`,
          };
        }
        return {
          kind: "failed",
          failureKind: "unknown",
          reason: `Meta's servers kept failing; nothing was posted to your ${label}.`,
        };
      }
      await ctx.save({ ...ctx.state, retries });
      // After an ambiguous publishing call the next step reads back first (phase attempted).
      const delay =
        post.phase === "attempted"
          ? ENGINE.readBackDelayMs
          : Math.min(ENGINE.maxRetryDelayMs, 1_000 * 2 ** retries);
      return { kind: "continue", at: now + delay };
    }
    case "rejected":
      return {
        kind: "failed",
        failureKind: "rejected",
        reason: error.userMessage ?? `Meta refused the post: ${error.message}`,
      };
  }
}

function reconnectReason(error: GraphError, label: string) {
  if (error.code === 190) {
    return error.subcode === 463
      ? `The connection to your ${label} expired.`
      : `The connection to your ${label} is no longer valid.`;
  }
  return `A permission needed to post to your ${label} is missing.`;
}

/** Writes the outcome (guarded by the lease), mirrors it on the piece, notifies, wakes the scheduler. */
async function settle(env: Env, db: Db, post: PostRow, lease: number, outcome: StepOutcome) {
  const now = Date.now();
  switch (outcome.kind) {
    case "continue":
    case "hold": {
      const set: Partial<PostRow> = {
        nextStepAt: new Date(outcome.at),
        ...(outcome.phase && { phase: outcome.phase }),
        ...(outcome.kind === "hold"
          ? { failureKind: outcome.failureKind, lastError: outcome.reason }
          : { failureKind: null, lastError: null }),
      };
      if (!(await release(db, post.id, lease, set))) throw new LeaseLost();
      await wakeScheduler(env, post.agentId, outcome.at);
      return outcome.at;
    }
    case "published": {
      const set: Partial<PostRow> = {
        status: "published",
        phase: "done",
        externalPostId: outcome.externalPostId,
        permalink: outcome.permalink,
        postedAt: new Date(now),
        nextStepAt: null,
        failureKind: null,
        lastError: null,
      };
      if (!(await release(db, post.id, lease, set))) throw new LeaseLost();
      await mirrorPiece(db, post, "published");
      await notifyPost(env, post, {
        eventType: "post_succeeded",
        title: `Posted to your ${PLATFORM_LABELS[post.platform]}`,
        body: outcome.permalink ? `See it live: ${outcome.permalink}` : "It is live.",
        link: outcome.permalink ?? `/calendar?post=${post.id}`,
        key: `post-succeeded:${post.id}`,
      });
      return null;
    }
    case "failed": {
      const set: Partial<PostRow> = {
        status: "failed",
        failureKind: outcome.failureKind,
        lastError: outcome.reason,
        nextStepAt: null,
      };
      if (!(await release(db, post.id, lease, set))) throw new LeaseLost();
      await mirrorPiece(db, post, "failed");
      await notifyPost(env, post, {
        eventType: "post_failed",
        title: `Could not post to your ${PLATFORM_LABELS[post.platform]}`,
        body: `${outcome.reason}${outcome.failureKind === "reconnect" ? "" : " Open the post to try again."}`,
        link: `/calendar?post=${post.id}`,
        key: `post-failed:${post.id}:${lease}`,
      });
      return null;
    }
    case "unconfirmed": {
      if (
        !(await release(db, post.id, lease, {
          status: "unconfirmed",
          lastError: outcome.reason,
          nextStepAt: null,
        }))
      ) {
        throw new LeaseLost();
      }
      await mirrorPiece(db, post, "unconfirmed");
      const account = await activeAccount(db, post.agentId, post.platform);
      await notifyPost(env, post, {
        eventType: "post_unconfirmed",
        title: `Check your ${PLATFORM_LABELS[post.platform]}: did the post go out?`,
        body: `${outcome.reason} Look at your ${PLATFORM_LABELS[post.platform]}; if the post is not there, retry it from the calendar. It is not posted again on its own.`,
        link: profileLink(post.platform, account),
        key: `post-unconfirmed:${post.id}:${lease}`,
      });
      return null;
    }
  }
}

function profileLink(platform: SocialPlatform, account: SocialAccount | null) {
  if (platform === "instagram") {
    return account?.username
      ? `https://www.instagram.com/${account.username.replace(/^@/, "")}/`
      : "https://www.instagram.com/";
  }
  return account ? `https://www.facebook.com/${account.externalId}` : "https://www.facebook.com/";
}

async function notifyPost(
  env: Env,
  post: PostRow,
  n: {
    eventType: "post_succeeded" | "post_failed" | "post_unconfirmed";
    title: string;
    body: string;
    link: string;
    key: string;
  },
) {
  await notify(env, {
    agentId: post.agentId,
    event: n.eventType,
    title: n.title,
    body: n.body,
    link: n.link,
    dedupeKey: n.key,
  });
}

const PIECE_STATUS: Record<PostStatus, ContentStatus> = {
  scheduled: "scheduled",
  publishing: "posting",
  published: "posted",
  failed: "post_failed",
  unconfirmed: "unconfirmed",
  cancelled: "pending_approval",
};
const PIECE_ACTIONS: Record<PostStatus, string> = {
  scheduled: "post_scheduled",
  publishing: "post_started",
  published: "posted",
  failed: "post_failed",
  unconfirmed: "post_unconfirmed",
  cancelled: "post_cancelled",
};

/** The piece shows its post's status (an event row per change); a piece already there is left alone. */
export async function mirrorPiece(
  db: Db,
  post: Pick<PostRow, "contentId" | "agentId">,
  status: PostStatus,
  note?: string,
) {
  const to = PIECE_STATUS[status];
  for (let tries = 0; tries < 3; tries++) {
    const [piece] = await db
      .select({ status: contentPieces.status })
      .from(contentPieces)
      .where(and(eq(contentPieces.id, post.contentId), eq(contentPieces.agentId, post.agentId)))
      .limit(1);
    if (!piece || (piece.status === to && !note)) return;
    try {
      await transition(db, {
        pieceId: post.contentId,
        agentId: post.agentId,
        from: piece.status,
        to,
        action: PIECE_ACTIONS[status],
        actor: "system",
        note: note ?? null,
      });
      return;
    } catch (error) {
      if (!(error instanceof ServiceError && error.code === "CONFLICT")) throw error;
    }
  }
}

// ---------- what the scheduler, the sweeper and the posts router call ----------

/** The agent's posts whose step is due and free now (for the scheduler's alarm). */
export async function dueSteps(env: Env, agentId: string, now = Date.now(), limit = 100): Promise<string[]> {
  const db = createDb(env.DB);
  const rows = await db
    .select({ id: postSchedule.id })
    .from(postSchedule)
    .where(
      and(
        eq(postSchedule.agentId, agentId),
        inArray(postSchedule.status, ACTIVE),
        lte(postSchedule.nextStepAt, new Date(now)),
        or(isNull(postSchedule.leaseUntil), lte(postSchedule.leaseUntil, new Date(now))),
      ),
    )
    .orderBy(postSchedule.nextStepAt)
    .limit(limit);
  return rows.map((row) => row.id);
}

/** One hour before a scheduled post its preflight runs again (the first runs when it is scheduled). */
export const PREFLIGHT_BEFORE_MS = 3600_000;

/**
 * When the agent's scheduler should look next: the earliest step (or the end of a lease held by a step
 * in flight) or pending preflight after `now`; null when nothing is pending.
 */
export async function nextWakeAt(env: Env, agentId: string, now = Date.now()): Promise<number | null> {
  const [row] = await env.DB.prepare(
    `select min(t) as t from (
       select max(next_step_at, coalesce(lease_until, 0)) as t from rltr_mktg_post_schedule
        where agent_id = ?1 and status in ('scheduled', 'publishing') and next_step_at is not null
       union all
       select next_step_at - ?3 as t from rltr_mktg_post_schedule
        where agent_id = ?1 and status = 'scheduled' and next_step_at is not null
          and coalesce(preflight_at, 0) < next_step_at - ?3
     ) where t > ?2`,
  )
    .bind(agentId, now, PREFLIGHT_BEFORE_MS)
    .all<{ t: number | null }>()
    .then((result) => result.results);
  return row?.t ?? null;
}

/** Scheduled posts whose preflight is due: never run yet, or not since the hour before their time. */
export async function duePreflights(
  env: Env,
  agentId: string,
  now = Date.now(),
  limit = 10,
): Promise<string[]> {
  const { results } = await env.DB.prepare(
    `select id from rltr_mktg_post_schedule
      where agent_id = ?1 and status = 'scheduled' and next_step_at is not null
        and (preflight_at is null or (preflight_at < next_step_at - ?3 and next_step_at - ?3 <= ?2))
      order by next_step_at limit ?4`,
  )
    .bind(agentId, now, PREFLIGHT_BEFORE_MS, limit)
    .all<{ id: string }>();
  return results.map((row) => row.id);
}

async function ownedPost(db: Db, agentId: string, postId: string) {
  const [post] = await db
    .select()
    .from(postSchedule)
    .where(and(eq(postSchedule.id, postId), eq(postSchedule.agentId, agentId)))
    .limit(1);
  if (!post) throw new ServiceError("NOT_FOUND", "Post not found");
  return post;
}

const leaseFree = (now: number) =>
  or(isNull(postSchedule.leaseUntil), lte(postSchedule.leaseUntil, new Date(now)));

/** Makes the scheduler look at the post at its next step (or now); for the posts router. */
export async function resumePost(env: Env, agentId: string, postId: string): Promise<void> {
  const post = await ownedPost(createDb(env.DB), agentId, postId);
  if (ACTIVE.includes(post.status) && post.nextStepAt) {
    await wakeScheduler(env, agentId, post.nextStepAt.getTime());
  }
}

/** Cancels a post that has not started (scheduled) or that failed; idempotent. */
export async function cancelPost(env: Env, agentId: string, postId: string): Promise<{ status: PostStatus }> {
  const db = createDb(env.DB);
  const post = await ownedPost(db, agentId, postId);
  if (post.status === "cancelled") return { status: "cancelled" };
  const now = Date.now();
  const cancellable: PostStatus[] = ["scheduled", "failed"];
  const [row] = cancellable.includes(post.status)
    ? await db
        .update(postSchedule)
        .set({ status: "cancelled", nextStepAt: null, updatedAt: new Date(now) })
        .where(
          and(
            eq(postSchedule.id, postId),
            eq(postSchedule.agentId, agentId),
            // A scheduled post only before anything was sent (a retried one may be reading back); a
            // failed one in any phase. Never while a step holds it.
            or(
              and(eq(postSchedule.status, "scheduled"), eq(postSchedule.phase, "new")),
              eq(postSchedule.status, "failed"),
            ),
            leaseFree(now),
          ),
        )
        .returning()
    : [];
  if (!row) {
    const current = await ownedPost(db, agentId, postId);
    if (current.status === "cancelled") return { status: "cancelled" };
    throw new ServiceError("CONFLICT", `This post is ${current.status} and can no longer be cancelled.`);
  }
  await mirrorPiece(db, row, "cancelled", "Post cancelled");
  return { status: "cancelled" };
}

/** Moves a scheduled post that has not started to `at`; idempotent (the same time changes nothing). */
export async function reschedulePost(
  env: Env,
  agentId: string,
  postId: string,
  at: number,
): Promise<{ status: PostStatus; scheduledAt: number }> {
  const db = createDb(env.DB);
  const now = Date.now();
  if (!Number.isFinite(at) || at < now || at > now + 365 * 24 * 3600_000) {
    throw new ServiceError("BAD_REQUEST", "Choose a time in the future, within a year", {
      field: "scheduledAt",
    });
  }
  const post = await ownedPost(db, agentId, postId);
  if (post.status === "scheduled" && post.scheduledAt.getTime() === at) {
    return { status: post.status, scheduledAt: at };
  }
  const [row] = await db
    .update(postSchedule)
    .set({
      scheduledAt: new Date(at),
      nextStepAt: new Date(at),
      dispatchedAt: null,
      preflightAt: null,
      failureKind: null,
      lastError: null,
      updatedAt: new Date(now),
    })
    .where(
      and(
        eq(postSchedule.id, postId),
        eq(postSchedule.agentId, agentId),
        eq(postSchedule.status, "scheduled"),
        eq(postSchedule.phase, "new"),
        leaseFree(now),
      ),
    )
    .returning();
  if (!row)
    throw new ServiceError("CONFLICT", `This post is ${post.status} and can no longer be rescheduled.`);
  await mirrorPiece(db, row, "scheduled", `Rescheduled for ${new Date(at).toISOString()}`);
  // Now, not at `at`: the scheduler runs the preflight and sets its alarm for the post's new time.
  await wakeScheduler(env, agentId, now);
  return { status: "scheduled", scheduledAt: at };
}

/**
 * Tries a failed or unconfirmed post again. It does not post blindly: a post whose last publishing call
 * may have gone out (phase attempted) is read back first by the engine, and published if found.
 * Idempotent: a post already back in the queue (or published) is left as it is.
 */
export async function retryPost(env: Env, agentId: string, postId: string): Promise<{ status: PostStatus }> {
  const db = createDb(env.DB);
  const post = await ownedPost(db, agentId, postId);
  if (["scheduled", "publishing", "published"].includes(post.status)) return { status: post.status };
  if (post.status === "cancelled") throw new ServiceError("CONFLICT", "This post was cancelled.");
  const now = Date.now();
  const state = { ...(post.graphState as EngineState), retries: 0 };
  const [row] = await db
    .update(postSchedule)
    .set({
      status: "scheduled",
      nextStepAt: new Date(now),
      attempts: post.phase === "attempted" ? Math.min(post.attempts, ENGINE.maxAttempts - 1) : 0,
      graphState: state,
      failureKind: null,
      lastError: null,
      dispatchedAt: null,
      updatedAt: new Date(now),
    })
    .where(
      and(
        eq(postSchedule.id, postId),
        eq(postSchedule.agentId, agentId),
        inArray(postSchedule.status, ["failed", "unconfirmed"]),
        leaseFree(now),
      ),
    )
    .returning();
  if (!row) return { status: (await ownedPost(db, agentId, postId)).status };
  await mirrorPiece(db, row, "scheduled", "Retry");
  await wakeScheduler(env, agentId, now);
  return { status: "scheduled" };
}

/**
 * After Chris reconnects an account, the posts that failed for want of it are scheduled again (for now).
 * A post whose publishing call may have gone out is read back first, as always. Called by the connect flow.
 */
export async function resumeAfterReconnect(env: Env, agentId: string): Promise<number> {
  const db = createDb(env.DB);
  const now = Date.now();
  const rows = await db
    .update(postSchedule)
    .set({
      status: "scheduled",
      nextStepAt: new Date(now),
      failureKind: null,
      lastError: null,
      dispatchedAt: null,
      graphState: sql`json_set(${postSchedule.graphState}, '$.retries', 0)`,
      updatedAt: new Date(now),
    })
    .where(
      and(
        eq(postSchedule.agentId, agentId),
        eq(postSchedule.status, "failed"),
        eq(postSchedule.failureKind, "reconnect"),
      ),
    )
    .returning();
  for (const row of rows) await mirrorPiece(db, row, "scheduled", "Account reconnected");
  if (rows.length > 0) await wakeScheduler(env, agentId, now);
  return rows.length;
}

/**
 * A post whose steps kept failing unexpectedly (the dead-letter queue): it fails with `reason`, or is
 * unconfirmed when a publishing call may have gone out. Never while a step holds it.
 */
export async function abandonPost(env: Env, postId: string, reason: string): Promise<boolean> {
  const db = createDb(env.DB);
  const now = Date.now();
  const [post] = await db
    .update(postSchedule)
    .set({ leaseUntil: new Date(now + ENGINE.leaseMs), updatedAt: new Date(now) })
    .where(and(eq(postSchedule.id, postId), inArray(postSchedule.status, ACTIVE), leaseFree(now)))
    .returning();
  if (!post) return false;
  const lease = post.leaseUntil?.getTime() ?? 0;
  const outcome: StepOutcome =
    post.phase === "attempted"
      ? { kind: "unconfirmed", reason: `${reason} Meta may or may not have taken the last attempt.` }
      : { kind: "failed", failureKind: "unknown", reason };
  await settle(env, db, post, lease, outcome);
  return true;
}
