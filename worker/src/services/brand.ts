import { agents, mediaAssets } from "db";
import { and, eq, inArray, isNull, type SQL } from "drizzle-orm";
import { newMediaId } from "../agents/social/media";
import type { Db } from "../lib/db";
import { createDb } from "../lib/db";
import { ServiceError } from "../lib/errors";
import {
  type BrandImage,
  type BrandImageKind,
  type BrandInput,
  type BrandView,
  contrastWithWhite,
  DEFAULT_BRAND_COLORS,
} from "../schemas/brand";

/** The file extension /media serves each stored type under (routes/media.ts). */
export const MEDIA_EXTENSIONS: Record<string, string> = { "image/jpeg": "jpg", "image/png": "png" };

export const mediaPath = (id: string, contentType: string) =>
  `/media/${id}.${MEDIA_EXTENSIONS[contentType] ?? "jpg"}`;

export const NOT_AN_IMAGE = "That file is not a PNG, JPEG or WebP image";
// The Images binding's input limits (developers.cloudflare.com/images/get-started/limits): checked
// first, so a small file that unpacks to a huge bitmap gets a plain answer, not a resizing failure.
const MAX_SIDE = 12_000;
const MAX_PIXELS = 100_000_000;

type UploadType = "image/png" | "image/jpeg" | "image/webp";

