// The Graph fake's post and media insights: the metrics Graph still offers (a retired or unknown one fails
// the whole call with code 100), the right token for the right object, deterministic numbers, and the
// insights faults ("(#10) Not enough viewers", usage near the limit, rate limits).
import { describe, expect, inject, it } from "vitest";
import { type FakeGraphControl, fakeGraphControl } from "../../tools/fake-graph/client.mjs";

const SECRET = "test-app-secret";
const INSIGHTS_PERMISSIONS = [
  "pages_show_list",
  "pages_read_engagement",
  "pages_manage_posts",
  "instagram_basic",
  "instagram_content_publish",
  "business_management",
  "read_insights",
  "instagram_manage_insights",
];
const fake = (): FakeGraphControl => fakeGraphControl(inject("graphFakeUrl"));

async function worldWithPosts(g: FakeGraphControl, permissions = INSIGHTS_PERMISSIONS) {
  const world = await g.createUser({ name: "Insights Tester", permissions });
  const page = world.pages[0];
  const igId = page?.instagram?.id;
  if (!page || !igId) throw new Error("no page");
  const asPage = g.graph({ token: page.accessToken, appSecret: SECRET });
  const post = await asPage.post(`${page.id}/feed`, { message: "Open house Saturday" });
  const container = await asPage.post(`${igId}/media`, { image_url: "https://img.example/1.jpg" });
  await asPage.get(container.body.id, { fields: "status_code" });
  const media = await asPage.post(`${igId}/media_publish`, { creation_id: container.body.id });
  expect(post.status).toBe(200);
  expect(media.status).toBe(200);
  return { world, page, igId, asPage, postId: post.body.id as string, mediaId: media.body.id as string };
}

const FB_METRICS = "post_total_media_view_unique,post_reactions_by_type_total,post_clicks";
const IG_METRICS = "views,reach,likes,comments,saved,shares,total_interactions";

