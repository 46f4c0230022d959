import { mediaAssets } from "db";
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { createDb } from "../lib/db";
import { MEDIA_EXTENSIONS } from "../services/brand";

/**
 * GET /media/<id>.jpg (or .png): a photo converted for Instagram (agents/social/media.ts) or a brand kit
 * image (services/brand.ts), public because Meta's servers and mail clients fetch it without a session.
 * The extension must match the stored type, so one file has one URL. The 128-bit random id is the only
 * key, so an unknown id and a bad one answer the same 404. A stored file never changes under its id,
 * hence the immutable year.
 */
export const mediaApp = new Hono<{ Bindings: Env }>().get("/:file", async (c) => {
  const [, id, extension] = /^([0-9a-f]{32})\.(jpg|png)$/.exec(c.req.param("file")) ?? [];
  if (!id) return notFound();
  const asset = await createDb(c.env.DB)
    .select({ r2Key: mediaAssets.r2Key, contentType: mediaAssets.contentType })
    .from(mediaAssets)
    .where(eq(mediaAssets.id, id))
    .get();
  if (!asset || MEDIA_EXTENSIONS[asset.contentType] !== extension) return notFound();
  const object = await c.env.MEDIA.get(asset.r2Key);
  if (!object) return notFound();
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
