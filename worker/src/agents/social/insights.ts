// Post performance: reads the metrics of published posts from the Graph API into rltr_mktg_post_metrics,
// one row per metric per reading, so the dashboard can chart a series. Facebook posts: Page post insights
// (post_total_media_view_unique, post_reactions_by_type_total, post_clicks) plus comments and shares as
// post fields; Instagram media: media insights. The impression metrics Meta retired in 2025 are not read.
import { type PostMetric, postMetrics, postSchedule, type SocialPlatform, socialAccounts } from "db";
import { and, asc, eq, gte, inArray, isNotNull, isNull, lte, or, sql } from "drizzle-orm";
import { createDb, type Db } from "../../lib/db";
import { ServiceError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { accountToken, markNeedsReconnect, type SocialAccount } from "../../services/social-accounts";
import { GraphClient, GraphError, type GraphParams, type GraphUsage } from "./graph";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Posts published this long ago or less are read. */
export const INSIGHTS_WINDOW_MS = 30 * DAY;
/** The daily cron reads a post at most this often (a late or repeated cron does not read it twice). */
export const CRON_MIN_INTERVAL_MS = 20 * HOUR;
/** "Refresh" on a post reads it again only if its last reading is older than this. */
export const REFRESH_MIN_INTERVAL_MS = 5 * 60_000;
/** A run reads at most this many posts (about 2 Graph calls each); the next run continues. */
export const MAX_POSTS_PER_RUN = 150;
/** And at most this many of one account, so one big account does not hold the others back. */
export const MAX_POSTS_PER_ACCOUNT = 50;
/** Graph calls per run at most (2 a post, up to 8 for a small post read metric by metric). */
export const MAX_CALLS_PER_RUN = 400;
/** Past this share of a Graph rate limit (usage headers), the account's batch stops for this run. */
export const USAGE_STOP_PERCENT = 90;

/** What is stored per platform; Facebook reactions are kept in total and per type. */
export const FACEBOOK_REACTION_TYPES = ["like", "love", "wow", "haha", "sorry", "anger"] as const;
export const METRICS = {
  facebook: [
    "views_unique",
    "reactions",
    ...FACEBOOK_REACTION_TYPES.map((type) => `reactions_${type}` as const),
    "clicks",
    "comments",
    "shares",
  ],
  instagram: ["views", "reach", "likes", "comments", "saved", "shares", "total_interactions"],
} as const satisfies Record<SocialPlatform, readonly string[]>;

/** Graph's Page post insights metrics read for a Facebook post (none of the retired post_impressions*). */
export const FACEBOOK_INSIGHTS = [
  "post_total_media_view_unique",
  "post_reactions_by_type_total",
  "post_clicks",
];
/** Graph's Instagram media insights metrics; stored under the same names. */
export const INSTAGRAM_INSIGHTS = [...METRICS.instagram];

export type MetricStatus = PostMetric["status"];
export type MetricReading = {
  metric: string;
  value: number | null;
  status: MetricStatus;
  capturedAt: number;
};

type InsightValue = number | Record<string, number>;
type InsightsAnswer = { data?: { name: string; values?: { value?: InsightValue }[] }[] };
type PostFieldsAnswer = {
  shares?: { count?: number };
  comments?: { summary?: { total_count?: number } };
};

/** "(#10) Not enough viewers for the media to show insights": a small post, not a permission problem. */
function isSmallPostRefusal(error: unknown): boolean {
  return (
    error instanceof GraphError &&
    error.code === 10 &&
    /not enough viewers|not enough (data|users)|insufficient/i.test(error.message)
  );
}

/** The highest share of any Graph limit the usage headers report (app or the account's business use). */
export function usagePercent(usage: GraphUsage): number {
  let peak = Math.max(usage.app?.call_count ?? 0, usage.app?.total_time ?? 0, usage.app?.total_cputime ?? 0);
  for (const entries of Object.values(usage.businessUseCase ?? {})) {
    for (const entry of entries) {
      peak = Math.max(peak, entry.call_count ?? 0, entry.total_time ?? 0, entry.total_cputime ?? 0);
    }
  }
  return peak;
}

type Reading = { metric: string; value: number | null; status: MetricStatus };

/** The account's peak usage in this run, and the run's Graph calls (a Worker has a subrequest budget). */
class UsageTracker {
  peak = 0;
  constructor(private readonly summary: InsightsRunSummary) {}
  note(usage: GraphUsage) {
    this.peak = Math.max(this.peak, usagePercent(usage));
    this.summary.calls++;
    // X-App-Usage is the app's, shared by every account: the rest of the run stops on it too.
    const app = usage.app;
    const appPeak = Math.max(app?.call_count ?? 0, app?.total_time ?? 0, app?.total_cputime ?? 0);
    this.summary.appUsagePercent = Math.max(this.summary.appUsagePercent, appPeak);
  }
  /** One GET, its usage headers noted whether it succeeds or fails. */
  async get<T>(graph: GraphClient, path: string, params: GraphParams, token: string): Promise<T> {
    try {
      const { data, usage } = await graph.get<T>(path, params, token);
      this.note(usage);
      return data;
    } catch (error) {
      if (error instanceof GraphError) this.note(error.usage);
      throw error;
    }
  }
}

/** Reads the metrics of one post; a metric refused for a small post comes back as unavailable. */
async function readPostMetrics(
  graph: GraphClient,
  token: string,
  platform: SocialPlatform,
  externalId: string,
  usage: UsageTracker,
): Promise<Reading[]> {
  const wanted = platform === "facebook" ? FACEBOOK_INSIGHTS : INSTAGRAM_INSIGHTS;
  const values = await readInsights(graph, token, externalId, wanted, usage);
  const out: Reading[] = [];
  const put = (metric: string, value: number | null | undefined) =>
    out.push(
      value === null || value === undefined
        ? { metric, value: null, status: "unavailable" }
        : { metric, value, status: "ok" },
    );
  if (platform === "instagram") {
    for (const metric of METRICS.instagram) put(metric, asNumber(values.get(metric)));
    return out;
  }
  put("views_unique", asNumber(values.get("post_total_media_view_unique")));
  const reactions = values.get("post_reactions_by_type_total");
  if (reactions === null || reactions === undefined) {
    put("reactions", null);
    for (const type of FACEBOOK_REACTION_TYPES) put(`reactions_${type}`, null);
  } else {
    const byType = typeof reactions === "number" ? { like: reactions } : reactions;
    put(
      "reactions",
      Object.values(byType).reduce((sum, n) => sum + (Number(n) || 0), 0),
    );
    for (const type of FACEBOOK_REACTION_TYPES) put(`reactions_${type}`, Number(byType[type] ?? 0));
  }
  put("clicks", asNumber(values.get("post_clicks")));
  // Comments and shares are fields of the post, not insights (Graph omits `shares` while there are none).
  const data = await usage.get<PostFieldsAnswer>(
    graph,
    externalId,
    { fields: "shares,comments.summary(true).limit(0)" },
    token,
  );
  put("comments", data.comments?.summary?.total_count ?? 0);
  put("shares", data.shares?.count ?? 0);
  return out;
}

const asNumber = (value: InsightValue | null | undefined) =>
  typeof value === "number" ? value : value === null ? null : undefined;

/**
 * One insights call for all metrics; Graph refuses the whole call when one metric is refused for a small
 * post (code 10), so then each metric is asked alone and the refused ones are null.
 */
async function readInsights(
  graph: GraphClient,
  token: string,
  externalId: string,
  metrics: string[],
  usage: UsageTracker,
): Promise<Map<string, InsightValue | null>> {
  const values = new Map<string, InsightValue | null>();
  const ask = async (names: string[]) => {
    const data = await usage.get<InsightsAnswer>(
      graph,
      `${externalId}/insights`,
      { metric: names.join(",") },
      token,
    );
    for (const entry of data.data ?? []) {
      const value = entry.values?.[0]?.value;
      if (value !== undefined) values.set(entry.name, value);
    }
  };
  try {
    await ask(metrics);
    return values;
  } catch (error) {
    if (!isSmallPostRefusal(error)) throw error;
  }
  for (const metric of metrics) {
    try {
      await ask([metric]);
    } catch (error) {
      if (!isSmallPostRefusal(error)) throw error;
      values.set(metric, null);
    }
  }
  return values;
}

type PostRow = Pick<
  typeof postSchedule.$inferSelect,
  "id" | "agentId" | "platform" | "externalPostId" | "socialAccountId"
>;

export type InsightsRunOptions = {
  /** The run's time: every reading of the run is captured at it. */
  now: number;
  agentId?: string;
  /** Only these posts (of `agentId`), e.g. "Refresh" on one post. */
  postIds?: string[];
  /** Posts read more recently than this are skipped (default CRON_MIN_INTERVAL_MS). */
  minIntervalMs?: number;
  /**
   * Only posts never read and posts whose last run was deferred (rate limit, usage), of connected
   * accounts: the 30-minute catch-up between the daily runs.
   */
  catchUp?: boolean;
  maxPosts?: number;
  maxPostsPerAccount?: number;
};

export type InsightsRunSummary = {
  read: number;
  failed: number;
  /** Posts left for a later run because of a rate limit, a token to reconnect or the usage headers. */
  deferred: number;
  rows: number;
  /** Graph calls made (answered, errors included). */
  calls: number;
  /** The highest X-App-Usage seen; past USAGE_STOP_PERCENT the remaining accounts wait. */
  appUsagePercent: number;
  /** The longest wait a rate limit asked for, 0 when none. */
  retryAfterMs: number;
};

/** Published posts of the last 30 days due for a reading, the least recently read first. */
async function duePosts(db: Db, options: InsightsRunOptions): Promise<PostRow[]> {
  const { now } = options;
  const readBefore = new Date(now - (options.minIntervalMs ?? CRON_MIN_INTERVAL_MS));
  const conditions = [
    // (status, posted_at): the index the insights job reads by.
    eq(postSchedule.status, "published"),
    gte(postSchedule.postedAt, new Date(now - INSIGHTS_WINDOW_MS)),
    lte(postSchedule.postedAt, new Date(now)),
    isNotNull(postSchedule.externalPostId),
    isNotNull(postSchedule.socialAccountId),
    options.catchUp
      ? and(
          or(
            isNull(postSchedule.insightsAt),
            and(isNotNull(postSchedule.insightsError), lte(postSchedule.insightsAt, readBefore)),
          ),
          inArray(
            postSchedule.socialAccountId,
            db
              .select({ id: socialAccounts.id })
              .from(socialAccounts)
              .where(eq(socialAccounts.status, "connected")),
          ),
        )
      : or(isNull(postSchedule.insightsAt), lte(postSchedule.insightsAt, readBefore)),
  ];
  if (options.agentId) conditions.push(eq(postSchedule.agentId, options.agentId));
  if (options.postIds) conditions.push(inArray(postSchedule.id, options.postIds.slice(0, 90)));
  return db
    .select({
      id: postSchedule.id,
      agentId: postSchedule.agentId,
      platform: postSchedule.platform,
      externalPostId: postSchedule.externalPostId,
      socialAccountId: postSchedule.socialAccountId,
    })
    .from(postSchedule)
    .where(and(...conditions))
    .orderBy(asc(postSchedule.insightsAt), asc(postSchedule.postedAt))
    .limit(options.maxPosts ?? MAX_POSTS_PER_RUN);
}

/** D1 binds at most 100 parameters per statement: 8 columns a row, so 12 rows per insert. */
const ROWS_PER_INSERT = 12;

/** Stores one post's reading and marks the post read, in one batch. */
async function storeReading(db: Db, post: PostRow, readings: Reading[], at: Date) {
  const rows = readings.map((r) => ({
    id: newId(),
    agentId: post.agentId,
    postId: post.id,
    platform: post.platform,
    metric: r.metric,
    value: r.value,
    status: r.status,
    capturedAt: at,
  }));
  const inserts = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    inserts.push(
      db
        .insert(postMetrics)
        .values(rows.slice(i, i + ROWS_PER_INSERT))
        .onConflictDoNothing({ target: [postMetrics.postId, postMetrics.metric, postMetrics.capturedAt] }),
    );
  }
  const mark = db
    .update(postSchedule)
    .set({ insightsAt: at, insightsError: null })
    .where(eq(postSchedule.id, post.id));
  await db.batch([mark, ...inserts]);
  return rows.length;
}

