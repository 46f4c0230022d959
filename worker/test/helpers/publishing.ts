// Test worlds for the publishing engine: an agent with a listing and approved pieces, its Facebook Page
// and Instagram account connected by inserting social_accounts rows (sealed Page tokens from the Graph
// fake's /__control/users, no OAuth flow), and a way to drive a post's steps as alarms would.
import { env } from "cloudflare:workers";
import { contentPieces, listings, mediaAssets, postSchedule, socialAccounts } from "db";
import { FACEBOOK_SCOPES } from "db/rules";
import { eq } from "drizzle-orm";
import { expect, inject } from "vitest";
import { runPostStep } from "../../src/agents/social/publisher";
import { createDb } from "../../src/lib/db";
import { newId } from "../../src/lib/ids";
import { sealToken } from "../../src/lib/token-crypto";
import { signedUpBrowser } from "./http";

export const db = () => createDb(env.DB);
export const graphUrl = () => inject("graphFakeUrl");

export async function control<T = unknown>(
  path: string,
  body?: unknown,
  method?: string,
  base = graphUrl(),
): Promise<T> {
  const res = await fetch(`${base}/__control${path}`, {
    method: method ?? (body === undefined ? "GET" : "POST"),
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`fake graph ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export type World = {
  user: { id: string; name: string; accessToken: string };
  pages: {
    id: string;
    name: string;
    accessToken: string;
    instagram: { id: string; username: string } | null;
  }[];
};

export type FakeCall = {
  method: string;
  path: string;
  tokenKind: string;
  status?: number;
  fault?: string;
  userId?: string;
  params: Record<string, unknown>;
};

export type Published = {
  facebook: { id: string; message: string; imageUrls: string[]; permalink: string; published: boolean }[];
  instagram: { id: string; caption: string; mediaType: string; imageUrls: string[]; permalink: string }[];
};

export const published = (world: World) => control<Published>(`/published?userId=${world.user.id}`);
export const callsOf = (world: World) => control<FakeCall[]>(`/calls?userId=${world.user.id}`);
/** Faults scoped to this world's Page (and its Instagram account), so parallel files are not hit. */
export const fault = (world: World, spec: Record<string, unknown>) =>
  control<{ ids: string[] }>("/faults", {
    ...spec,
    match: { id: world.pages[0]?.id, ...(spec.match as object) },
  });
export const clearFaults = (ids: string[]) => control("/faults", { ids }, "DELETE");

/** A signed-up agent with one listing, its Page and Instagram account connected. */
export async function connectedAgent({ photos = [] as string[], instagram = true, graph = graphUrl() } = {}) {
  const { agentId, browser } = await signedUpBrowser("Chris Morgan");
  const world = await control<World>(
    "/users",
    {
      name: `Chris ${agentId.slice(-6)}`,
      pages: [
        {
          name: "Chris Morgan Homes",
          instagram: instagram ? { username: `chris${agentId.slice(-6)}` } : undefined,
        },
      ],
    },
    undefined,
    graph,
  );
  const page = world.pages[0];
  if (!page) throw new Error("no page");
  const listingId = newId();
  const now = new Date();
  await db()
    .insert(listings)
    .values({
      id: listingId,
      agentId,
      origin: "manual",
      sourceKey: `manual:${listingId}`,
      contentHash: "x",
      addressLine: "123 Palm Way",
      city: "Orlando",
      imageUrls: photos,
      firstSeenAt: now,
      lastSeenAt: now,
    });
  const facebookId = newId();
  const accounts = [
    {
      id: facebookId,
      platform: "facebook" as const,
      externalId: page.id,
      displayName: page.name,
      username: null,
    },
    ...(page.instagram
      ? [
          {
            id: newId(),
            platform: "instagram" as const,
            externalId: page.instagram.id,
            displayName: `@${page.instagram.username}`,
            username: page.instagram.username,
          },
        ]
      : []),
  ];
  for (const account of accounts) {
    const sealed = await sealToken(env, page.accessToken, account.id);
    await db()
      .insert(socialAccounts)
      .values({
        ...account,
        agentId,
        pageId: page.id,
        metaUserId: world.user.id,
        accessTokenCiphertext: sealed.ciphertext,
        accessTokenIv: sealed.iv,
        keyId: sealed.keyId,
        scopes: FACEBOOK_SCOPES.join(","),
      });
  }
  return { agentId, browser, world, page, listingId, accounts };
}

export type Agent = Awaited<ReturnType<typeof connectedAgent>>;

/** Pretends the listing's photos were converted for Instagram already (the media helper's own tests
 * cover conversion): each gets a media_assets row, so the engine is handed /media URLs. */
export async function photosReadyForInstagram(agent: Agent, photos: string[]) {
  for (const sourceUrl of photos) {
    await db()
      .insert(mediaAssets)
      .values({
        id: newId(),
        agentId: agent.agentId,
        sourceUrl,
        purpose: "instagram",
        r2Key: `instagram/${agent.agentId}/${newId()}.jpg`,
        contentType: "image/jpeg",
        width: 1080,
        height: 1080,
        bytes: 1000,
      });
  }
}

let seq = 0;
/** An approved piece and its post row, due now (or at `at`), as approve_and_post leaves them. */
export async function approvedPost(
  agent: Agent,
  platform: "facebook" | "instagram",
  { body, at = Date.now() }: { body?: string; at?: number } = {},
) {
  const pieceId = newId();
  const text =
    body ?? `New home at 123 Palm Way, Orlando! Tour it this weekend. #${platform} ${++seq} ${pieceId}`;
  const scheduled = at > Date.now() + 60_000;
  await db()
    .insert(contentPieces)
    .values({
      id: pieceId,
      agentId: agent.agentId,
      listingId: agent.listingId,
      kind: platform === "facebook" ? "facebook_post" : "instagram_caption",
      postType: "new_listing",
      status: scheduled ? "scheduled" : "approved",
      rootId: pieceId,
      generationKey: `test:${pieceId}`,
      body: text,
      generator: "manual",
    });
  const postId = newId();
  await db()
    .insert(postSchedule)
    .values({
      id: postId,
      agentId: agent.agentId,
      contentId: pieceId,
      platform,
      scheduledAt: new Date(at),
      nextStepAt: new Date(at),
      status: "scheduled",
    });
  return { postId, pieceId, text };
}

export const postRow = async (postId: string) =>
  (await db().select().from(postSchedule).where(eq(postSchedule.id, postId)))[0];
export const pieceRow = async (pieceId: string) =>
  (await db().select().from(contentPieces).where(eq(contentPieces.id, pieceId)))[0];

/**
 * Runs the post's steps until it settles, as the scheduler's alarms would, but without waiting: a step
 * due later (a container poll, a read-back) is made due now. Real alarms may run some steps too; the
 * engine's claim keeps that safe, which is part of what is tested.
 */
/** A private Graph fake (its own state and config) and the Worker's env pointed at it. */
export async function privateGraph(config: Record<string, unknown> = {}) {
  const { url } = await control<{ url: string }>("/instances", { config });
  const privateEnv = new Proxy(env, {
    get: (target, key) => (key === "GRAPH_API_URL" ? url : Reflect.get(target, key)),
  });
  return { url, env: privateEnv as typeof env };
}

export async function drive(postId: string, { maxSteps = 60, workerEnv = env } = {}) {
  for (let step = 0; step < maxSteps; step++) {
    const post = await postRow(postId);
    if (!post || !["scheduled", "publishing"].includes(post.status)) return post;
    if (post.leaseUntil && post.leaseUntil.getTime() > Date.now()) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    if (post.nextStepAt && post.nextStepAt.getTime() > Date.now()) {
      await db().update(postSchedule).set({ nextStepAt: new Date() }).where(eq(postSchedule.id, postId));
    }
    await runPostStep(workerEnv, postId);
  }
  const post = await postRow(postId);
  expect.fail(`post ${postId} did not settle: ${JSON.stringify(post)}`);
}
