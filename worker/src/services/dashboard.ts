// What the dashboard shows beyond the counts: how the last 30 days' posts did, what goes out in the next
// 7 days, the posts that need Chris, and the listings nothing was drafted for. Three queries, each on an
// index that starts with agent_id, sent in one batch with the dashboard's other reads (routers/
// dashboard.ts); metrics are summed here from each post's latest reading.
import {
  contentPieces,
  listings,
  postMetrics,
  postSchedule,
  SOCIAL_PLATFORMS,
  type SocialPlatform,
  socialAccounts,
} from "db";
import { and, asc, desc, eq, gte, inArray, lt, ne, notExists, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../lib/db";
import { type RowsOf, readBatch, readTemplate, sqlBuilder } from "../lib/read-template";
import { calendarDatesIn } from "../lib/time";
import {
  foldReadings,
  METRIC_KEYS,
  type MetricReading,
  type MetricValue,
  type PostMetricValues,
} from "../schemas/post-metrics";

const DAY_MS = 24 * 3600_000;
export const PERFORMANCE_DAYS = 30;
export const UPCOMING_DAYS = 7;
const MAX_POSTS = 500;
const BEST_POSTS = 3;
const FIRST_LISTINGS = 5;

const numberOf = (value: MetricValue | undefined) => (typeof value === "number" ? value : 0);

/** Adds figures: a sum where any post had a number, "unavailable" where every post was refused. */
function addMetrics(total: PostMetricValues, metrics: PostMetricValues) {
  for (const key of METRIC_KEYS) {
    const value = metrics[key];
    if (value === undefined) continue;
    const current = total[key];
    if (typeof value === "number") total[key] = numberOf(current) + value;
    else if (current === undefined) total[key] = "unavailable";
  }
}

/** The readings `where` selects, each ranked among its post's readings of that metric, latest first. */
function rankedReadings(db: Db, where: SQL | undefined) {
  return db
    .select({
      postId: postMetrics.postId,
      metric: postMetrics.metric,
      value: postMetrics.value,
      status: postMetrics.status,
      capturedAt: postMetrics.capturedAt,
      rank: sql<number>`row_number() over (partition by ${postMetrics.postId}, ${postMetrics.metric} order by ${postMetrics.capturedAt} desc)`.as(
        "rank",
      ),
    })
    .from(postMetrics)
    .where(where)
    .as("ranked");
}

const readingColumns = (ranked: ReturnType<typeof rankedReadings>) => ({
  postId: ranked.postId,
  metric: ranked.metric,
  value: ranked.value,
  status: ranked.status,
  capturedAt: ranked.capturedAt,
});

/** Each post's latest reading of each metric among the readings `where` selects (a query). */
function latestReadings(db: Db, where: SQL | undefined) {
  const ranked = rankedReadings(db, where);
  return db.select(readingColumns(ranked)).from(ranked).where(eq(ranked.rank, 1));
}

/** Each post's latest reading of each metric since `since` (the (agent_id, captured_at) index). */
const rankedSince = rankedReadings(
  sqlBuilder,
  and(
    eq(postMetrics.agentId, sql.placeholder("agentId")),
    gte(postMetrics.capturedAt, sql.placeholder("since")),
  ),
);
const readingsSinceColumns = readingColumns(rankedSince);
const latestReadingsSinceTemplate = readTemplate(readingsSinceColumns, (db) =>
  db.select(readingsSinceColumns).from(rankedSince).where(eq(rankedSince.rank, 1)),
);

/**
 * Each given post's latest reading of each metric, on the (post_id, metric, captured_at) index: the agent
 * check is written `+agent_id` so SQLite does not walk all the agent's readings on (agent_id, captured_at).
 */
export async function latestReadingsOf(
  db: Db,
  agentId: string,
  postIds: readonly string[],
): Promise<MetricReading[]> {
  if (postIds.length === 0) return [];
  return latestReadings(
    db,
    and(inArray(postMetrics.postId, [...postIds]), sql`+${postMetrics.agentId} = ${agentId}`),
  );
}

/** What every list of posts here shows of each. */
const postSummaryColumns = {
  id: postSchedule.id,
  contentId: postSchedule.contentId,
  platform: postSchedule.platform,
  status: postSchedule.status,
  scheduledAt: postSchedule.scheduledAt,
  postedAt: postSchedule.postedAt,
  permalink: postSchedule.permalink,
};

/**
 * The posts the dashboard lists, in one range of the (agent_id, scheduled_at) index: published in the
 * window (a retried post may go out weeks after its time, hence the wider lower bound), due in the next
 * days, or failed / unconfirmed in the window. Flat columns (a template's): a shown post gets its listing.
 */
const dashboardPostColumns = {
  ...postSummaryColumns,
  failureKind: postSchedule.failureKind,
  lastError: postSchedule.lastError,
  insightsError: postSchedule.insightsError,
  kind: contentPieces.kind,
  // The piece's listing_id, not listings.id: a D1 batch hands rows over as objects, where a second "id"
  // column would overwrite the post's.
  listingId: contentPieces.listingId,
  listingAddressLine: listings.addressLine,
  listingCity: listings.city,
};
const dashboardPostsTemplate = readTemplate(dashboardPostColumns, (db, p) =>
  db
    .select(dashboardPostColumns)
    .from(postSchedule)
    .innerJoin(contentPieces, eq(contentPieces.id, postSchedule.contentId))
    .innerJoin(listings, eq(listings.id, contentPieces.listingId))
    .where(
      and(
        eq(postSchedule.agentId, p("agentId")),
        gte(postSchedule.scheduledAt, p("retriedSince")),
        lt(postSchedule.scheduledAt, p("until")),
        or(
          and(eq(postSchedule.status, "published"), gte(postSchedule.postedAt, p("since"))),
          and(
            inArray(postSchedule.status, ["scheduled", "publishing"]),
            gte(postSchedule.scheduledAt, p("now")),
          ),
          and(
            inArray(postSchedule.status, ["failed", "unconfirmed"]),
            gte(postSchedule.scheduledAt, p("since")),
          ),
        ),
      ),
    )
    .orderBy(asc(postSchedule.scheduledAt), asc(postSchedule.id))
    .limit(MAX_POSTS),
);

/** Active listings without a single content piece: the count and the first few, newest first. */
const withoutContentColumns = {
  id: listings.id,
  addressLine: listings.addressLine,
  city: listings.city,
  firstSeenAt: listings.firstSeenAt,
  total: sql<number>`count(*) over ()`,
};
const withoutContentTemplate = readTemplate(withoutContentColumns, (db, p) =>
  db
    .select(withoutContentColumns)
    .from(listings)
    .where(
      and(
        eq(listings.agentId, p("agentId")),
        ne(listings.status, "off_market"),
        notExists(
          db
            .select({ one: sql`1` })
            .from(contentPieces)
            .where(and(eq(contentPieces.agentId, p("agentId")), eq(contentPieces.listingId, listings.id))),
        ),
      ),
    )
    .orderBy(desc(listings.firstSeenAt))
    .limit(FIRST_LISTINGS),
);

const NEEDS_ATTENTION_REASON = {
  unconfirmed: "We could not confirm that this post went out, so it was not sent again.",
  failed: "This post was not published.",
} as const;

/** The reads behind the dashboard's activity, for one `readBatch` with its other reads. */
export function dashboardPerformanceReads(db: Db, agentId: string, now = Date.now()) {
  const since = now - PERFORMANCE_DAYS * DAY_MS;
  return [
    dashboardPostsTemplate.read(db, {
      agentId,
      retriedSince: since - PERFORMANCE_DAYS * DAY_MS,
      until: now + UPCOMING_DAYS * DAY_MS,
      since,
      now,
    }),
    latestReadingsSinceTemplate.read(db, { agentId, since }),
    withoutContentTemplate.read(db, { agentId }),
  ] as const;
}

type PerformanceRows = RowsOf<ReturnType<typeof dashboardPerformanceReads>>;

export async function dashboardPerformance(db: Db, agentId: string, timeZone: string, now = Date.now()) {
  return dashboardPerformanceFrom(
    await readBatch(db, dashboardPerformanceReads(db, agentId, now)),
    timeZone,
    now,
  );
}

/** How the posts did, what is next and what needs Chris, from the rows of `dashboardPerformanceReads`. */
export function dashboardPerformanceFrom(
  [posts, readings, withoutContent]: PerformanceRows,
  timeZone: string,
  now = Date.now(),
) {
  const since = now - PERFORMANCE_DAYS * DAY_MS;
  // Only the posts shown carry their listing: a month's posts are a few hundred rows.
  const listingOf = (post: (typeof posts)[number]) => ({
    id: post.listingId,
    addressLine: post.listingAddressLine,
    city: post.listingCity,
  });
  const folded = foldReadings(readings);

  const published = posts.filter((post) => post.status === "published");
  const platforms = new Map<SocialPlatform, { posts: number; measured: number; totals: PostMetricValues }>();
  const dayKey = calendarDatesIn(timeZone, since, now);
  const days = new Map<string, { posts: number; reach: number; interactions: number }>();
  for (let at = since + DAY_MS; at <= now + 1; at += DAY_MS) {
    days.set(dayKey(at), { posts: 0, reach: 0, interactions: 0 });
  }
  const scored = [];
  for (const post of published) {
    const entry = platforms.get(post.platform) ?? { posts: 0, measured: 0, totals: {} };
    entry.posts += 1;
    const reading = folded.get(post.id);
    if (reading) {
      entry.measured += 1;
      addMetrics(entry.totals, reading.metrics);
    }
    platforms.set(post.platform, entry);
    const postedAt = post.postedAt?.getTime() ?? post.scheduledAt.getTime();
    const day = days.get(dayKey(postedAt));
    if (day) {
      day.posts += 1;
      // Reach, not views: Facebook gives unique viewers only, so it is the figure both platforms share.
      day.reach += numberOf(reading?.metrics.reach);
      day.interactions += numberOf(reading?.metrics.interactions);
    }
    if (reading) {
      scored.push({
        postId: post.id,
        contentId: post.contentId,
        platform: post.platform,
        postedAt,
        permalink: post.permalink,
        listing: listingOf(post),
        interactions: numberOf(reading.metrics.interactions),
        metrics: reading.metrics,
        readAt: reading.readAt,
      });
    }
  }
  scored.sort((a, b) => b.interactions - a.interactions || b.postedAt - a.postedAt);

  const toBrief = (post: (typeof posts)[number]) => ({
    id: post.id,
    contentId: post.contentId,
    platform: post.platform,
    kind: post.kind,
    status: post.status,
    scheduledAt: post.scheduledAt.getTime(),
    listing: listingOf(post),
  });
  return {
    performance: {
      days: PERFORMANCE_DAYS,
      publishedPosts: published.length,
      measuredPosts: published.filter((post) => folded.has(post.id)).length,
      platforms: SOCIAL_PLATFORMS.flatMap((platform) => {
        const entry = platforms.get(platform);
        return entry ? [{ platform, ...entry }] : [];
      }),
      daily: [...days].map(([date, figures]) => ({ date, ...figures })),
      best: scored.slice(0, BEST_POSTS),
    },
    upcoming: posts
      .filter((post) => post.status === "scheduled" || post.status === "publishing")
      .map(toBrief),
    needsAttention: posts
      .filter((post) => post.status === "failed" || post.status === "unconfirmed")
      .map((post) => ({
        ...toBrief(post),
        failureKind: post.failureKind,
        reason:
          post.status === "unconfirmed"
            ? NEEDS_ATTENTION_REASON.unconfirmed
            : (post.lastError ?? NEEDS_ATTENTION_REASON.failed),
      }))
      .reverse(),
    listingsWithoutContent: {
      count: withoutContent[0]?.total ?? 0,
      first: withoutContent.map(({ total, firstSeenAt, ...listing }) => listing),
    },
  };
}

/** The posts of one listing (cancelled ones left out), newest first, each with its latest figures. */
export async function postsOfListing(db: Db, agentId: string, listingId: string) {
  const rows = await db
    .select({
      ...postSummaryColumns,
      insightsAt: postSchedule.insightsAt,
      insightsError: postSchedule.insightsError,
      kind: contentPieces.kind,
      accountName: socialAccounts.displayName,
    })
    .from(contentPieces)
    // Written as the partial unique index's own condition, so SQLite finds each piece's posts on it.
    .innerJoin(
      postSchedule,
      and(eq(postSchedule.contentId, contentPieces.id), sql`${postSchedule.status} <> 'cancelled'`),
    )
    .leftJoin(socialAccounts, eq(socialAccounts.id, postSchedule.socialAccountId))
    .where(
      and(
        eq(contentPieces.agentId, agentId),
        eq(contentPieces.listingId, listingId),
        sql`+${postSchedule.agentId} = ${agentId}`,
      ),
    )
    .orderBy(desc(postSchedule.scheduledAt))
    .limit(MAX_POSTS);
  const folded = foldReadings(
    await latestReadingsOf(
      db,
      agentId,
      rows.map((row) => row.id),
    ),
  );
  return {
    items: rows.map((row) => ({
      ...row,
      scheduledAt: row.scheduledAt.getTime(),
      postedAt: row.postedAt?.getTime() ?? null,
      insightsAt: row.insightsAt?.getTime() ?? null,
      metrics: folded.get(row.id)?.metrics ?? null,
    })),
  };
}