async function noteError(db: Db, postIds: string[], message: string, at?: Date) {
  for (let i = 0; i < postIds.length; i += 90) {
    await db
      .update(postSchedule)
      .set(at ? { insightsError: message, insightsAt: at } : { insightsError: message })
      .where(inArray(postSchedule.id, postIds.slice(i, i + 90)));
  }
}

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

/** Reads one account's posts until done, rate-limited or the token fails. */
async function readAccount(
  env: Env,
  db: Db,
  graph: GraphClient,
  account: SocialAccount | undefined,
  posts: PostRow[],
  at: Date,
  summary: InsightsRunSummary,
) {
  const ids = posts.map((p) => p.id);
  if (account?.status !== "connected") {
    await noteError(db, ids, "The account is not connected: reconnect it in Settings to read metrics.");
    summary.deferred += posts.length;
    return;
  }
  if (summary.appUsagePercent >= USAGE_STOP_PERCENT) {
    await noteError(
      db,
      ids,
      `Meta's usage limit is at ${summary.appUsagePercent}%; metrics are read in a later run.`,
    );
    summary.deferred += posts.length;
    return;
  }
  const token = await accountToken(env, account);
  const usage = new UsageTracker(summary);
  for (const [index, post] of posts.entries()) {
    // Out of this run's call budget: the rest stay due, least recently read first, for the next run.
    if (summary.calls >= MAX_CALLS_PER_RUN) return;
    const rest = ids.slice(index);
    try {
      const readings = await readPostMetrics(graph, token, post.platform, post.externalPostId ?? "", usage);
      summary.rows += await storeReading(db, post, readings, at);
      summary.read++;
    } catch (error) {
      if (!(error instanceof GraphError)) throw error;
      if (error.kind === "rate_limited" || error.kind === "blocked") {
        summary.retryAfterMs = Math.max(summary.retryAfterMs, error.retryAfterMs);
        await noteError(
          db,
          rest,
          `Meta's rate limit was reached; metrics are read again in about ${minutes(error.retryAfterMs)} minutes.`,
        );
        summary.deferred += rest.length;
        return;
      }
      if (error.kind === "reconnect") {
        const expired = error.code === 190 || error.code === 102;
        if (expired) {
          await markNeedsReconnect(
            env,
            db,
            account,
            "Facebook ended the app's access (the login expired or was revoked).",
          );
        }
        await noteError(
          db,
          rest,
          expired
            ? "The account needs a reconnect before its metrics can be read."
            : "Meta did not allow reading this account's insights: reconnect it and allow insights.",
        );
        summary.deferred += rest.length;
        return;
      }
      // Rejected (a deleted post, a metric Graph does not offer for it) or a transient failure: this post
      // waits for the next daily reading; the others go on.
      await noteError(db, [post.id], `Meta refused the metrics: ${error.userMessage ?? error.message}`, at);
      summary.failed++;
    }
    if (usage.peak >= USAGE_STOP_PERCENT && index < posts.length - 1) {
      const left = ids.slice(index + 1);
      summary.retryAfterMs = Math.max(summary.retryAfterMs, 60 * 60_000);
      await noteError(db, left, `Meta's usage limit is at ${usage.peak}%; metrics are read in a later run.`);
      summary.deferred += left.length;
      return;
    }
  }
}

