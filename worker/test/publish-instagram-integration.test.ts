import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runPostStep } from "../src/agents/social/publisher";
import {
  approvedPost,
  callsOf,
  connectedAgent,
  control,
  drive,
  type FakeCall,
  fault,
  type Published,
  photosReadyForInstagram,
  pieceRow,
  postRow,
  privateGraph,
  published,
} from "./helpers/publishing";

const PHOTOS = [1, 2, 3].map((n) => `https://photos.builder-example.com/ig-${n}.jpg`);
const paths = (calls: FakeCall[], method: string) =>
  calls.filter((c) => c.method === method).map((c) => c.path);

async function instagramAgent(photos: string[]) {
  const agent = await connectedAgent({ photos });
  await photosReadyForInstagram(agent, photos);
  const ig = agent.page.instagram;
  if (!ig) throw new Error("no instagram");
  return { ...agent, ig };
}

describe("publishing to Instagram", () => {
  it("one photo: a container with image_url, caption and alt_text, polled until FINISHED, then published", {
    timeout: 30_000,
  }, async () => {
    const agent = await instagramAgent(PHOTOS.slice(0, 1));
    const { postId, pieceId, text } = await approvedPost(agent, "instagram");

    // The first step creates the container and leaves it to be polled on a backoff.
    await runPostStep(env, postId);
    const polling = await postRow(postId);
    expect(polling).toMatchObject({ status: "publishing", phase: "polling", attempts: 0 });
    expect(polling?.graphState.containerId).toBeTruthy();
    expect((polling?.nextStepAt?.getTime() ?? 0) - Date.now()).toBeGreaterThan(500);
    expect((await pieceRow(pieceId))?.status).toBe("posting");

    const post = await drive(postId);
    expect(post).toMatchObject({ status: "published", attempts: 1, phase: "done" });
    const live = await published(agent.world);
    expect(live.instagram).toEqual([expect.objectContaining({ caption: text, mediaType: "IMAGE" })]);
    expect(live.instagram[0]?.imageUrls[0]).toMatch(/^http:\/\/localhost:8787\/media\/|\/media\//);
    expect(post).toMatchObject({
      externalPostId: live.instagram[0]?.id,
      permalink: live.instagram[0]?.permalink,
    });
    const calls = await callsOf(agent.world);
    const creates = calls.filter((c) => c.method === "POST" && c.path === `/${agent.ig.id}/media`);
    expect(creates).toHaveLength(1);
    expect(creates[0]?.params).toMatchObject({
      caption: text,
      alt_text: expect.stringContaining("123 Palm Way"),
    });
    expect(paths(calls, "POST").filter((p) => p.endsWith("/media_publish"))).toHaveLength(1);
    expect(calls.every((c) => c.tokenKind === "page")).toBe(true);
    expect((await pieceRow(pieceId))?.status).toBe("posted");
  });

  it("a carousel: item containers, then the carousel, polled through IN_PROGRESS, published once", {
    timeout: 30_000,
  }, async () => {
    const agent = await instagramAgent(PHOTOS);
    const { postId, text } = await approvedPost(agent, "instagram");
    await fault(agent.world, { kind: "container_in_progress_polls", polls: 3, count: 1 });
    const post = await drive(postId);
    expect(post).toMatchObject({ status: "published", attempts: 1 });
    expect(post?.graphState.childContainerIds).toHaveLength(3);
    expect(post?.graphState.polls).toBeGreaterThanOrEqual(1);
    const live = await published(agent.world);
    expect(live.instagram).toEqual([
      expect.objectContaining({ caption: text, mediaType: "CAROUSEL_ALBUM", imageUrls: expect.any(Array) }),
    ]);
    expect(live.instagram[0]?.imageUrls).toHaveLength(3);
    const creates = (await callsOf(agent.world)).filter(
      (c) => c.method === "POST" && c.path === `/${agent.ig.id}/media`,
    );
    expect(creates.map((c) => c.params.is_carousel_item ?? c.params.media_type)).toEqual([
      "true",
      "true",
      "true",
      "CAROUSEL",
    ]);
    expect(creates[3]?.params.children).toBe(post?.graphState.childContainerIds?.join(","));
  });

  it("a ghost write on media_publish (published, then 500) is read back from the container: one post", {
    timeout: 30_000,
  }, async () => {
    const agent = await instagramAgent(PHOTOS.slice(0, 2));
    const { postId } = await approvedPost(agent, "instagram");
    await fault(agent.world, { kind: "ghost", count: 1, match: { path: "/media_publish$" } });
    const post = await drive(postId);
    expect(post).toMatchObject({ status: "published", attempts: 1 });
    const live = await published(agent.world);
    expect(live.instagram).toHaveLength(1);
    expect(post?.externalPostId).toBe(live.instagram[0]?.id);
    expect(post?.permalink).toBe(live.instagram[0]?.permalink);
    const publishes = (await callsOf(agent.world)).filter((c) => c.path.endsWith("/media_publish"));
    expect(publishes).toHaveLength(1);
  });

  it("a container that ends in ERROR fails the post with the reason, and nothing is published", {
    timeout: 30_000,
  }, async () => {
    const agent = await instagramAgent(PHOTOS.slice(0, 1));
    const { postId, pieceId } = await approvedPost(agent, "instagram");
    await fault(agent.world, { kind: "container_error", count: 1 });
    const post = await drive(postId);
    expect(post).toMatchObject({ status: "failed", failureKind: "media" });
    expect(post?.lastError).toMatch(/Instagram could not process the photos/);
    expect((await published(agent.world)).instagram).toEqual([]);
    expect((await pieceRow(pieceId))?.status).toBe("post_failed");
  });

  it("no usable photo: failed with the reason, no container created", { timeout: 30_000 }, async () => {
    const agent = await connectedAgent({ photos: [] });
    const { postId } = await approvedPost(agent, "instagram");
    const post = await drive(postId);
    expect(post).toMatchObject({ status: "failed", failureKind: "media" });
    expect(post?.lastError).toMatch(/needs at least one photo/);
    expect(paths(await callsOf(agent.world), "POST")).toEqual([]);
  });

  it("past the 24-hour quota the post is held until the window frees, not failed", {
    timeout: 30_000,
  }, async () => {
    const graph = await privateGraph({ quotaTotal: 0 });
    const agent = await connectedAgent({ photos: PHOTOS.slice(0, 1), graph: graph.url });
    await photosReadyForInstagram(agent, PHOTOS.slice(0, 1));
    const { postId } = await approvedPost(agent, "instagram");
    await runPostStep(graph.env, postId);
    const held = await postRow(postId);
    expect(held).toMatchObject({ status: "publishing", phase: "new", failureKind: "quota" });
    expect(held?.lastError).toMatch(/limit of posts a day/);
    expect((held?.nextStepAt?.getTime() ?? 0) - Date.now()).toBeGreaterThan(30 * 60_000);
    const calls = await control<FakeCall[]>("/calls", undefined, undefined, graph.url);
    expect(calls.filter((c) => c.method === "POST")).toEqual([]);
    // When the window frees, it goes out.
    await control("/config", { quotaTotal: 50 }, undefined, graph.url);
    expect(await drive(postId, { workerEnv: graph.env })).toMatchObject({ status: "published" });
    expect((await control<Published>("/published", undefined, undefined, graph.url)).instagram).toHaveLength(
      1,
    );
  });
});
