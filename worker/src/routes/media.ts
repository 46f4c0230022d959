import { mediaAssets } from "db";
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { createDb } from "../lib/db";

/**
 * GET /media/<id>.jpg: a photo converted for Instagram (agents/social/media.ts), public because Meta's
 * servers fetch it without a session. The 128-bit random id is the only key, so an unknown id and a bad
 * one answer the same 404. A stored photo never changes under its id, hence the immutable year.
 */
export const mediaApp = new Hono<{ Bindings: Env }>().get("/:file", async (c) => {
  const id = /^([0-9a-f]{32})\.jpg$/.exec(c.req.param("file"))?.[1];
  if (!id) return notFound();
  const asset = await createDb(c.env.DB)
    .select({ r2Key: mediaAssets.r2Key, contentType: mediaAssets.contentType })
    .from(mediaAssets)
    .where(eq(mediaAssets.id, id))
    .get();
  const object = asset ? await c.env.MEDIA.get(asset.r2Key) : null;
  if (!asset || !object) return notFound();
  return new Response(object.body, {
    headers: {
      "Content-Type": asset.contentType,
      "Content-Length": String(object.size),
      "Cache-Control": "public, max-age=31536000, immutable",
      ETag: object.httpEtag,
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
    },
  });
});

const notFound = () =>
  new Response("Not found", {
    status: 404,
    headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" },
  });
