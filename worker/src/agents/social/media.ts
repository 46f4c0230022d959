import { mediaAssets } from "db";
import { and, eq } from "drizzle-orm";
import { createDb } from "../../lib/db";
import { fetchListingImage, imagePolicyFromEnv, refusedImageUrl } from "../../lib/image-fetch";
import { USER_AGENT } from "../listing/agent";

// Instagram's rules for a feed photo (Content Publishing API, image_url): JPEG, at most 8 MB, aspect
// ratio 4:5 to 1.91:1, 320 to 1440 px wide.
export const INSTAGRAM_PHOTO = {
  maxBytes: 8 * 1024 * 1024,
  minRatio: 4 / 5,
  maxRatio: 1.91,
  minWidth: 320,
  maxWidth: 1440,
} as const;
/** A carousel holds at most 10 photos; a post never needs more. */
export const MAX_POST_PHOTOS = 10;
/**
 * Narrower than 320 px after cropping, a photo is upscaled to 320 only from this width on (at most
 * 1.6x, still presentable); anything smaller is a thumbnail and is skipped with a problem.
 */
export const MIN_UPSCALE_WIDTH = 200;
const JPEG_QUALITY = 85;

type PhotoRequest = { agentId: string; origin: string; urls: string[] };
type Purpose = "instagram" | "facebook";
export type PhotoUrls = { urls: string[]; problems: string[] };
type ImageSize = { format: string; width: number; height: number; bytes: number };

/** A URL Meta can fetch itself: https on a public name, never the development allow-list. */
export function isPublicHttpsUrl(src: string): boolean {
  try {
    const url = new URL(src);
    return url.protocol === "https:" && refusedImageUrl(url, { allowHosts: new Set() }) === null;
  } catch {
    return false;
  }
}

export const mediaUrl = (origin: string, id: string) => `${origin.replace(/\/$/, "")}/media/${id}.jpg`;