/**
 * Reads the metrics of due posts (one agent's or everyone's), grouped per account and one account at a
 * time, within Graph's rate limits. Each post's reading is stored as soon as it is read, so a stop loses
 * nothing; a repeated run at the same instant writes nothing new.
 */
export async function readPostInsights(env: Env, options: InsightsRunOptions): Promise<InsightsRunSummary> {
  const db = createDb(env.DB);
  const at = new Date(options.now);
  const summary: InsightsRunSummary = {
    read: 0,
    failed: 0,
    deferred: 0,
    rows: 0,
    calls: 0,
    appUsagePercent: 0,
    retryAfterMs: 0,
  };
  const posts = await duePosts(db, options);
  if (posts.length === 0) return summary;
  const byAccount = new Map<string, PostRow[]>();
  for (const post of posts) {
    const key = post.socialAccountId ?? "";
    const list = byAccount.get(key) ?? [];
    if (list.length < (options.maxPostsPerAccount ?? MAX_POSTS_PER_ACCOUNT)) list.push(post);
    byAccount.set(key, list);
  }
  const accountIds = [...byAccount.keys()];
  const accounts = new Map<string, SocialAccount>();
  for (let i = 0; i < accountIds.length; i += 90) {
    const rows = await db
      .select()
      .from(socialAccounts)
      .where(inArray(socialAccounts.id, accountIds.slice(i, i + 90)));
    for (const row of rows) accounts.set(row.id, row);
  }
  const graph = new GraphClient(env);
  for (const [accountId, list] of byAccount) {
    // One account's failure (a token that no longer decrypts, a D1 hiccup) must not stop the others.
    await readAccount(env, db, graph, accounts.get(accountId), list, at, summary).catch((error: unknown) => {
      console.error(
        "insights: reading an account failed",
        accountId,
        error instanceof Error ? error.name : "",
      );
      summary.failed += list.length;
    });
  }
  return summary;
}

