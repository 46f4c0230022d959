import { env } from "cloudflare:workers";
import { contentPieces, notifications, postSchedule } from "db";
import { and, eq } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { newId } from "../src/lib/ids";
import { actOnPiece } from "../src/services/content";
import {
  approvedPost,
  callsOf,
  connectedAgent,
  db,
  drive,
  type FakeCall,
  fault,
  pieceRow,
  postRow,
  published,
} from "./helpers/publishing";

const photo = (n: number) => `${inject("builderSiteUrl")}/images/home-${n}.jpg`;
const writes = (calls: FakeCall[]) => calls.filter((c) => c.method === "POST");

describe("publishing to a Facebook Page", () => {
  it("approve and post now: the queue publishes it once, with the Page token, and the piece shows the link", {
    timeout: 30_000,
  }, async () => {
    const agent = await connectedAgent();
    const pieceId = newId();
    const text = `Just listed: 123 Palm Way, Orlando. 4 beds, a pool, and a lake view. ${pieceId}`;
    await db()
      .insert(contentPieces)
      .values({
        id: pieceId,
        agentId: agent.agentId,
        listingId: agent.listingId,
        kind: "facebook_post",
        postType: "new_listing",
        status: "pending_approval",
        rootId: pieceId,
        generationKey: `test:${pieceId}`,
        body: text,
        generator: "manual",
      });
    const deps = { db: db(), env, agentId: agent.agentId, origin: "https://app.test" };
    expect(await actOnPiece(deps, { id: pieceId, action: "approve_and_post" })).toEqual({
      status: "approved",
    });

    await expect.poll(async () => (await pieceRow(pieceId))?.status, { timeout: 15_000 }).toBe("posted");
    const live = await published(agent.world);
    expect(live.facebook).toHaveLength(1);
    expect(live.facebook[0]).toMatchObject({ message: text, imageUrls: [], published: true });
    const [post] = await db().select().from(postSchedule).where(eq(postSchedule.contentId, pieceId));
    expect(post).toMatchObject({
      status: "published",
      phase: "done",
      attempts: 1,
      externalPostId: live.facebook[0]?.id,
      permalink: live.facebook[0]?.permalink,
      socialAccountId: agent.accounts[0]?.id,
    });
    expect(post?.postedAt).not.toBeNull();

    // The Page token for everything; the user token never.
    const calls = await callsOf(agent.world);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.tokenKind === "page")).toBe(true);
    expect(writes(calls).map((c) => c.path)).toEqual([`/${agent.page.id}/feed`]);

    const notes = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.agentId, agent.agentId), eq(notifications.eventType, "post_succeeded")));
    expect(notes).toHaveLength(1);
    expect(notes[0]?.link).toBe(live.facebook[0]?.permalink);
  });

  it("one photo goes up with its caption through /photos", { timeout: 30_000 }, async () => {
    const agent = await connectedAgent({ photos: [photo(1)] });
    const { postId, pieceId, text } = await approvedPost(agent, "facebook");
    expect(await drive(postId)).toMatchObject({ status: "published" });
    const live = await published(agent.world);
    expect(live.facebook).toEqual([expect.objectContaining({ message: text, imageUrls: [photo(1)] })]);
    const posts = writes(await callsOf(agent.world));
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({
      path: `/${agent.page.id}/photos`,
      params: { url: photo(1), caption: text },
    });
    expect((await postRow(postId))?.permalink).toBe(live.facebook[0]?.permalink);
    expect((await pieceRow(pieceId))?.status).toBe("posted");
  });

  it("several photos: unpublished uploads, each id stored, then one feed post with attached_media", {
    timeout: 30_000,
  }, async () => {
    const photos = [photo(1), photo(2), photo(3)];
    const agent = await connectedAgent({ photos });
    const { postId, text } = await approvedPost(agent, "facebook");
    const post = await drive(postId);
    expect(post).toMatchObject({ status: "published", attempts: 1 });
    expect(post?.graphState.photoIds).toHaveLength(3);
    const live = await published(agent.world);
    expect(live.facebook).toEqual([expect.objectContaining({ message: text, imageUrls: photos })]);
    const posts = writes(await callsOf(agent.world));
    expect(posts.map((c) => c.path)).toEqual([
      ...photos.map(() => `/${agent.page.id}/photos`),
      `/${agent.page.id}/feed`,
    ]);
    expect(posts.slice(0, 3).every((c) => c.params.published === "false")).toBe(true);
    const feed = posts[3]?.params ?? {};
    expect(feed["attached_media[0]"]).toBe(JSON.stringify({ media_fbid: post?.graphState.photoIds?.[0] }));
    expect(feed["attached_media[2]"]).toBe(JSON.stringify({ media_fbid: post?.graphState.photoIds?.[2] }));
  });

  it("a ghost write on /feed (it posted, then answered 500) is read back, not posted again", {
    timeout: 30_000,
  }, async () => {
    const agent = await connectedAgent();
    const { postId, text } = await approvedPost(agent, "facebook");
    await fault(agent.world, { kind: "ghost", count: 1, match: { method: "POST", path: "/feed$" } });
    const post = await drive(postId);
    expect(post).toMatchObject({ status: "published", attempts: 1, phase: "done" });
    const live = await published(agent.world);
    expect(live.facebook).toEqual([expect.objectContaining({ message: text })]);
    expect(post?.externalPostId).toBe(live.facebook[0]?.id);
    const calls = await callsOf(agent.world);
    expect(writes(calls)).toHaveLength(1);
    expect(calls.some((c) => c.path === `/${agent.page.id}/published_posts`)).toBe(true);
  });

  it("a plain 500 on /photos (nothing posted) is read back, then posted once", {
    timeout: 30_000,
  }, async () => {
    const agent = await connectedAgent({ photos: [photo(4)] });
    const { postId } = await approvedPost(agent, "facebook");
    await fault(agent.world, { kind: "transient", count: 1, match: { method: "POST", path: "/photos$" } });
    const post = await drive(postId);
    expect(post).toMatchObject({ status: "published", attempts: 2 });
    expect((await published(agent.world)).facebook).toHaveLength(1);
    expect(writes(await callsOf(agent.world))).toHaveLength(2);
  });

  it("Meta's refusal fails the post with Meta's own words, and the piece shows post_failed", {
    timeout: 30_000,
  }, async () => {
    const agent = await connectedAgent();
    const { postId, pieceId } = await approvedPost(agent, "facebook", { body: "" });
    const post = await drive(postId);
    expect(post).toMatchObject({ status: "failed", failureKind: "rejected" });
    expect(post?.lastError).toMatch(/Missing message or attachment/);
    expect((await pieceRow(pieceId))?.status).toBe("post_failed");
    const failed = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.agentId, agent.agentId), eq(notifications.eventType, "post_failed")));
    expect(failed).toHaveLength(1);
  });
});
