// The flyer as a 1080x1350 JPEG for an Instagram or Facebook post, made with the Images binding and kept
// in R2 `MEDIA` behind an unguessable /media/<id>.jpg. Two ways to draw the text, tried in this order:
// 1. the binding alone: a canvas, the photo, the white strip, each text line from IMAGES.text() and the
//    logo, drawn at the layout's positions (Cloudflare's text rasterization, 2026-09);
// 2. one SVG of the whole flyer rasterized by the binding, for where .text() is missing: locally
//    miniflare answers .text() with error 9523 and ignores .draw(), but rasterizes SVG through sharp.
// Whichever ran, the result must read back as a 1080x1350 JPEG or nothing is stored.
import { agents, contentPieces, listings, mediaAssets } from "db";
import { and, eq } from "drizzle-orm";
import type { Db } from "../../lib/db";
import { ServiceError } from "../../lib/errors";
import { fetchListingImage, imagePolicyFromEnv } from "../../lib/image-fetch";
import { USER_AGENT } from "../listing/agent";
import { newMediaId } from "../social/media";
import { FLYER_SIZE, type FlyerLayout, flyerLayout, flyerSvg } from "./layout";

/** Bump when the layout changes, so every flyer is drawn again on its next render. */
const LAYOUT_VERSION = 1;
const JPEG_QUALITY = 86;
// Fonts for IMAGES.text(), fetched by Cloudflare: Inter (OFL) from the @fontsource/inter 5.3.0 package
// on a public CDN, pinned so a flyer drawn again looks the same.
const FONT_BASE = "https://cdn.jsdelivr.net/npm/@fontsource/inter@5.3.0/files";
const FONTS = {
  bold: `${FONT_BASE}/inter-latin-700-normal.woff2`,
  regular: `${FONT_BASE}/inter-latin-400-normal.woff2`,
} as const;
const png = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
const TRANSPARENT_PIXEL = png(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAADUlEQVQImWNgYGBgAAAABQABh6FO1AAAAABJRU5ErkJggg==",
);
const WHITE_PIXEL = png(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAADElEQVQImWP4//8/AAX+Av5Y8msOAAAAAElFTkSuQmCC",
);

export type FlyerImage = { id: string; url: string; width: number; height: number };

const streamOf = (bytes: ArrayBuffer | Uint8Array) => new Blob([bytes]).stream();
const bytesOf = async (result: ImageTransformationResult) => new Response(result.image()).arrayBuffer();