/** Posts the catch-up reads in one 30-minute run (the daily run reads up to MAX_POSTS_PER_RUN). */
export const CATCH_UP_POSTS = 25;

/**
 * Between the daily runs: new posts get their first reading, and posts a rate limit deferred are tried
 * again (one call per still-limited account per run), so a limit at 07:15 does not cost a day.
 */
export function catchUpInsights(env: Env, now: number) {
  return readPostInsights(env, { now, catchUp: true, maxPosts: CATCH_UP_POSTS });
}

export type LatestMetric = MetricReading;

/** The latest reading of every metric of the agent's posts, by post id (posts without readings absent). */
export async function latestMetrics(
  db: Db,
  agentId: string,
  postIds: string[],
): Promise<Record<string, LatestMetric[]>> {
  const out: Record<string, LatestMetric[]> = {};
  const unique = [...new Set(postIds)];
  for (let i = 0; i < unique.length; i += 90) {
    const rows = await db
      .select({
        postId: postMetrics.postId,
        metric: postMetrics.metric,
        value: postMetrics.value,
        status: postMetrics.status,
        capturedAt: postMetrics.capturedAt,
      })
      .from(postMetrics)
      .where(
        and(
          // Unary + keeps SQLite off the (agent_id, captured_at) index, which would read every reading the
          // agent ever had: the (post_id, metric, captured_at) index finds these posts' rows directly.
          sql`+${postMetrics.agentId} = ${agentId}`,
          inArray(postMetrics.postId, unique.slice(i, i + 90)),
          sql`${postMetrics.capturedAt} = (select max(m2.captured_at) from ${postMetrics} m2 where m2.post_id = ${postMetrics.postId} and m2.metric = ${postMetrics.metric})`,
        ),
      );
    for (const row of rows) {
      const list = out[row.postId] ?? [];
      list.push({
        metric: row.metric,
        value: row.value,
        status: row.status,
        capturedAt: row.capturedAt.getTime(),
      });
      out[row.postId] = list;
    }
  }
  return out;
}

