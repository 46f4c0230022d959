// The insights job against the Graph fake: metrics of published Facebook and Instagram posts stored as a
// series, "(#10)" as unavailable, rate limits deferring without losing rows, an expired token sending the
// account to reconnect, the 30-day window, idempotent re-runs, and the two procedures.
import { env } from "cloudflare:workers";
import { postMetrics, postSchedule, socialAccounts } from "db";
import { and, eq } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { catchUpInsights, latestMetrics, METRICS, readPostInsights } from "../src/agents/social/insights";
import { runScheduled } from "../src/scheduled";
import { signedUpBrowser } from "./helpers/http";
import {
  type Agent,
  approvedPost,
  callsOf,
  clearFaults,
  connectedAgent,
  control,
  db,
  drive,
  fault,
  photosReadyForInstagram,
  postRow,
} from "./helpers/publishing";

const HOUR = 3_600_000;
const PHOTOS = () => [`${inject("builderSiteUrl")}/images/home-1.jpg`];

async function insightsAgent() {
  const photos = PHOTOS();
  const agent = await connectedAgent({ photos });
  await photosReadyForInstagram(agent, photos);
  // The app asks for read_insights and instagram_manage_insights at login (FACEBOOK_SCOPES).
  for (const permission of ["read_insights", "instagram_manage_insights"]) {
    await control("/permissions", { userId: agent.world.user.id, permission, status: "granted" });
  }
  return agent;
}

async function publishedPost(agent: Agent, platform: "facebook" | "instagram") {
  const { postId } = await approvedPost(agent, platform);
  const post = await drive(postId);
  expect(post?.status).toBe("published");
  return { postId, externalId: post?.externalPostId ?? "" };
}

const metricRows = (postId: string) =>
  db().select().from(postMetrics).where(eq(postMetrics.postId, postId)).orderBy(postMetrics.capturedAt);
const fakeMetrics = (id: string) => control<Record<string, number>>(`/metrics?id=${encodeURIComponent(id)}`);
const insightCalls = async (agent: Agent) =>
  (await callsOf(agent.world)).filter((c) => c.path.endsWith("/insights") || c.params.fields !== undefined);

