// Publishing to Instagram (through the linked Page's token): a photo container, or 2-10 carousel items
// and a carousel container; the container's status_code is polled on a backoff (DO alarms, a few seconds
// up to a minute, ten minutes at most) and media_publish is called only once it is FINISHED. After an
// ambiguous media_publish the container is read back: PUBLISHED means done. The 24-hour publishing quota
// is read first; a post past it is held until the window frees, never failed.
import { postSchedule } from "db";
import { and, asc, eq, gte } from "drizzle-orm";
import { attachedFlyerPhoto } from "../flyers/attach";
import { fingerprint } from "./fingerprint";
import { GraphError } from "./graph";
import { instagramPhotoUrls } from "./media";
import type { EngineState, StepContext, StepOutcome } from "./publisher";

export const POLLING = { firstMs: 2_000, maxMs: 60_000, giveUpMs: 10 * 60_000 } as const;
const DAY = 24 * 3600_000;

type ContainerStatus = "FINISHED" | "IN_PROGRESS" | "ERROR" | "EXPIRED" | "PUBLISHED";
type IgMedia = { id: string; caption?: string; timestamp?: string; permalink?: string };

export const pollDelay = (polls: number) => Math.min(POLLING.maxMs, POLLING.firstMs * 2 ** polls);

export async function stepInstagram(ctx: StepContext): Promise<StepOutcome> {
  const igId = ctx.account.externalId;
  if (ctx.state.postId) return finish(ctx, ctx.state.postId);
  if (ctx.post.phase === "attempted") return readBack(ctx, igId);
  if (ctx.post.phase === "polling" && ctx.state.containerId) return poll(ctx, igId, ctx.state.containerId);
  if (ctx.post.phase === "polling" && ctx.state.childContainerIds?.length) return pollItems(ctx, igId);
  return createContainers(ctx, igId);
}

async function createContainers(ctx: StepContext, igId: string): Promise<StepOutcome> {
  const held = await quotaHold(ctx, igId);
  if (held) return held;
  // An attached flyer image (1080x1350, a valid 4:5 JPEG) replaces the listing's photos.
  const flyer = await attachedFlyerPhoto(ctx.db, {
    agentId: ctx.post.agentId,
    contentId: ctx.post.contentId,
    origin: ctx.origin,
  });
  if (flyer && "problem" in flyer) return { kind: "failed", failureKind: "media", reason: flyer.problem };
  const photos = flyer
    ? { urls: [flyer.url], problems: [] }
    : await instagramPhotoUrls(ctx.env, {
        agentId: ctx.post.agentId,
        origin: ctx.origin,
        urls: ctx.sourcePhotos,
      });
  if (photos.urls.length === 0) {
    return {
      kind: "failed",
      failureKind: "media",
      reason:
        `Instagram needs at least one photo, and none of this listing's can be used. ${photos.problems.join(" ")}`.trim(),
    };
  }
  const alt = ctx.altText ? { alt_text: ctx.altText } : {};
  let state: EngineState = ctx.state;
  if (!state.containerId && photos.urls.length === 1) {
    const { data } = await ctx.graph.post<{ id: string }>(
      `${igId}/media`,
      { image_url: photos.urls[0], caption: ctx.text, ...alt },
      ctx.token,
    );
    state = { ...state, containerId: data.id };
    await ctx.save(state);
  } else if (!state.containerId) {
    // An unpublished container is harmless (it expires in a day), so a failed create is simply repeated.
    const children = [...(state.childContainerIds ?? [])].slice(0, photos.urls.length);
    for (const [index, url] of photos.urls.entries()) {
      if (children[index]) continue;
      const { data } = await ctx.graph.post<{ id: string }>(
        `${igId}/media`,
        { image_url: url, is_carousel_item: true, ...alt },
        ctx.token,
      );
      children[index] = data.id;
      state = { ...state, childContainerIds: [...children] };
      await ctx.save(state);
    }
    // The items are polled until each is FINISHED; then the carousel container is made (pollItems).
  }
  await ctx.save({ ...state, polls: 0, pollingSince: ctx.now() });
  await ctx.setPhase("polling");
  return { kind: "continue", at: ctx.now() + pollDelay(0) };
}