type InsightsDeps = { db: Db; env: Env; agentId: string };

export type MetricPoint = { at: number; value: number | null; status: MetricStatus };
export type PostInsightsView = {
  postId: string;
  platform: SocialPlatform;
  /** When the metrics were last read, and why the last read failed (null when it did not). */
  insightsAt: number | null;
  insightsError: string | null;
  latest: LatestMetric[];
};

async function ownedPublishedPost(db: Db, agentId: string, id: string) {
  const [post] = await db
    .select()
    .from(postSchedule)
    .where(and(eq(postSchedule.id, id), eq(postSchedule.agentId, agentId)))
    .limit(1);
  if (!post) throw new ServiceError("NOT_FOUND", "Post not found");
  if (post.status !== "published" || !post.externalPostId) {
    throw new ServiceError("CONFLICT", "Only a published post has metrics.");
  }
  return post;
}

async function insightsView(db: Db, agentId: string, post: typeof postSchedule.$inferSelect) {
  const latest = (await latestMetrics(db, agentId, [post.id]))[post.id] ?? [];
  return {
    postId: post.id,
    platform: post.platform,
    insightsAt: post.insightsAt?.getTime() ?? null,
    insightsError: post.insightsError,
    latest,
  } satisfies PostInsightsView;
}

/**
 * "Refresh" on a post: reads its metrics now, unless they were read in the last 5 minutes or the post is
 * older than the 30 days metrics are read for; answers the latest readings either way.
 */
