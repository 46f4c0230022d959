import { env as workerEnv } from "cloudflare:workers";
import { contentPieces, listings, postMetrics, postSchedule } from "db";
import { describe, expect, it } from "vitest";
import { createDb } from "../src/lib/db";
import { newId } from "../src/lib/ids";
import { utcToZoned } from "../src/lib/time";
import { dashboardPerformance, postsOfListing } from "../src/services/dashboard";
import { db } from "./helpers/content";
import { signedUpBrowser } from "./helpers/http";
import { recordingEnv } from "./helpers/listings";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

type Metrics = Record<string, number | "unavailable">;
type Overview = {
  listings: { activeListings: number };
  performance: {
    days: number;
    publishedPosts: number;
    measuredPosts: number;
    platforms: { platform: string; posts: number; measured: number; totals: Metrics }[];
    daily: { date: string; posts: number; reach: number; interactions: number }[];
    best: {
      postId: string;
      platform: string;
      permalink: string | null;
      interactions: number;
      metrics: Metrics;
      listing: { id: string; addressLine: string };
    }[];
  };
  upcoming: { id: string; platform: string; scheduledAt: number; listing: { addressLine: string } }[];
  needsAttention: { id: string; status: string; reason: string; listing: { addressLine: string } }[];
  listingsWithoutContent: { count: number; first: { id: string; addressLine: string }[] };
};

let listingNumber = 0;

/** A listing of the agent's, written directly (the dashboard only reads it). */
async function seedListing(agentId: string, status: "available" | "off_market" = "available") {
  listingNumber++;
  const id = newId();
  const now = Date.now();
  await db()
    .insert(listings)
    .values({
      id,
      agentId,
      origin: "manual",
      sourceKey: `key-${id}`,
      contentHash: "hash",
      addressLine: `${100 + listingNumber} Palm Way`,
      city: "Orlando",
      status,
      firstSeenAt: new Date(now - listingNumber * HOUR),
      lastSeenAt: new Date(now),
    });
  return id;
}

async function seedPiece(agentId: string, listingId: string, kind: "facebook_post" | "instagram_caption") {
  const id = newId();
  await db()
    .insert(contentPieces)
    .values({
      id,
      agentId,
      listingId,
      kind,
      postType: "new_listing",
      status: "approved",
      generationKey: `gen-${id}`,
      rootId: id,
      body: "A new home",
    });
  return id;
}

type PostSeed = {
  platform: "facebook" | "instagram";
  status: "scheduled" | "published" | "failed" | "unconfirmed" | "cancelled";
  scheduledAt: number;
  postedAt?: number;
  lastError?: string;
};

async function seedPost(agentId: string, contentId: string, seed: PostSeed) {
  const id = newId();
  await db()
    .insert(postSchedule)
    .values({
      id,
      agentId,
      contentId,
      platform: seed.platform,
      status: seed.status,
      phase: seed.status === "scheduled" ? "new" : "done",
      scheduledAt: new Date(seed.scheduledAt),
      postedAt: seed.postedAt ? new Date(seed.postedAt) : null,
      permalink: seed.status === "published" ? `https://social.example/${id}` : null,
      lastError: seed.lastError ?? null,
    });
  return id;
}

async function seedReading(
  agentId: string,
  postId: string,
  platform: "facebook" | "instagram",
  capturedAt: number,
  values: Record<string, number | null>,
) {
  await db()
    .insert(postMetrics)
    .values(
      Object.entries(values).map(([metric, value]) => ({
        id: newId(),
        agentId,
        postId,
        platform,
        metric,
        value,
        status: value === null ? ("unavailable" as const) : ("ok" as const),
        capturedAt: new Date(capturedAt),
      })),
    );
}