describe("the insights job", () => {
  it("reads Facebook and Instagram metrics with the Page token and stores one reading per run", {
    timeout: 60_000,
  }, async () => {
    const agent = await insightsAgent();
    const fb = await publishedPost(agent, "facebook");
    const ig = await publishedPost(agent, "instagram");
    const before = (await callsOf(agent.world)).length;
    const t1 = Date.now();
    const summary = await readPostInsights(env, { now: t1, agentId: agent.agentId });
    expect(summary).toMatchObject({ read: 2, failed: 0, deferred: 0, calls: 3 });

    const fbRows = await metricRows(fb.postId);
    expect(fbRows.map((r) => r.metric).sort()).toEqual([...METRICS.facebook].sort());
    expect(fbRows.every((r) => r.status === "ok" && r.capturedAt.getTime() === t1)).toBe(true);
    const fbFake = await fakeMetrics(fb.externalId);
    const fbValue = (metric: string) => fbRows.find((r) => r.metric === metric)?.value;
    expect(fbValue("views_unique")).toBe(fbFake.post_total_media_view_unique);
    expect(fbValue("clicks")).toBe(fbFake.post_clicks);
    expect(fbValue("comments")).toBe(fbFake.comments);
    expect(fbValue("shares")).toBe(fbFake.shares);
    expect(fbValue("reactions")).toBe(fbFake.reactionsTotal);
    expect(fbValue("reactions_haha")).toBe(0);

    const igRows = await metricRows(ig.postId);
    const igFake = await fakeMetrics(ig.externalId);
    expect(Object.fromEntries(igRows.map((r) => [r.metric, r.value]))).toEqual(
      Object.fromEntries(METRICS.instagram.map((m) => [m, igFake[m]])),
    );
    expect(await postRow(fb.postId)).toMatchObject({ insightsAt: new Date(t1), insightsError: null });

    // Page token, the current metric names, never the retired impressions.
    const calls = (await callsOf(agent.world)).slice(before);
    expect(calls).toHaveLength(3);
    expect(calls.every((c) => c.tokenKind === "page" && c.status === 200)).toBe(true);
    expect(calls.map((c) => c.params.metric ?? c.params.fields)).toEqual([
      "post_total_media_view_unique,post_reactions_by_type_total,post_clicks",
      "shares,comments.summary(true).limit(0)",
      "views,reach,likes,comments,saved,shares,total_interactions",
    ]);
    expect(JSON.stringify(calls)).not.toMatch(/impressions/);

    // Within 20 hours the cron's run reads nothing again; after, it adds a second reading.
    expect((await readPostInsights(env, { now: t1 + HOUR, agentId: agent.agentId })).read).toBe(0);
    const t2 = t1 + 21 * HOUR;
    expect((await readPostInsights(env, { now: t2, agentId: agent.agentId })).read).toBe(2);
    const series = await metricRows(ig.postId);
    expect(series.filter((r) => r.metric === "reach").map((r) => r.capturedAt.getTime())).toEqual([t1, t2]);
  });

  it('a metric refused for a small post, "(#10) Not enough viewers", is unavailable, not an error', {
    timeout: 60_000,
  }, async () => {
    const agent = await insightsAgent();
    const ig = await publishedPost(agent, "instagram");
    const { ids } = await fault(agent.world, { kind: "insights_small", metrics: ["reach", "views"] });
    try {
      const summary = await readPostInsights(env, { now: Date.now(), agentId: agent.agentId });
      // The call for all metrics is refused, then each metric is asked alone.
      expect(summary).toMatchObject({ read: 1, failed: 0, calls: 1 + METRICS.instagram.length });
    } finally {
      await clearFaults(ids);
    }
    const rows = await metricRows(ig.postId);
    const byMetric = Object.fromEntries(rows.map((r) => [r.metric, r]));
    expect(byMetric.reach).toMatchObject({ status: "unavailable", value: null });
    expect(byMetric.views).toMatchObject({ status: "unavailable", value: null });
    expect(byMetric.likes).toMatchObject({ status: "ok", value: expect.any(Number) });
    expect(rows).toHaveLength(METRICS.instagram.length);
    expect((await postRow(ig.postId))?.insightsError).toBeNull();
  });

  it("stops an account's batch near the usage limit or on a rate limit, and loses no rows", {
    timeout: 60_000,
  }, async () => {
    const agent = await insightsAgent();
    const first = await publishedPost(agent, "facebook");
    const second = await publishedPost(agent, "facebook");
    await db()
      .update(postSchedule)
      .set({ postedAt: new Date(Date.now() - 2 * HOUR) })
      .where(eq(postSchedule.id, first.postId));

    // Usage at 95% on the first post's call: that post is stored, the next waits.
    const near = await fault(agent.world, { kind: "rate_limit", usagePercent: 95, count: 1 });
    const t1 = Date.now();
    const run1 = await readPostInsights(env, { now: t1, agentId: agent.agentId });
    await clearFaults(near.ids);
    expect(run1).toMatchObject({ read: 1, deferred: 1 });
    expect(await metricRows(first.postId)).toHaveLength(METRICS.facebook.length);
    expect(await metricRows(second.postId)).toHaveLength(0);
    expect((await postRow(second.postId))?.insightsError).toMatch(/usage limit/);
    expect((await postRow(second.postId))?.insightsAt).toBeNull();

    // A rate-limit error (code 17): nothing more is called for the account; the wait comes from Graph.
    const limited = await fault(agent.world, { kind: "rate_limit", code: 17, estimatedMinutes: 9 });
    const callsBefore = (await callsOf(agent.world)).length;
    const run2 = await readPostInsights(env, { now: t1 + 1000, agentId: agent.agentId });
    await clearFaults(limited.ids);
    expect(run2).toMatchObject({ read: 0, deferred: 1, retryAfterMs: 9 * 60_000 });
    expect((await callsOf(agent.world)).length - callsBefore).toBe(1);
    expect((await postRow(second.postId))?.insightsError).toMatch(/rate limit.*9 minutes/);
    expect(await metricRows(first.postId)).toHaveLength(METRICS.facebook.length);

    // The 30-minute catch-up tries the deferred post again (and leaves the one read at t1 alone).
    const run3 = await catchUpInsights(env, t1 + 2000);
    expect(run3.read).toBeGreaterThanOrEqual(1);
    expect(await metricRows(second.postId)).toHaveLength(METRICS.facebook.length);
    expect((await postRow(second.postId))?.insightsError).toBeNull();
  });

  it("the app's usage near its limit stops the other accounts of the run too", {
    timeout: 60_000,
  }, async () => {
    const agent = await insightsAgent();
    const fb = await publishedPost(agent, "facebook");
    const ig = await publishedPost(agent, "instagram");
    await db()
      .update(postSchedule)
      .set({ postedAt: new Date(Date.now() - HOUR) })
      .where(eq(postSchedule.id, fb.postId));
    const near = await fault(agent.world, { kind: "rate_limit", usagePercent: 92, count: 1 });
    const run = await readPostInsights(env, { now: Date.now(), agentId: agent.agentId });
    await clearFaults(near.ids);
    expect(run).toMatchObject({ read: 1, deferred: 1, appUsagePercent: 92 });
    expect(await metricRows(fb.postId)).toHaveLength(METRICS.facebook.length);
    expect(await metricRows(ig.postId)).toHaveLength(0);
    expect((await postRow(ig.postId))?.insightsError).toMatch(/usage limit is at 92%/);
    expect(await readPostInsights(env, { now: Date.now(), agentId: agent.agentId })).toMatchObject({
      read: 1,
    });
    expect(await metricRows(ig.postId)).toHaveLength(METRICS.instagram.length);
  });

  it("an expired token sends the account to reconnect and stops its calls", { timeout: 60_000 }, async () => {
    const agent = await insightsAgent();
    await publishedPost(agent, "facebook");
    const second = await publishedPost(agent, "facebook");
    await control("/expire-token", { pageId: agent.page.id });
    const before = (await insightCalls(agent)).length;
    const summary = await readPostInsights(env, { now: Date.now(), agentId: agent.agentId });
    expect(summary).toMatchObject({ read: 0, deferred: 2 });
    expect((await insightCalls(agent)).length - before).toBe(1);
    const [account] = await db()
      .select()
      .from(socialAccounts)
      .where(and(eq(socialAccounts.agentId, agent.agentId), eq(socialAccounts.platform, "facebook")));
    expect(account?.status).toBe("needs_reconnect");
    expect((await postRow(second.postId))?.insightsError).toMatch(/reconnect/);
    // While it waits for a reconnect, the next run calls nothing.
    const again = await readPostInsights(env, { now: Date.now() + 21 * HOUR, agentId: agent.agentId });
    expect(again).toMatchObject({ read: 0, deferred: 2 });
    expect((await insightCalls(agent)).length - before).toBe(1);
  });

  it("reads only posts of the last 30 days, and a re-run at the same instant writes nothing new", {
    timeout: 60_000,
  }, async () => {
    const agent = await insightsAgent();
    const old = await publishedPost(agent, "facebook");
    const fresh = await publishedPost(agent, "facebook");
    await db()
      .update(postSchedule)
      .set({ postedAt: new Date(Date.now() - 31 * 24 * HOUR) })
      .where(eq(postSchedule.id, old.postId));
    const at = Date.now();
    expect(await readPostInsights(env, { now: at, agentId: agent.agentId })).toMatchObject({ read: 1 });
    expect(await metricRows(old.postId)).toHaveLength(0);
    // Even made due again, the same instant adds no row (unique post, metric, captured_at).
    await db().update(postSchedule).set({ insightsAt: null }).where(eq(postSchedule.id, fresh.postId));
    expect(await readPostInsights(env, { now: at, agentId: agent.agentId })).toMatchObject({ read: 1 });
    expect(await metricRows(fresh.postId)).toHaveLength(METRICS.facebook.length);
  });

  it("latestMetrics gives each post's latest reading, for the agent's own posts only", {
    timeout: 60_000,
  }, async () => {
    const agent = await insightsAgent();
    const a = await publishedPost(agent, "facebook");
    const b = await publishedPost(agent, "instagram");
    const t1 = Date.now();
    await readPostInsights(env, { now: t1, agentId: agent.agentId });
    const t2 = t1 + 10 * 60_000;
    await readPostInsights(env, { now: t2, agentId: agent.agentId, postIds: [a.postId], minIntervalMs: 0 });
    const latest = await latestMetrics(db(), agent.agentId, [a.postId, b.postId]);
    expect(latest[a.postId]).toHaveLength(METRICS.facebook.length);
    expect(latest[a.postId]?.every((m) => m.capturedAt === t2)).toBe(true);
    expect(latest[b.postId]?.every((m) => m.capturedAt === t1)).toBe(true);
    const other = await signedUpBrowser("Another Agent");
    expect(await latestMetrics(db(), other.agentId, [a.postId, b.postId])).toEqual({});
  });

  it("the daily cron reads every agent's due posts", { timeout: 60_000 }, async () => {
    const agent = await insightsAgent();
    const ig = await publishedPost(agent, "instagram");
    const at = Date.now();
    await runScheduled({ cron: "15 7 * * *", scheduledTime: at, noRetry() {} } as ScheduledController, env);
    expect(await postRow(ig.postId)).toMatchObject({ insightsAt: new Date(at), insightsError: null });
    expect(await metricRows(ig.postId)).toHaveLength(METRICS.instagram.length);
  });
});