/** What the first bytes say the file is; the name and the declared type are never asked. */
export function sniffImageType(bytes: Uint8Array): UploadType | null {
  const starts = (offset: number, ...values: number[]) => values.every((v, i) => bytes[offset + i] === v);
  if (starts(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  if (starts(0, 0xff, 0xd8, 0xff)) return "image/jpeg";
  // RIFF <size> WEBP
  if (starts(0, 0x52, 0x49, 0x46, 0x46) && starts(8, 0x57, 0x45, 0x42, 0x50)) return "image/webp";
  return null;
}

/**
 * How each kind is resized: a logo keeps its shape and transparency (PNG) and is never enlarged; a
 * headshot fills a square (JPEG, transparency on white).
 */
const RENDITIONS: Record<
  BrandImageKind,
  { transform: ImageTransform; output: ImageOutputOptions; contentType: "image/png" | "image/jpeg" }
> = {
  logo: {
    transform: { width: 600, height: 600, fit: "scale-down" },
    output: { format: "image/png" },
    contentType: "image/png",
  },
  headshot: {
    transform: { width: 400, height: 400, fit: "cover", gravity: "center", background: "#ffffff" },
    output: { format: "image/jpeg", quality: 85 },
    contentType: "image/jpeg",
  },
};

const column = (kind: BrandImageKind) => (kind === "logo" ? agents.logoAssetId : agents.headshotAssetId);
const streamOf = (bytes: Uint8Array | ArrayBuffer) => new Blob([bytes]).stream();

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function brandRow(db: Db, agentId: string) {
  const row = await db
    .select({ brand: agents.brand, logoAssetId: agents.logoAssetId, headshotAssetId: agents.headshotAssetId })
    .from(agents)
    .where(eq(agents.id, agentId))
    .get();
  if (!row) throw new ServiceError("NOT_FOUND", "Account not found");
  return row;
}

export async function getBrand(db: Db, agentId: string): Promise<BrandView> {
  const row = await brandRow(db, agentId);
  const ids = [row.logoAssetId, row.headshotAssetId].filter((id): id is string => Boolean(id));
  const assets = ids.length
    ? await db
        .select({
          id: mediaAssets.id,
          contentType: mediaAssets.contentType,
          width: mediaAssets.width,
          height: mediaAssets.height,
        })
        .from(mediaAssets)
        .where(and(eq(mediaAssets.agentId, agentId), inArray(mediaAssets.id, ids)))
    : [];
  const image = (id: string | null): BrandImage | null => {
    const asset = assets.find((a) => a.id === id);
    return asset
      ? { url: mediaPath(asset.id, asset.contentType), width: asset.width, height: asset.height }
      : null;
  };
  const primaryColor = row.brand.primaryColor ?? DEFAULT_BRAND_COLORS.primaryColor;
  const accentColor = row.brand.accentColor ?? DEFAULT_BRAND_COLORS.accentColor;
  return {
    primaryColor,
    accentColor,
    tagline: row.brand.tagline ?? "",
    logo: image(row.logoAssetId),
    headshot: image(row.headshotAssetId),
    contrast: { primary: contrastWithWhite(primaryColor), accent: contrastWithWhite(accentColor) },
  };
}

/** Saves colours and tagline; the legacy logoUrl stays as it was (emails fall back to it). */
export async function updateBrand(db: Db, agentId: string, input: BrandInput): Promise<BrandView> {
  const { brand } = await brandRow(db, agentId);
  await db
    .update(agents)
    .set({
      brand: {
        ...brand,
        primaryColor: input.primaryColor,
        accentColor: input.accentColor,
        tagline: input.tagline,
      },
      updatedAt: new Date(),
    })
    .where(eq(agents.id, agentId));
  return getBrand(db, agentId);
}

/** The absolute URL of the agent's uploaded logo, for emails; null when he has none. */
export async function uploadedLogoUrl(db: Db, agentId: string, origin: string): Promise<string | null> {
  const row = await db
    .select({ id: mediaAssets.id, contentType: mediaAssets.contentType })
    .from(agents)
    .innerJoin(mediaAssets, and(eq(mediaAssets.id, agents.logoAssetId), eq(mediaAssets.agentId, agents.id)))
    .where(eq(agents.id, agentId))
    .get();
  return row ? `${origin.replace(/\/$/, "")}${mediaPath(row.id, row.contentType)}` : null;
}

/** The stored bytes of the agent's logo or headshot (for the flyer), or null. */
export async function brandImageObject(
  env: Env,
  agentId: string,
  kind: BrandImageKind,
): Promise<{ object: R2ObjectBody; contentType: string; width: number; height: number } | null> {
  const row = await createDb(env.DB)
    .select({
      r2Key: mediaAssets.r2Key,
      contentType: mediaAssets.contentType,
      width: mediaAssets.width,
      height: mediaAssets.height,
    })
    .from(agents)
    .innerJoin(mediaAssets, and(eq(mediaAssets.id, column(kind)), eq(mediaAssets.agentId, agents.id)))
    .where(eq(agents.id, agentId))
    .get();
  const object = row ? await env.MEDIA.get(row.r2Key) : null;
  return row && object
    ? { object, contentType: row.contentType, width: row.width, height: row.height }
    : null;
}

/** Deletes an asset's R2 object, then its row. Scoped to the agent: another agent's id deletes nothing. */
async function deleteAsset(env: Env, db: Db, agentId: string, id: string): Promise<void> {
  const asset = await db
    .select({ r2Key: mediaAssets.r2Key })
    .from(mediaAssets)
    .where(and(eq(mediaAssets.id, id), eq(mediaAssets.agentId, agentId)))
    .get();
  if (!asset) return;
  await env.MEDIA.delete(asset.r2Key);
  await db.delete(mediaAssets).where(and(eq(mediaAssets.id, id), eq(mediaAssets.agentId, agentId)));
}

/** The Images binding's reading of `bytes`, when it agrees with what the magic bytes said. */
async function checkedInfo(env: Env, bytes: Uint8Array): Promise<UploadType> {
  const sniffed = sniffImageType(bytes);
  if (!sniffed) throw new ServiceError("BAD_REQUEST", NOT_AN_IMAGE, { field: "file" });
  let info: ImageInfoResponse;
  try {
    info = await env.IMAGES.info(streamOf(bytes));
  } catch {
    throw new ServiceError("BAD_REQUEST", NOT_AN_IMAGE, { field: "file" });
  }
  if (!("width" in info) || info.format !== sniffed)
    throw new ServiceError("BAD_REQUEST", NOT_AN_IMAGE, { field: "file" });
  if (info.width > MAX_SIDE || info.height > MAX_SIDE || info.width * info.height > MAX_PIXELS)
    throw new ServiceError("BAD_REQUEST", "The image must be at most 12,000 pixels on each side", {
      field: "file",
    });
  return sniffed;
}

async function render(env: Env, bytes: Uint8Array, kind: BrandImageKind) {
  const { transform, output } = RENDITIONS[kind];
  try {
    const result = await env.IMAGES.input(streamOf(bytes)).transform(transform).output(output);
    const out = await new Response(result.image()).arrayBuffer();
    const info = await env.IMAGES.info(streamOf(out));
    if (!("width" in info)) throw new Error("the rendition is not a bitmap");
    return { bytes: out, width: info.width, height: info.height };
  } catch (error) {
    console.error(`brand: resizing a ${kind} failed`, error);
    throw new ServiceError(
      "BAD_REQUEST",
      "That image could not be read. Try saving it again as PNG or JPEG.",
      {
        field: "file",
      },
    );
  }
}

/**
 * Stores an uploaded logo or headshot: checked by content (magic bytes, then the Images binding), resized,
 * put in R2 and recorded, then made the agent's; the image it replaces is deleted. The same file uploaded
 * again is a no-op. Two uploads racing: the second to finish is refused (CONFLICT) and leaves nothing.
 */
export async function saveBrandImage(
  env: Env,
  agentId: string,
  kind: BrandImageKind,
  bytes: Uint8Array,
): Promise<BrandView> {
  await checkedInfo(env, bytes);
  const db = createDb(env.DB);
  const sourceUrl = `upload:${await sha256Hex(bytes)}`;
  const row = await brandRow(db, agentId);
  const current = kind === "logo" ? row.logoAssetId : row.headshotAssetId;
  const same = await db
    .select({ id: mediaAssets.id })
    .from(mediaAssets)
    .where(
      and(
        eq(mediaAssets.agentId, agentId),
        eq(mediaAssets.purpose, kind),
        eq(mediaAssets.sourceUrl, sourceUrl),
      ),
    )
    .get();
  if (same?.id === current && current) return getBrand(db, agentId);
  // Left over from an upload that lost a race: it would block this file's row.
  if (same) await deleteAsset(env, db, agentId, same.id);

  const { contentType } = RENDITIONS[kind];
  const rendition = await render(env, bytes, kind);
  const id = newMediaId();
  const r2Key = `${kind}/${agentId}/${id}.${MEDIA_EXTENSIONS[contentType]}`;
  await env.MEDIA.put(r2Key, rendition.bytes, { httpMetadata: { contentType } });
  const unchanged: SQL | undefined = current ? eq(column(kind), current) : isNull(column(kind));
  let swapped: { id: string }[];
  try {
    const [, updated] = await db.batch([
      db.insert(mediaAssets).values({
        id,
        agentId,
        sourceUrl,
        purpose: kind,
        r2Key,
        contentType,
        width: rendition.width,
        height: rendition.height,
        bytes: rendition.bytes.byteLength,
      }),
      db
        .update(agents)
        .set(
          kind === "logo"
            ? { logoAssetId: id, updatedAt: new Date() }
            : { headshotAssetId: id, updatedAt: new Date() },
        )
        .where(and(eq(agents.id, agentId), unchanged))
        .returning({ id: agents.id }),
    ]);
    swapped = updated;
  } catch (error) {
    await env.MEDIA.delete(r2Key);
    // The same file, uploaded twice at once: the other request's row won the unique index.
    if (/UNIQUE constraint/i.test(String((error as { cause?: unknown }).cause ?? error)))
      throw new ServiceError("CONFLICT", `Another upload of your ${kind} finished first. Try again.`);
    throw error;
  }
  if (swapped.length === 0) {
    await deleteAsset(env, db, agentId, id);
    throw new ServiceError("CONFLICT", `Another upload of your ${kind} finished first. Try again.`);
  }
  if (current) await deleteAsset(env, db, agentId, current);
  return getBrand(db, agentId);
}

/** Removes the agent's logo or headshot: the agent's reference first, then the R2 object and its row. */
export async function removeBrandImage(
  env: Env,
  db: Db,
  agentId: string,
  kind: BrandImageKind,
): Promise<BrandView> {
  const row = await brandRow(db, agentId);
  const current = kind === "logo" ? row.logoAssetId : row.headshotAssetId;
  if (current) {
    await db
      .update(agents)
      .set(
        kind === "logo"
          ? { logoAssetId: null, updatedAt: new Date() }
          : { headshotAssetId: null, updatedAt: new Date() },
      )
      .where(and(eq(agents.id, agentId), eq(column(kind), current)));
    await deleteAsset(env, db, agentId, current);
  }
  return getBrand(db, agentId);
}