/** Two listings with posts and readings, one listing without content, one off the market. */
async function seededAgent() {
  const agent = await signedUpBrowser("Chris Morgan");
  const { agentId } = agent;
  const now = Date.now();
  const oak = await seedListing(agentId);
  const palm = await seedListing(agentId);
  const bare = await seedListing(agentId);
  await seedListing(agentId, "off_market");
  const oakFb = await seedPiece(agentId, oak, "facebook_post");
  const oakIg = await seedPiece(agentId, oak, "instagram_caption");
  const palmFb = await seedPiece(agentId, palm, "facebook_post");
  const palmIg = await seedPiece(agentId, palm, "instagram_caption");

  // Published 2 days ago on Facebook, read twice: only the later reading counts.
  const fbRecent = await seedPost(agentId, oakFb, {
    platform: "facebook",
    status: "published",
    scheduledAt: now - 2 * DAY,
    postedAt: now - 2 * DAY,
  });
  await seedReading(agentId, fbRecent, "facebook", now - DAY - HOUR, {
    views_unique: 50,
    reactions: 1,
    reactions_like: 1,
    comments: 0,
    shares: 0,
    clicks: 1,
  });
  await seedReading(agentId, fbRecent, "facebook", now - HOUR, {
    views_unique: 120,
    reactions: 10,
    reactions_like: 7,
    reactions_love: 3,
    comments: 2,
    shares: 1,
    clicks: 9,
  });
  // Published 5 days ago on Instagram, a small account: reach and views refused.
  const igSmall = await seedPost(agentId, oakIg, {
    platform: "instagram",
    status: "published",
    scheduledAt: now - 5 * DAY,
    postedAt: now - 5 * DAY,
  });
  await seedReading(agentId, igSmall, "instagram", now - HOUR, {
    views: null,
    reach: null,
    likes: 4,
    comments: 1,
    saved: 2,
    shares: 0,
    total_interactions: 7,
  });
  // Published 10 days ago on Instagram with everything.
  const igBig = await seedPost(agentId, palmIg, {
    platform: "instagram",
    status: "published",
    scheduledAt: now - 10 * DAY,
    postedAt: now - 10 * DAY,
  });
  await seedReading(agentId, igBig, "instagram", now - 2 * HOUR, {
    views: 900,
    reach: 600,
    likes: 30,
    comments: 5,
    saved: 8,
    shares: 2,
    total_interactions: 45,
  });
  // Published 40 days ago: outside the window, even with a reading inside it.
  const fbOld = await seedPost(agentId, palmFb, {
    platform: "facebook",
    status: "published",
    scheduledAt: now - 40 * DAY,
    postedAt: now - 40 * DAY,
  });
  await seedReading(agentId, fbOld, "facebook", now - 3 * HOUR, { reactions: 500 });

  // Upcoming: tomorrow (shown) and in 9 days (outside the 7 days).
  const fbTomorrow = await seedPost(agentId, await seedPiece(agentId, palm, "facebook_post"), {
    platform: "facebook",
    status: "scheduled",
    scheduledAt: now + DAY,
  });
  await seedPost(agentId, await seedPiece(agentId, palm, "facebook_post"), {
    platform: "facebook",
    status: "scheduled",
    scheduledAt: now + 9 * DAY,
  });
  // A cancelled post tomorrow is not upcoming.
  await seedPost(agentId, await seedPiece(agentId, palm, "facebook_post"), {
    platform: "facebook",
    status: "cancelled",
    scheduledAt: now + DAY,
  });
  // Needs Chris: failed 1 day ago, unconfirmed 3 days ago; a failure 45 days ago has aged out.
  const failed = await seedPost(agentId, await seedPiece(agentId, palm, "facebook_post"), {
    platform: "facebook",
    status: "failed",
    scheduledAt: now - DAY,
    lastError: "Reconnect your Facebook Page in Settings, then try again.",
  });
  const unconfirmed = await seedPost(agentId, await seedPiece(agentId, palm, "instagram_caption"), {
    platform: "instagram",
    status: "unconfirmed",
    scheduledAt: now - 3 * DAY,
  });
  await seedPost(agentId, await seedPiece(agentId, palm, "facebook_post"), {
    platform: "facebook",
    status: "failed",
    scheduledAt: now - 45 * DAY,
    lastError: "old",
  });
  return { ...agent, now, oak, palm, bare, fbRecent, igSmall, igBig, fbOld, fbTomorrow, failed, unconfirmed };
}

/** The query plans of the statements, one line per step. */
async function plansOf(statements: readonly string[]) {
  const steps: string[] = [];
  for (const query of statements) {
    const binds = Array.from(query.matchAll(/\?/g), () => null);
    const plan = await workerEnv.DB.prepare(`explain query plan ${query}`)
      .bind(...binds)
      .all<{ detail: string }>();
    steps.push(...plan.results.map((row) => row.detail));
  }
  return steps;
}

/** Full scans of a table (subquery results aside). */
const tableScans = (steps: string[]) => steps.filter((step) => /^SCAN rltr_mktg_/.test(step));