type InsightsAnswer = {
  refreshed?: boolean;
  postId: string;
  insightsAt: number | null;
  latest: { metric: string; value: number | null; status: string; capturedAt: number }[];
  series?: { metric: string; points: { at: number; value: number | null }[] }[];
};

describe("posts.refreshInsights and posts.insights", () => {
  it("refresh reads the agent's own published post now, once per 5 minutes; others' posts are not found", {
    timeout: 60_000,
  }, async () => {
    const agent = await insightsAgent();
    const fb = await publishedPost(agent, "facebook");
    const first = await agent.browser.mutate<InsightsAnswer>("posts.refreshInsights", { id: fb.postId });
    expect(first.error).toBeNull();
    expect(first.data).toMatchObject({ refreshed: true, postId: fb.postId });
    expect(first.data.latest.map((m) => m.metric).sort()).toEqual([...METRICS.facebook].sort());
    const fbFake = await fakeMetrics(fb.externalId);
    expect(first.data.latest.find((m) => m.metric === "views_unique")?.value).toBe(
      fbFake.post_total_media_view_unique,
    );
    const again = await agent.browser.mutate<InsightsAnswer>("posts.refreshInsights", { id: fb.postId });
    expect(again.data).toMatchObject({ refreshed: false, insightsAt: first.data.insightsAt });

    // A second reading (as the cron would make a day later), then the series shows both.
    await readPostInsights(env, { now: Date.now() + 21 * HOUR, agentId: agent.agentId });
    const view = await agent.browser.query<InsightsAnswer>("posts.insights", { id: fb.postId });
    expect(view.error).toBeNull();
    const clicks = view.data.series?.find((s) => s.metric === "clicks");
    expect(clicks?.points).toHaveLength(2);
    expect(view.data.latest.find((m) => m.metric === "clicks")?.capturedAt).toBe(clicks?.points[1]?.at);

    const stranger = await signedUpBrowser("Someone Else");
    for (const call of [
      stranger.browser.mutate("posts.refreshInsights", { id: fb.postId }),
      stranger.browser.query("posts.insights", { id: fb.postId }),
    ]) {
      expect((await call).error?.data.code).toBe("NOT_FOUND");
    }
    const scheduled = await approvedPost(agent, "facebook", { at: Date.now() + 24 * HOUR });
    const notYet = await agent.browser.mutate("posts.refreshInsights", { id: scheduled.postId });
    expect(notYet.error?.data.code).toBe("CONFLICT");
  });

  it("refresh does not read a post older than 30 days", { timeout: 60_000 }, async () => {
    const agent = await insightsAgent();
    const fb = await publishedPost(agent, "facebook");
    await db()
      .update(postSchedule)
      .set({ postedAt: new Date(Date.now() - 31 * 24 * HOUR) })
      .where(eq(postSchedule.id, fb.postId));
    const answer = await agent.browser.mutate<InsightsAnswer>("posts.refreshInsights", { id: fb.postId });
    expect(answer.data).toMatchObject({ refreshed: false, latest: [], insightsAt: null });
  });
});