function base64(bytes: ArrayBuffer): string {
  const view = new Uint8Array(bytes);
  let out = "";
  for (let i = 0; i < view.length; i += 0x8000) out += String.fromCharCode(...view.subarray(i, i + 0x8000));
  return btoa(out);
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

type Inputs = {
  piece: { id: string; version: number; listingId: string; flyerAssetId: string | null };
  layout: FlyerLayout;
  photoUrl: string | null;
  logo: { r2Key: string; id: string } | null;
};

async function loadInputs(db: Db, agentId: string, pieceId: string): Promise<Inputs> {
  const [piece] = await db
    .select({
      id: contentPieces.id,
      kind: contentPieces.kind,
      status: contentPieces.status,
      version: contentPieces.version,
      listingId: contentPieces.listingId,
      structured: contentPieces.structured,
      flyerAssetId: contentPieces.flyerAssetId,
    })
    .from(contentPieces)
    .where(and(eq(contentPieces.id, pieceId), eq(contentPieces.agentId, agentId)))
    .limit(1);
  if (piece?.kind !== "flyer_text") throw new ServiceError("NOT_FOUND", "No such flyer.");
  if (piece.status === "generating" || piece.status === "failed" || !piece.structured)
    throw new ServiceError("CONFLICT", "This flyer has no text yet.");
  const [listing] = await db
    .select()
    .from(listings)
    .where(and(eq(listings.id, piece.listingId), eq(listings.agentId, agentId)))
    .limit(1);
  const [agent] = await db.select().from(agents).where(eq(agents.id, agentId)).limit(1);
  if (!listing || !agent) throw new ServiceError("NOT_FOUND", "No such flyer.");
  const s = piece.structured as { headline?: unknown; bullets?: unknown; callToAction?: unknown };
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  const layout = flyerLayout({
    headline: str(s.headline) || listing.addressLine,
    bullets: Array.isArray(s.bullets) ? s.bullets.map(str).filter(Boolean) : [],
    callToAction: str(s.callToAction),
    priceCents: listing.priceCents,
    beds: listing.beds,
    bathsFull: listing.bathsFull,
    bathsHalf: listing.bathsHalf,
    sqft: listing.sqft,
    community: listing.community,
    address: [listing.addressLine, listing.city].filter(Boolean).join(", "),
    agentName: agent.name,
    brokerageName: agent.brokerageName,
    licenseNumber: agent.licenseNumber,
    phone: agent.phone,
    primaryColor: agent.brand.primaryColor,
    accentColor: agent.brand.accentColor,
  });
  const [logo] = agent.logoAssetId
    ? await db
        .select({ id: mediaAssets.id, r2Key: mediaAssets.r2Key })
        .from(mediaAssets)
        .where(and(eq(mediaAssets.id, agent.logoAssetId), eq(mediaAssets.agentId, agentId)))
        .limit(1)
    : [];
  return {
    piece: {
      id: piece.id,
      version: piece.version,
      listingId: piece.listingId,
      flyerAssetId: piece.flyerAssetId,
    },
    layout,
    photoUrl: listing.imageUrls[0] ?? null,
    logo: logo ?? null,
  };
}

/** The listing's first photo cropped to the photo box, as a JPEG; null when it cannot be used. */
async function photoJpeg(env: Env, src: string, layout: FlyerLayout): Promise<ArrayBuffer | null> {
  const fetched = await fetchListingImage(src, USER_AGENT, imagePolicyFromEnv(env));
  if (!fetched.ok) return null;
  try {
    const bytes = await fetched.response.arrayBuffer();
    const result = await env.IMAGES.input(streamOf(bytes))
      .transform({ width: layout.photo.width, height: layout.photo.height, fit: "cover", gravity: "center" })
      .output({ format: "image/jpeg", quality: JPEG_QUALITY });
    return await bytesOf(result);
  } catch (error) {
    console.error("flyer photo could not be prepared", error);
    return null;
  }
}

async function logoPng(env: Env, r2Key: string, layout: FlyerLayout): Promise<ArrayBuffer | null> {
  const object = await env.MEDIA.get(r2Key);
  if (!object) return null;
  try {
    const result = await env.IMAGES.input(object.body)
      .transform({ width: layout.logo.width, height: layout.logo.height, fit: "contain" })
      .output({ format: "image/png" });
    return await bytesOf(result);
  } catch (error) {
    console.error("flyer logo could not be prepared", error);
    return null;
  }
}

/** Plan A: everything drawn by the binding, text from IMAGES.text(). Throws where .text() is missing. */
async function composeWithBinding(
  env: Env,
  layout: FlyerLayout,
  photo: ArrayBuffer | null,
  logo: ArrayBuffer | null,
): Promise<ArrayBuffer> {
  // The binding's size is in points; the layout's in pixels.
  const text = (t: FlyerLayout["texts"][number]) =>
    env.IMAGES.text(t.text, {
      font: { url: FONTS[t.weight] },
      size: Math.round(t.size * 0.75),
      color: t.color,
    });
  const first = layout.texts[0];
  // One line alone first, read back: where .text() is not implemented this throws before any drawing
  // (a missing .draw() would otherwise pass unnoticed).
  if (first) await env.IMAGES.info((await text(first).output({ format: "image/png" })).image());
  let canvas = env.IMAGES.input(streamOf(TRANSPARENT_PIXEL)).transform({
    ...FLYER_SIZE,
    fit: "squeeze",
  });
  if (photo)
    canvas = canvas.draw(env.IMAGES.input(streamOf(photo)), { top: layout.photo.y, left: layout.photo.x });
  canvas = canvas.draw(
    env.IMAGES.input(streamOf(WHITE_PIXEL)).transform({
      width: layout.strip.width,
      height: layout.strip.height,
      fit: "squeeze",
    }),
    { top: layout.strip.y, left: 0 },
  );
  for (const t of layout.texts) canvas = canvas.draw(text(t), { top: t.y - t.size, left: t.x });
  if (logo)
    canvas = canvas.draw(streamOf(logo), {
      top: layout.logo.y,
      right: FLYER_SIZE.width - layout.logo.x - layout.logo.width,
    });
  // The transparent canvas shows the brand colour once flattened.
  return bytesOf(
    await canvas.output({ format: "image/jpeg", quality: JPEG_QUALITY, background: layout.primary }),
  );
}

/** Plan B: the flyer as one SVG, rasterized by the binding. */
async function composeFromSvg(
  env: Env,
  layout: FlyerLayout,
  photo: ArrayBuffer | null,
  logo: ArrayBuffer | null,
): Promise<ArrayBuffer> {
  const svg = flyerSvg(layout, {
    photo: photo && `data:image/jpeg;base64,${base64(photo)}`,
    logo: logo && `data:image/png;base64,${base64(logo)}`,
  });
  const result = await env.IMAGES.input(streamOf(new TextEncoder().encode(svg))).output({
    format: "image/jpeg",
    quality: JPEG_QUALITY,
  });
  return bytesOf(result);
}

async function isFlyerJpeg(env: Env, bytes: ArrayBuffer): Promise<boolean> {
  const view = new Uint8Array(bytes);
  if (view[0] !== 0xff || view[1] !== 0xd8 || view[2] !== 0xff) return false;
  const info = await env.IMAGES.info(streamOf(bytes)).catch(() => null);
  return (
    info !== null &&
    "width" in info &&
    info.format === "image/jpeg" &&
    info.width === FLYER_SIZE.width &&
    info.height === FLYER_SIZE.height
  );
}

async function compose(env: Env, inputs: Inputs): Promise<ArrayBuffer> {
  const photo = inputs.photoUrl ? await photoJpeg(env, inputs.photoUrl, inputs.layout) : null;
  const logo = inputs.logo ? await logoPng(env, inputs.logo.r2Key, inputs.layout) : null;
  try {
    const bytes = await composeWithBinding(env, inputs.layout, photo, logo);
    if (await isFlyerJpeg(env, bytes)) return bytes;
  } catch (error) {
    console.info("flyer image: IMAGES.text() unavailable, drawing from SVG", String(error));
  }
  const bytes = await composeFromSvg(env, inputs.layout, photo, logo).catch((error) => {
    console.error("flyer image from SVG failed", error);
    return null;
  });
  if (bytes && (await isFlyerJpeg(env, bytes))) return bytes;
  throw new ServiceError("BAD_GATEWAY", "The flyer image could not be made. Try again in a moment.");
}

async function assetBySource(db: Db, agentId: string, sourceUrl: string) {
  const [row] = await db
    .select({ id: mediaAssets.id, r2Key: mediaAssets.r2Key })
    .from(mediaAssets)
    .where(
      and(
        eq(mediaAssets.agentId, agentId),
        eq(mediaAssets.purpose, "flyer"),
        eq(mediaAssets.sourceUrl, sourceUrl),
      ),
    )
    .limit(1);
  return row ?? null;
}

const result = (id: string): FlyerImage => ({ id, url: `/media/${id}.jpg`, ...FLYER_SIZE });

/**
 * The agent's flyer piece as a JPEG, stored once per piece, version and what is drawn on it (text,
 * listing facts, brand, logo): rendering the same again reuses the stored image, a change makes a new one.
 * Sets the piece's flyer_asset_id to it.
 */
export async function renderFlyerImage(
  env: Env,
  db: Db,
  agentId: string,
  pieceId: string,
): Promise<FlyerImage> {
  const inputs = await loadInputs(db, agentId, pieceId);
  const drawn = await sha256Hex(
    JSON.stringify([LAYOUT_VERSION, inputs.layout, inputs.photoUrl, inputs.logo?.id ?? null]),
  );
  const sourceUrl = `flyer:${inputs.piece.id}:v${inputs.piece.version}:${drawn.slice(0, 24)}`;
  let asset = await assetBySource(db, agentId, sourceUrl);
  if (asset && !(await env.MEDIA.head(asset.r2Key))) {
    // The row outlived its object: draw it again under the same id.
    const bytes = await compose(env, inputs);
    await env.MEDIA.put(asset.r2Key, bytes, { httpMetadata: { contentType: "image/jpeg" } });
  }
  if (!asset) {
    const bytes = await compose(env, inputs);
    const id = newMediaId();
    const r2Key = `flyer/${agentId}/${id}.jpg`;
    await env.MEDIA.put(r2Key, bytes, { httpMetadata: { contentType: "image/jpeg" } });
    const [inserted] = await db
      .insert(mediaAssets)
      .values({
        id,
        agentId,
        sourceUrl,
        purpose: "flyer",
        r2Key,
        contentType: "image/jpeg",
        ...FLYER_SIZE,
        bytes: bytes.byteLength,
      })
      .onConflictDoNothing()
      .returning({ id: mediaAssets.id, r2Key: mediaAssets.r2Key });
    if (!inserted) await env.MEDIA.delete(r2Key);
    // A concurrent render of the same version won the insert: use its image.
    asset = inserted ?? (await assetBySource(db, agentId, sourceUrl));
    if (!asset) throw new Error("flyer media asset vanished after a conflicting insert");
  }
  if (inputs.piece.flyerAssetId !== asset.id) {
    await db
      .update(contentPieces)
      .set({ flyerAssetId: asset.id })
      .where(and(eq(contentPieces.id, pieceId), eq(contentPieces.agentId, agentId)));
  }
  return result(asset.id);
}
