// Publishing to a Facebook Page, always with the Page token: one photo via /{page}/photos (url, caption),
// several as unpublished photos then /{page}/feed with attached_media, none via /{page}/feed. The
// publishing call is made only after the engine recorded the attempt; after an ambiguous answer the
// Page's published_posts since the attempt are read back and matched on the text's fingerprint.
import { attachedFlyerPhoto } from "../flyers/attach";
import { fingerprint } from "./fingerprint";
import { GraphError, type GraphParams } from "./graph";
import { facebookPhotoUrls } from "./media";
import type { StepContext, StepOutcome } from "./publisher";

type PublishedPost = { id: string; message?: string; created_time?: string; permalink_url?: string };

const tooManyAttempts = (): StepOutcome => ({
  kind: "failed",
  failureKind: "unknown",
  reason: "Meta kept failing to take the post; nothing was posted to your Facebook Page.",
});

export async function stepFacebook(ctx: StepContext): Promise<StepOutcome> {
  const pageId = ctx.account.externalId;
  if (ctx.state.postId) return finish(ctx, ctx.state.postId);
  if (ctx.post.phase === "attempted") {
    const found = await readBack(ctx, pageId);
    if (found) {
      await ctx.save({ ...ctx.state, postId: found.id });
      return { kind: "published", externalPostId: found.id, permalink: found.permalink_url ?? null };
    }
    // Not on the Page: the last attempt did not take effect, so it may be made again.
  }
  // An attached flyer image replaces the listing's photos; a flyer whose image is gone fails the post
  // rather than going out without the picture Chris approved.
  const flyer = await attachedFlyerPhoto(ctx.db, {
    agentId: ctx.post.agentId,
    contentId: ctx.post.contentId,
    origin: ctx.origin,
  });
  if (flyer && "problem" in flyer) return { kind: "failed", failureKind: "media", reason: flyer.problem };
  let urls: string[] = flyer ? [flyer.url] : [];
  if (!flyer && ctx.sourcePhotos.length) {
    ({ urls } = await facebookPhotoUrls(ctx.env, {
      agentId: ctx.post.agentId,
      origin: ctx.origin,
      urls: ctx.sourcePhotos,
    }));
  }

  if (urls.length === 1) {
    const sent = await ctx.publishCall(() =>
      ctx.graph.post<{ id: string; post_id?: string }>(
        `${pageId}/photos`,
        { url: urls[0], caption: ctx.text, ...(ctx.altText && { alt_text_custom: ctx.altText }) },
        ctx.token,
      ),
    );
    if (!sent) return tooManyAttempts();
    const postId = sent.data.post_id ?? sent.data.id;
    await ctx.save({ ...ctx.state, postId });
    return finish(ctx, postId);
  }

  const params: GraphParams = { message: ctx.text };
  if (urls.length > 1) {
    // Unpublished photos are invisible until attached, so an upload is simply repeated after a failure;
    // each id is stored the moment it is returned.
    const photoIds = [...(ctx.state.photoIds ?? [])].slice(0, urls.length);
    for (const [index, url] of urls.entries()) {
      if (photoIds[index]) continue;
      const { data } = await ctx.graph.post<{ id: string }>(
        `${pageId}/photos`,
        { url, published: false, ...(ctx.altText && { alt_text_custom: ctx.altText }) },
        ctx.token,
      );
      photoIds[index] = data.id;
      await ctx.save({ ...ctx.state, photoIds: [...photoIds] });
    }
    for (const [index, id] of photoIds.entries()) {
      params[`attached_media[${index}]`] = JSON.stringify({ media_fbid: id });
    }
  }
  const sent = await ctx.publishCall(() =>
    ctx.graph.post<{ id: string }>(`${pageId}/feed`, params, ctx.token),
  );
  if (!sent) return tooManyAttempts();
  await ctx.save({ ...ctx.state, postId: sent.data.id });
  return finish(ctx, sent.data.id);
}

/** The post is live: its permalink is read, but a failed read does not undo the post. */
async function finish(ctx: StepContext, postId: string): Promise<StepOutcome> {
  try {
    const { data } = await ctx.graph.get<{ permalink_url?: string }>(
      postId,
      { fields: "permalink_url" },
      ctx.token,
    );
    return { kind: "published", externalPostId: postId, permalink: data.permalink_url ?? null };
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    return { kind: "published", externalPostId: postId, permalink: `https://www.facebook.com/${postId}` };
  }
}

/** Our post on the Page since the attempt started, recognised by its text's fingerprint. */
async function readBack(ctx: StepContext, pageId: string): Promise<PublishedPost | null> {
  const started = ctx.post.attemptStartedAt?.getTime() ?? ctx.post.updatedAt.getTime();
  const { data } = await ctx.graph.get<{ data: PublishedPost[] }>(
    `${pageId}/published_posts`,
    {
      fields: "id,message,created_time,permalink_url",
      // A minute of slack for clocks; the fingerprint tells our post from others.
      since: Math.floor((started - 60_000) / 1000),
      limit: 100,
    },
    ctx.token,
  );
  const wanted = ctx.post.fingerprint ?? (await fingerprint(ctx.text));
  for (const post of data.data ?? []) {
    if (post.message !== undefined && (await fingerprint(post.message)) === wanted) return post;
  }
  return null;
}