export async function refreshPostInsights({ db, env, agentId }: InsightsDeps, id: string, now = Date.now()) {
  let post = await ownedPublishedPost(db, agentId, id);
  const recent = post.insightsAt && post.insightsAt.getTime() > now - REFRESH_MIN_INTERVAL_MS;
  const inWindow = post.postedAt && post.postedAt.getTime() >= now - INSIGHTS_WINDOW_MS;
  let refreshed = false;
  if (!recent && inWindow) {
    const summary = await readPostInsights(env, {
      now,
      agentId,
      postIds: [post.id],
      minIntervalMs: REFRESH_MIN_INTERVAL_MS,
      maxPosts: 1,
    });
    refreshed = summary.read > 0;
    post = await ownedPublishedPost(db, agentId, id);
  }
  return { refreshed, ...(await insightsView(db, agentId, post)) };
}

/** A post's latest readings, and every reading of the last 30 days as a series per metric. */
export async function postInsights(
  { db, agentId }: Pick<InsightsDeps, "db" | "agentId">,
  id: string,
  now = Date.now(),
) {
  const post = await ownedPublishedPost(db, agentId, id);
  const rows = await db
    .select({
      metric: postMetrics.metric,
      value: postMetrics.value,
      status: postMetrics.status,
      capturedAt: postMetrics.capturedAt,
    })
    .from(postMetrics)
    .where(
      and(
        eq(postMetrics.agentId, agentId),
        eq(postMetrics.postId, post.id),
        gte(postMetrics.capturedAt, new Date(now - INSIGHTS_WINDOW_MS)),
      ),
    )
    .orderBy(asc(postMetrics.capturedAt));
  const series = new Map<string, MetricPoint[]>();
  for (const row of rows) {
    const points = series.get(row.metric) ?? [];
    points.push({ at: row.capturedAt.getTime(), value: row.value, status: row.status });
    series.set(row.metric, points);
  }
  return {
    ...(await insightsView(db, agentId, post)),
    series: [...series].map(([metric, points]) => ({ metric, points })),
  };
}