/** 128 random bits, hex: the whole of what stands between a converted photo and a guesser. */
export function newMediaId(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The crop and size that make `width` x `height` valid for Instagram, or null when it is too small. */
export function instagramTarget(width: number, height: number): { width: number; height: number } | null {
  const { minRatio, maxRatio, minWidth, maxWidth } = INSTAGRAM_PHOTO;
  const ratio = Math.min(maxRatio, Math.max(minRatio, width / height));
  // The widest region of that ratio inside the photo: a panorama loses its sides, a tall photo its ends.
  const croppedWidth = Math.min(width, height * ratio);
  if (croppedWidth < MIN_UPSCALE_WIDTH) return null;
  const outWidth = Math.round(Math.min(maxWidth, Math.max(minWidth, croppedWidth)));
  let outHeight = Math.round(outWidth / ratio);
  // Rounding must not push a ratio at a limit past it.
  if (outWidth / outHeight > maxRatio) outHeight = Math.ceil(outWidth / maxRatio);
  if (outWidth / outHeight < minRatio) outHeight = Math.floor(outWidth / minRatio);
  return { width: outWidth, height: outHeight };
}

export function isValidForInstagram(image: ImageSize): boolean {
  const { maxBytes, minRatio, maxRatio, minWidth, maxWidth } = INSTAGRAM_PHOTO;
  const ratio = image.width / image.height;
  return (
    image.format === "image/jpeg" &&
    image.bytes <= maxBytes &&
    ratio >= minRatio &&
    ratio <= maxRatio &&
    image.width >= minWidth &&
    image.width <= maxWidth
  );
}

const streamOf = (bytes: ArrayBuffer) => new Blob([bytes]).stream();

type Downloaded = { ok: true; bytes: ArrayBuffer; image: ImageSize } | { ok: false; reason: string };

/** The photo's bytes and what the Images binding reads in them, through the hardened fetcher. */
async function download(env: Env, src: string): Promise<Downloaded> {
  const fetched = await fetchListingImage(src, USER_AGENT, imagePolicyFromEnv(env));
  if (!fetched.ok) return { ok: false, reason: plainReason(fetched.reason) };
  let bytes: ArrayBuffer;
  try {
    bytes = await fetched.response.arrayBuffer();
  } catch {
    // The fetcher errors the stream past its byte cap (a host that sent no or a false length) or the
    // connection dropped.
    return { ok: false, reason: "the file could not be downloaded in full (over 10 MB or cut off)" };
  }
  let info: Awaited<ReturnType<ImagesBinding["info"]>>;
  try {
    info = await env.IMAGES.info(streamOf(bytes));
  } catch {
    return { ok: false, reason: "the file is not an image we can read" };
  }
  if (!("width" in info))
    return { ok: false, reason: "the file is not a photo (vector images are not accepted)" };
  return {
    ok: true,
    bytes,
    image: { format: info.format, width: info.width, height: info.height, bytes: bytes.byteLength },
  };
}

const REASONS: Record<string, string> = {
  "Not an image": "the link does not lead to an image",
  "Image too large": "the file is larger than 10 MB",
  "Image host unreachable": "the photo's website could not be reached",
};

function plainReason(reason: string): string {
  return REASONS[reason] ?? reason.charAt(0).toLowerCase() + reason.slice(1);
}

const skipped = (index: number, src: string, reason: string) =>
  `Photo ${index + 1} (${src}) was skipped: ${reason}.`;

/**
 * Stores `bytes` (a JPEG valid for Instagram) in R2 and records it, once per agent and source URL: a
 * concurrent conversion of the same photo loses the insert and uses the winner's row instead.
 */
async function storeAsset(
  env: Env,
  purpose: Purpose,
  agentId: string,
  sourceUrl: string,
  bytes: ArrayBuffer,
  size: { width: number; height: number },
): Promise<string> {
  const id = newMediaId();
  const r2Key = `${purpose}/${agentId}/${id}.jpg`;
  await env.MEDIA.put(r2Key, bytes, { httpMetadata: { contentType: "image/jpeg" } });
  const db = createDb(env.DB);
  const inserted = await db
    .insert(mediaAssets)
    .values({
      id,
      agentId,
      sourceUrl,
      purpose,
      r2Key,
      contentType: "image/jpeg",
      width: size.width,
      height: size.height,
      bytes: bytes.byteLength,
    })
    .onConflictDoNothing()
    .returning({ id: mediaAssets.id });
  if (inserted[0]) return inserted[0].id;
  await env.MEDIA.delete(r2Key);
  const existing = await findAsset(env, purpose, agentId, sourceUrl);
  if (!existing) throw new Error("media asset vanished after a conflicting insert");
  return existing;
}

async function findAsset(
  env: Env,
  purpose: Purpose,
  agentId: string,
  sourceUrl: string,
): Promise<string | null> {
  const row = await createDb(env.DB)
    .select({ id: mediaAssets.id })
    .from(mediaAssets)
    .where(
      and(
        eq(mediaAssets.agentId, agentId),
        eq(mediaAssets.purpose, purpose),
        eq(mediaAssets.sourceUrl, sourceUrl),
      ),
    )
    .get();
  return row?.id ?? null;
}

/** The photo as a JPEG, cropped to fill `size` from its centre when one is given. */
async function toJpeg(
  env: Env,
  bytes: ArrayBuffer,
  size?: { width: number; height: number },
): Promise<ArrayBuffer | null> {
  try {
    let image = env.IMAGES.input(streamOf(bytes));
    if (size)
      image = image.transform({ width: size.width, height: size.height, fit: "cover", gravity: "center" });
    const result = await image.output({ format: "image/jpeg", quality: JPEG_QUALITY });
    return await new Response(result.image()).arrayBuffer();
  } catch (error) {
    console.error("photo conversion to JPEG failed", error);
    return null;
  }
}

type OnePhoto = { ok: true; url: string } | { ok: false; reason: string };

async function instagramPhoto(env: Env, agentId: string, origin: string, src: string): Promise<OnePhoto> {
  // Converted (or re-hosted) before: the stored copy is what Meta fetches, whatever the source does now.
  const known = await findAsset(env, "instagram", agentId, src);
  if (known) return { ok: true, url: mediaUrl(origin, known) };
  const photo = await download(env, src);
  if (!photo.ok) return photo;
  if (isValidForInstagram(photo.image)) {
    if (isPublicHttpsUrl(src)) return { ok: true, url: src };
    // Valid but where Meta cannot fetch it (http, or a development host): the same bytes, from our origin.
    const id = await storeAsset(env, "instagram", agentId, src, photo.bytes, photo.image);
    return { ok: true, url: mediaUrl(origin, id) };
  }
  const target = instagramTarget(photo.image.width, photo.image.height);
  if (!target)
    return {
      ok: false,
      reason: `it is ${photo.image.width}×${photo.image.height} px, too small for Instagram (${INSTAGRAM_PHOTO.minWidth} px wide at least)`,
    };
  const converted = await toJpeg(env, photo.bytes, target);
  if (!converted) return { ok: false, reason: "it could not be converted to a JPEG" };
  if (converted.byteLength > INSTAGRAM_PHOTO.maxBytes)
    return { ok: false, reason: "it is still larger than 8 MB after conversion" };
  const id = await storeAsset(env, "instagram", agentId, src, converted, target);
  return { ok: true, url: mediaUrl(origin, id) };
}

/**
 * The listing's photos (the first 10, in order) as URLs Instagram accepts and can fetch: a photo that is
 * already valid and public keeps its URL; any other is converted (or copied) once into R2 and served
 * from `${origin}/media/<id>.jpg`. A photo that cannot be used is left out with a problem in plain words;
 * `urls` is empty when none can be used, which fails the post's preflight.
 */
export async function instagramPhotoUrls(
  env: Env,
  { agentId, origin, urls }: PhotoRequest,
): Promise<PhotoUrls> {
  const result: PhotoUrls = { urls: [], problems: [] };
  // One at a time: each photo may hold 10 MB in memory while it is read and converted.
  for (const [index, src] of urls.slice(0, MAX_POST_PHOTOS).entries()) {
    const photo = await instagramPhoto(env, agentId, origin, src);
    if (photo.ok) result.urls.push(photo.url);
    else result.problems.push(skipped(index, src, photo.reason));
  }
  if (result.urls.length === 0) result.problems.push("No photo of this listing can be used on Instagram.");
  return result;
}

/**
 * The listing's photos (the first 10, in order) for a Facebook Page post, checked to be reachable
 * images. Facebook takes JPEG, PNG and GIF of any ratio and size up to 10 MB, so those keep their URL:
 * in production the fetcher refuses non-public hosts anyway (IMAGE_PROXY_ALLOW_HOSTS is empty), and in
 * development the Graph fake does not fetch the loopback photos it is given. WebP and AVIF, which the
 * Page photo endpoint may refuse, are converted once to JPEG and served from our origin.
 */
export async function facebookPhotoUrls(
  env: Env,
  { agentId, origin, urls }: PhotoRequest,
): Promise<PhotoUrls> {
  const result: PhotoUrls = { urls: [], problems: [] };
  for (const [index, src] of urls.slice(0, MAX_POST_PHOTOS).entries()) {
    const photo = await facebookPhoto(env, agentId, origin, src);
    if (photo.ok) result.urls.push(photo.url);
    else result.problems.push(skipped(index, src, photo.reason));
  }
  return result;
}

async function facebookPhoto(env: Env, agentId: string, origin: string, src: string): Promise<OnePhoto> {
  const known = await findAsset(env, "facebook", agentId, src);
  if (known) return { ok: true, url: mediaUrl(origin, known) };
  const photo = await download(env, src);
  if (!photo.ok) return photo;
  if (/^image\/(jpeg|png|gif)$/.test(photo.image.format)) return { ok: true, url: src };
  const converted = await toJpeg(env, photo.bytes);
  if (!converted) return { ok: false, reason: "it could not be converted to a JPEG" };
  const id = await storeAsset(env, "facebook", agentId, src, converted, photo.image);
  return { ok: true, url: mediaUrl(origin, id) };
}