describe("dashboard.overview", () => {
  it("sums each post's latest reading per platform and ranks the best posts", async () => {
    const seeded = await seededAgent();
    const res = await seeded.browser.query<Overview>("dashboard.overview");
    expect(res.status).toBe(200);
    const { performance } = res.data;
    expect(performance.days).toBe(30);
    expect(performance.publishedPosts).toBe(3);
    expect(performance.measuredPosts).toBe(3);

    const facebook = performance.platforms.find((p) => p.platform === "facebook");
    expect(facebook).toMatchObject({ posts: 1, measured: 1 });
    // The later reading only; reactions in total (not again by type); interactions = reactions + comments + shares.
    expect(facebook?.totals).toEqual({
      reach: 120,
      reactions: 10,
      comments: 2,
      shares: 1,
      clicks: 9,
      interactions: 13,
    });
    const instagram = performance.platforms.find((p) => p.platform === "instagram");
    expect(instagram).toMatchObject({ posts: 2, measured: 2 });
    // The small post's refused views do not hide the other's.
    expect(instagram?.totals).toEqual({
      views: 900,
      reach: 600,
      reactions: 34,
      comments: 6,
      saves: 10,
      shares: 2,
      interactions: 52,
    });

    expect(performance.best.map((post) => post.postId)).toEqual([
      seeded.igBig,
      seeded.fbRecent,
      seeded.igSmall,
    ]);
    const [top, , small] = performance.best;
    expect(top).toMatchObject({
      platform: "instagram",
      interactions: 45,
      permalink: `https://social.example/${seeded.igBig}`,
      listing: { id: seeded.palm, addressLine: expect.stringMatching(/Palm Way$/) },
    });
    expect(small?.metrics).toMatchObject({ views: "unavailable", reach: "unavailable", interactions: 7 });

    // 30 days, each published post on its day.
    expect(performance.daily).toHaveLength(30);
    expect(performance.daily.reduce((sum, day) => sum + day.posts, 0)).toBe(3);
    expect(performance.daily.reduce((sum, day) => sum + day.interactions, 0)).toBe(13 + 7 + 45);
    // Reach, the figure both platforms give; the small post's refused reach counts as none.
    expect(performance.daily.reduce((sum, day) => sum + day.reach, 0)).toBe(120 + 600);
    expect(performance.daily.at(-1)?.date).toBe(utcToZoned(seeded.now, "America/New_York").date);
  });

  it("shows the next 7 days' posts, the posts that need Chris and the listings without content", async () => {
    const seeded = await seededAgent();
    const { data } = await seeded.browser.query<Overview>("dashboard.overview");
    expect(data.upcoming.map((post) => post.id)).toEqual([seeded.fbTomorrow]);
    expect(data.upcoming[0]).toMatchObject({ platform: "facebook", scheduledAt: seeded.now + DAY });
    expect(data.needsAttention.map((post) => [post.id, post.status])).toEqual([
      [seeded.failed, "failed"],
      [seeded.unconfirmed, "unconfirmed"],
    ]);
    expect(data.needsAttention[0]?.reason).toBe("Reconnect your Facebook Page in Settings, then try again.");
    expect(data.needsAttention[1]?.reason).toMatch(/could not confirm/);
    // The off-market listing is not counted.
    expect(data.listingsWithoutContent.count).toBe(1);
    expect(data.listingsWithoutContent.first.map((listing) => listing.id)).toEqual([seeded.bare]);
  });

  it("never shows another agent's posts, metrics or listings", async () => {
    await seededAgent();
    const other = await signedUpBrowser("Another Agent");
    const { data } = await other.browser.query<Overview>("dashboard.overview");
    expect(data.performance).toMatchObject({ publishedPosts: 0, measuredPosts: 0, platforms: [], best: [] });
    expect(data.performance.daily.every((day) => day.posts === 0)).toBe(true);
    expect(data.upcoming).toEqual([]);
    expect(data.needsAttention).toEqual([]);
    expect(data.listingsWithoutContent).toEqual({ count: 0, first: [] });
  });

  it("reads the dashboard's posts, metrics and listings in three statements", async () => {
    const seeded = await seededAgent();
    const { env, statements } = recordingEnv();
    await dashboardPerformance(createDb(env.DB), seeded.agentId, "America/New_York");
    expect(statements).toHaveLength(3);
    const metricsQuery = statements.find((query) => query.includes('"rltr_mktg_post_metrics"'));
    expect(metricsQuery).toMatch(/"agent_id" = \?/);
    expect(metricsQuery).toMatch(/"captured_at" >= \?/);
    // SQLite plans each on an index: no statement scans one of the tables.
    const steps = await plansOf(statements);
    expect(tableScans(steps)).toEqual([]);
    expect(steps).toContainEqual(expect.stringMatching(/post_metrics USING INDEX .*agent_captured_idx/));
    expect(steps).toContainEqual(expect.stringMatching(/post_schedule USING INDEX .*agent_scheduled_idx/));
  });
});

describe("posts.byListing", () => {
  it("lists a listing's posts with their latest metrics, and nothing of another agent's listing", async () => {
    const seeded = await seededAgent();
    const res = await seeded.browser.query<{
      items: { id: string; status: string; metrics: Metrics | null }[];
    }>("posts.byListing", { listingId: seeded.oak });
    expect(res.status).toBe(200);
    expect(res.data.items.map((post) => post.id)).toEqual([seeded.fbRecent, seeded.igSmall]);
    expect(res.data.items[0]?.metrics).toMatchObject({ reach: 120, reactions: 10, interactions: 13 });
    expect(res.data.items[1]?.metrics).toMatchObject({ views: "unavailable", saves: 2 });

    const other = await signedUpBrowser("Another Agent");
    const theirs = await other.browser.query<{ items: unknown[] }>("posts.byListing", {
      listingId: seeded.oak,
    });
    expect(theirs.data.items).toEqual([]);

    const invalid = await seeded.browser.query("posts.byListing", { listingId: "" });
    expect(invalid.status).toBe(400);

    const { env, statements } = recordingEnv();
    await postsOfListing(createDb(env.DB), seeded.agentId, seeded.oak);
    expect(statements).toHaveLength(2);
    const steps = await plansOf(statements);
    expect(tableScans(steps)).toEqual([]);
    expect(steps).toContainEqual(expect.stringMatching(/post_schedule USING INDEX .*content_platform_uq/));
    expect(steps).toContainEqual(expect.stringMatching(/post_metrics USING INDEX .*post_metric_at_uq/));
  });
});
