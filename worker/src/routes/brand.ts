import { Hono } from "hono";
import { createDb } from "../lib/db";
import { ServiceError } from "../lib/errors";
import { BRAND_IMAGE_KINDS, BRAND_IMAGE_MAX_BYTES, type BrandImageKind } from "../schemas/brand";
import { readSessionToken, validateSessionToken } from "../services/auth/sessions";
import { saveBrandImage } from "../services/brand";

export const TOO_LARGE = "The image must be at most 5 MB";

/** The body's bytes, or null as soon as they pass `max` (the stream is cancelled, not drained). */
async function readCapped(body: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array | null> {
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

const STATUS = { BAD_REQUEST: 415, CONFLICT: 409, NOT_FOUND: 404 } as const;

/**
 * POST /api/brand/logo and /api/brand/headshot: the request body is the file's raw bytes (no multipart;
 * Content-Type and file name are ignored, the bytes decide). Signed in by the session cookie; mounted
 * under /api so the same-origin guard (lib/csrf.ts) refuses cross-site posts first. At most 5 MB, refused
 * by Content-Length before reading and again while reading. Answers the brand view (agent.getBrand's
 * shape), or `{ error }` in plain words: 401, 404, 409, 413, 415 (not a PNG, JPEG or WebP image we can
 * read, or over 12,000 px).
 */
export const brandApp = new Hono<{ Bindings: Env }>().post("/:kind", async (c) => {
  const kind = c.req.param("kind");
  if (!BRAND_IMAGE_KINDS.includes(kind as BrandImageKind)) return c.json({ error: "Not found" }, 404);
  const db = createDb(c.env.DB);
  const token = readSessionToken(c.req.header("Cookie") ?? null);
  const auth = token ? await validateSessionToken(db, token) : null;
  if (!auth) return c.json({ error: "Sign in to continue" }, 401);

  const declared = Number(c.req.header("Content-Length") ?? Number.NaN);
  if (declared > BRAND_IMAGE_MAX_BYTES) return c.json({ error: TOO_LARGE }, 413);
  const bytes = await readCapped(c.req.raw.body, BRAND_IMAGE_MAX_BYTES);
  if (!bytes) return c.json({ error: TOO_LARGE }, 413);
  if (bytes.byteLength === 0) return c.json({ error: "Choose an image to upload" }, 400);

  try {
    return c.json(await saveBrandImage(c.env, auth.agent.id, kind as BrandImageKind, bytes));
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    const status = STATUS[error.code as keyof typeof STATUS] ?? 400;
    return c.json({ error: error.message }, status);
  }
});