describe("fake Graph: insights", () => {
  it("answers Page post insights in Graph's shape, the same numbers each time, with comments and shares", async () => {
    const g = fake();
    const { asPage, postId } = await worldWithPosts(g);
    const first = await asPage.get(`${postId}/insights`, { metric: FB_METRICS });
    expect(first.status).toBe(200);
    expect(first.body.data.map((d: { name: string }) => d.name)).toEqual(FB_METRICS.split(","));
    expect(first.body.data[0]).toMatchObject({
      name: "post_total_media_view_unique",
      period: "lifetime",
      id: `${postId}/insights/post_total_media_view_unique/lifetime`,
    });
    const views = first.body.data[0].values[0].value;
    expect(views).toBeGreaterThan(0);
    expect(first.body.data[1].values[0].value).toMatchObject({ like: expect.any(Number) });
    const again = await asPage.get(`${postId}/insights`, { metric: FB_METRICS });
    expect(again.body.data).toEqual(first.body.data);
    expect(first.headers.get("x-app-usage")).toBeTruthy();

    const fields = await asPage.get(postId, { fields: "shares,comments.summary(true).limit(0)" });
    const expected = await g.metrics(postId);
    expect(expected.post_total_media_view_unique).toBe(views);
    expect(fields.body.comments.summary.total_count).toBe(expected.comments);
    expect(fields.body.shares).toEqual({ count: expected.shares });
  });

  it("answers Instagram media insights for the linked Page's token", async () => {
    const g = fake();
    const { asPage, mediaId } = await worldWithPosts(g);
    const answer = await asPage.get(`${mediaId}/insights`, { metric: IG_METRICS });
    expect(answer.status).toBe(200);
    const values = Object.fromEntries(
      answer.body.data.map((d: { name: string; values: { value: number }[] }) => [
        d.name,
        d.values[0]?.value,
      ]),
    );
    expect(Object.keys(values)).toEqual(IG_METRICS.split(","));
    expect(values.total_interactions).toBe(values.likes + values.comments + values.saved + values.shares);
    expect(values.reach).toBeGreaterThan(0);
  });

  it("refuses the retired impression metrics and unknown ones with code 100, failing the whole call", async () => {
    const g = fake();
    const { asPage, postId, mediaId } = await worldWithPosts(g);
    for (const metric of ["post_impressions", "post_impressions_unique", "post_clicks,post_impressions"]) {
      const answer = await asPage.get(`${postId}/insights`, { metric });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 100 });
    }
    for (const metric of ["impressions", "reach,plays", "video_views", "engagement"]) {
      const answer = await asPage.get(`${mediaId}/insights`, { metric });
      expect(answer.body.error).toMatchObject({ code: 100 });
    }
    const none = await asPage.get(`${postId}/insights`, {});
    expect(none.body.error).toMatchObject({ code: 3001, error_subcode: 1504028 });
  });

  it("reads insights only with the right token and permissions", async () => {
    const g = fake();
    const mine = await worldWithPosts(g);
    const other = await worldWithPosts(g);
    // Another account's Page token cannot read this Page's post or media.
    const foreignPost = await other.asPage.get(`${mine.postId}/insights`, { metric: "post_clicks" });
    expect(foreignPost.body.error).toMatchObject({ code: 100, error_subcode: 33 });
    const foreignMedia = await other.asPage.get(`${mine.mediaId}/insights`, { metric: "reach" });
    expect(foreignMedia.body.error).toMatchObject({ code: 100 });
    // Page post insights need the Page token, not the user's.
    const asUser = g.graph({ token: mine.world.user.accessToken, appSecret: SECRET });
    expect((await asUser.get(`${mine.postId}/insights`, { metric: "post_clicks" })).body.error).toMatchObject(
      {
        code: 210,
      },
    );
    // Without read_insights / instagram_manage_insights: (#10) permission.
    const bare = await worldWithPosts(g, INSIGHTS_PERMISSIONS.slice(0, 6));
    const noInsights = await bare.asPage.get(`${bare.postId}/insights`, { metric: "post_clicks" });
    expect(noInsights.body.error).toMatchObject({ code: 10 });
    expect(noInsights.body.error.message).toMatch(/permission/);
    expect((await bare.asPage.get(`${bare.mediaId}/insights`, { metric: "reach" })).body.error).toMatchObject(
      {
        code: 10,
      },
    );
    // The versioned path is required here too.
    const unversioned = await fetch(`${g.url}/${mine.postId}/insights?metric=post_clicks`);
    expect(unversioned.status).toBe(400);
  });

  it("insights_small refuses a call asking for one of its metrics with (#10) Not enough viewers", async () => {
    const g = fake();
    const { page, asPage, mediaId, postId } = await worldWithPosts(g);
    const { ids } = await g.addFaults({ kind: "insights_small", match: { id: page.id }, metrics: ["reach"] });
    const all = await asPage.get(`${mediaId}/insights`, { metric: IG_METRICS });
    expect(all.status).toBe(400);
    expect(all.body.error).toMatchObject({ code: 10 });
    expect(all.body.error.message).toMatch(/Not enough viewers/);
    expect((await asPage.get(`${mediaId}/insights`, { metric: "likes" })).status).toBe(200);
    expect((await asPage.get(`${postId}/insights`, { metric: "post_clicks" })).status).toBe(200);
    await g.clearFaults(ids);
    expect((await asPage.get(`${mediaId}/insights`, { metric: "reach" })).status).toBe(200);
  });

  it("X-App-Usage grows with the app's calls per user of the app, as Graph's 200 per user and hour", async () => {
    const g = await fake().newInstance({ config: { appCallBudget: 5 } });
    // The demo user and this one use the test app: 10 calls an hour make 100%.
    const world = await g.createUser();
    const me = g.graph({ token: world.user.accessToken, appSecret: SECRET });
    const percents: number[] = [];
    for (let i = 0; i < 10; i++) {
      const answer = await me.get("me");
      percents.push(JSON.parse(answer.headers.get("x-app-usage") ?? "{}").call_count);
    }
    expect(percents).toEqual([20, 20, 40, 40, 60, 60, 80, 80, 100, 100]);
    await g.createUser();
    expect(JSON.parse((await me.get("me")).headers.get("x-app-usage") ?? "{}").call_count).toBe(80);
  });

  it("rate_limit: usage headers near the limit on a success, over it with code 4/17/32", async () => {
    const g = fake();
    const { page, asPage, postId } = await worldWithPosts(g);
    await g.addFaults({ kind: "rate_limit", match: { id: page.id }, usagePercent: 95, count: 1 });
    const near = await asPage.get(`${postId}/insights`, { metric: "post_clicks" });
    expect(near.status).toBe(200);
    expect(JSON.parse(near.headers.get("x-app-usage") ?? "{}").call_count).toBe(95);
    const buc = JSON.parse(near.headers.get("x-business-use-case-usage") ?? "{}");
    expect(buc[page.id][0].call_count).toBe(95);
    for (const code of [4, 17, 32]) {
      await g.addFaults({ kind: "rate_limit", match: { id: page.id }, code, count: 1, estimatedMinutes: 7 });
      const over = await asPage.get(`${postId}/insights`, { metric: "post_clicks" });
      expect(over.body.error).toMatchObject({ code });
      const usage = JSON.parse(over.headers.get("x-business-use-case-usage") ?? "{}");
      expect(usage[page.id][0]).toMatchObject({ call_count: 100, estimated_time_to_regain_access: 7 });
    }
    await g.addFaults({ kind: "token_expired", match: { id: page.id }, count: 1 });
    expect((await asPage.get(`${postId}/insights`, { metric: "post_clicks" })).body.error).toMatchObject({
      code: 190,
      error_subcode: 463,
    });
  });
});