/** Carousel items: each polled until FINISHED, then the carousel container is created and polled. */
async function pollItems(ctx: StepContext, igId: string): Promise<StepOutcome> {
  const children = ctx.state.childContainerIds ?? [];
  let pending = false;
  for (const id of children) {
    const { status_code: code, status } = await containerStatus(ctx, id);
    if (code === "ERROR" || code === "EXPIRED") {
      return {
        kind: "failed",
        failureKind: "media",
        reason: `Instagram could not process one of the photos${status ? ` (${status})` : ""}.`,
      };
    }
    if (code !== "FINISHED") pending = true;
  }
  if (pending) return waitAgain(ctx);
  let carouselId: string;
  try {
    const { data } = await ctx.graph.post<{ id: string }>(
      `${igId}/media`,
      { media_type: "CAROUSEL", children: children.join(","), caption: ctx.text },
      ctx.token,
    );
    carouselId = data.id;
  } catch (error) {
    // The carousel may have been made, using its items up: start over with new items (an unpublished
    // container expires on its own).
    if (error instanceof GraphError && error.kind === "ambiguous") {
      const { childContainerIds: _used, ...rest } = ctx.state;
      await ctx.save(rest);
      await ctx.setPhase("new");
    }
    throw error;
  }
  await ctx.save({ ...ctx.state, containerId: carouselId });
  return { kind: "continue", at: ctx.now() + pollDelay(0) };
}

/** Another poll after the backoff, or failed once polling has gone on for ten minutes. */
async function waitAgain(ctx: StepContext): Promise<StepOutcome> {
  const since = ctx.state.pollingSince ?? ctx.now();
  if (ctx.now() - since >= POLLING.giveUpMs) {
    return {
      kind: "failed",
      failureKind: "media",
      reason: "Instagram took more than 10 minutes to process the photos; nothing was posted.",
    };
  }
  const polls = (ctx.state.polls ?? 0) + 1;
  await ctx.save({ ...ctx.state, polls, pollingSince: since });
  return { kind: "continue", at: ctx.now() + pollDelay(polls) };
}

async function containerStatus(ctx: StepContext, containerId: string) {
  const { data } = await ctx.graph.get<{ status_code?: ContainerStatus; status?: string }>(
    containerId,
    { fields: "status_code,status" },
    ctx.token,
  );
  return data;
}

async function poll(ctx: StepContext, igId: string, containerId: string): Promise<StepOutcome> {
  const { status_code: code, status } = await containerStatus(ctx, containerId);
  switch (code) {
    case "FINISHED":
      return publish(ctx, igId, containerId);
    case "PUBLISHED":
      return readBack(ctx, igId);
    case "ERROR":
      return {
        kind: "failed",
        failureKind: "media",
        reason: `Instagram could not process the photos${status ? ` (${status})` : ""}.`,
      };
    case "EXPIRED":
      return {
        kind: "failed",
        failureKind: "media",
        reason: "Instagram's upload expired before it was published.",
      };
    default:
      return waitAgain(ctx);
  }
}

async function publish(ctx: StepContext, igId: string, containerId: string): Promise<StepOutcome> {
  let sent: { data: { id: string } } | null;
  try {
    sent = await ctx.publishCall(() =>
      ctx.graph.post<{ id: string }>(`${igId}/media_publish`, { creation_id: containerId }, ctx.token),
    );
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    // A definite "no" (the phase is back to polling): the container keeps a day and is published when
    // allowed.
    if (error.kind === "quota") {
      const at = await quotaFreesAt(ctx);
      return { kind: "hold", at, failureKind: "quota", reason: quotaReason(at), phase: "polling" };
    }
    if (error.kind === "not_ready") {
      return { kind: "continue", at: ctx.now() + pollDelay(ctx.state.polls ?? 0), phase: "polling" };
    }
    throw error;
  }
  if (!sent) {
    return {
      kind: "failed",
      failureKind: "unknown",
      reason: "Instagram kept failing to publish; nothing was posted.",
    };
  }
  const mediaId = sent.data.id;
  await ctx.save({ ...ctx.state, postId: mediaId });
  return finish(ctx, mediaId);
}

/**
 * After an ambiguous media_publish: the container says whether it was published. PUBLISHED: done (the
 * media id is found in the account's media by the caption's fingerprint); FINISHED: it was not, publish.
 */
async function readBack(ctx: StepContext, igId: string): Promise<StepOutcome> {
  const containerId = ctx.state.containerId;
  if (!containerId) return createContainers(ctx, igId);
  const { status_code: code } = await containerStatus(ctx, containerId);
  if (code === "PUBLISHED") {
    const media = await findMedia(ctx, igId);
    if (media) {
      await ctx.save({ ...ctx.state, postId: media.id });
      return { kind: "published", externalPostId: media.id, permalink: media.permalink ?? null };
    }
    return { kind: "published", externalPostId: containerId, permalink: null };
  }
  if (code === "FINISHED") return publish(ctx, igId, containerId);
  if (code === "IN_PROGRESS") {
    await ctx.setPhase("polling");
    return { kind: "continue", at: ctx.now() + pollDelay(ctx.state.polls ?? 0), phase: "polling" };
  }
  return poll(ctx, igId, containerId);
}

async function findMedia(ctx: StepContext, igId: string): Promise<IgMedia | null> {
  const { data } = await ctx.graph.get<{ data: IgMedia[] }>(
    `${igId}/media`,
    { fields: "id,caption,timestamp,permalink", limit: 25 },
    ctx.token,
  );
  const wanted = ctx.post.fingerprint ?? (await fingerprint(ctx.text));
  const since = (ctx.post.attemptStartedAt?.getTime() ?? 0) - 60_000;
  for (const media of data.data ?? []) {
    const at = media.timestamp ? Date.parse(media.timestamp.replace(/\+0000$/, "Z")) : Number.NaN;
    if (!Number.isNaN(at) && at < since) continue;
    if (media.caption !== undefined && (await fingerprint(media.caption)) === wanted) return media;
  }
  return null;
}

async function finish(ctx: StepContext, mediaId: string): Promise<StepOutcome> {
  try {
    const { data } = await ctx.graph.get<{ permalink?: string }>(mediaId, { fields: "permalink" }, ctx.token);
    return { kind: "published", externalPostId: mediaId, permalink: data.permalink ?? null };
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    return { kind: "published", externalPostId: mediaId, permalink: null };
  }
}

/** Instagram's rolling 24-hour limit: a post past it is held until the window frees. */
async function quotaHold(ctx: StepContext, igId: string): Promise<StepOutcome | null> {
  const { data } = await ctx.graph.get<{
    data: { quota_usage?: number; config?: { quota_total?: number } }[];
  }>(`${igId}/content_publishing_limit`, { fields: "quota_usage,config" }, ctx.token);
  const entry = data.data?.[0];
  const total = entry?.config?.quota_total ?? 50;
  if ((entry?.quota_usage ?? 0) < total) return null;
  const at = await quotaFreesAt(ctx);
  return { kind: "hold", at, failureKind: "quota", reason: quotaReason(at), phase: "new" };
}

const quotaReason = (at: number) =>
  `Instagram's limit of posts a day is reached; the post goes out when it frees up (about ${new Date(at).toISOString().slice(11, 16)} UTC).`;

/**
 * When the oldest of our publishes in the last 24 hours leaves the window; an hour from now when the
 * account's other publishes (made elsewhere) fill it.
 */
export async function quotaFreesAt(ctx: StepContext): Promise<number> {
  const now = ctx.now();
  const [oldest] = await ctx.db
    .select({ postedAt: postSchedule.postedAt })
    .from(postSchedule)
    .where(
      and(
        eq(postSchedule.agentId, ctx.post.agentId),
        eq(postSchedule.platform, "instagram"),
        eq(postSchedule.status, "published"),
        gte(postSchedule.postedAt, new Date(now - DAY)),
      ),
    )
    .orderBy(asc(postSchedule.postedAt))
    .limit(1);
  const frees = oldest?.postedAt ? oldest.postedAt.getTime() + DAY + 60_000 : 0;
  return frees > now ? frees : now + 3600_000;
}
