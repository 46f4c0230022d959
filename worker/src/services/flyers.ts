import { agents, contentPieces, listings, mediaAssets } from "db";
import { and, eq, inArray } from "drizzle-orm";
import {
  type FlyerLayout,
  type FlyerPageSize,
  flyerCopy,
  flyerQrPayload,
  layoutFlyer,
} from "../agents/content/flyer-layout";
import type { Db } from "../lib/db";
import { ServiceError } from "../lib/errors";
import { mediaPath } from "./brand";

const PHOTOS_ON_FLYER = 3;
const HEX_COLOUR = /^#[0-9a-f]{6}$/i;
const count = new Intl.NumberFormat("en-US");

/** Listing photos are shown through the worker's image proxy (routes/images.ts), as the app shows them. */
const proxied = (url: string) => `/api/images?src=${encodeURIComponent(url)}`;

function usablePhoto(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
}

/** "4 beds · 2.5 baths · 2,145 sq ft · Harbor Point": what the flyer prints under the price. */
export function factsLine(listing: {
  beds: number | null;
  bathsFull: number | null;
  bathsHalf: number | null;
  sqft: number | null;
  community: string;
}): string {
  const baths =
    listing.bathsFull === null && listing.bathsHalf === null
      ? null
      : `${listing.bathsFull ?? 0}${listing.bathsHalf ? ".5" : ""}`;
  return [
    listing.beds !== null && `${listing.beds} ${listing.beds === 1 ? "bed" : "beds"}`,
    baths !== null && `${baths} ${baths === "1" ? "bath" : "baths"}`,
    listing.sqft !== null && `${count.format(listing.sqft)} sq ft`,
    listing.community.trim(),
  ]
    .filter(Boolean)
    .join(" · ");
}

/** `/media/<id>.png|jpg` for an agent's own brand upload; null when none is set or it is gone. */
async function brandImages(db: Db, agentId: string, ids: (string | null)[]) {
  const wanted = ids.filter((id): id is string => Boolean(id));
  if (wanted.length === 0) return new Map<string, string>();
  const rows = await db
    .select({ id: mediaAssets.id, contentType: mediaAssets.contentType })
    .from(mediaAssets)
    .where(and(inArray(mediaAssets.id, wanted), eq(mediaAssets.agentId, agentId)));
  return new Map(rows.map((row) => [row.id, mediaPath(row.id, row.contentType)]));
}

/**
 * Everything the printable flyer shows for one of the agent's own flyer_text pieces, with the layout's
 * verdict for Letter and A4. Another agent's piece and a piece of another kind are both NOT_FOUND.
 */
export async function getFlyer(db: Db, agentId: string, pieceId: string) {
  const [row] = await db
    .select({ piece: contentPieces, listing: listings })
    .from(contentPieces)
    .innerJoin(listings, and(eq(listings.id, contentPieces.listingId), eq(listings.agentId, agentId)))
    .where(
      and(
        eq(contentPieces.id, pieceId),
        eq(contentPieces.agentId, agentId),
        eq(contentPieces.kind, "flyer_text"),
      ),
    )
    .limit(1);
  if (!row) throw new ServiceError("NOT_FOUND", "Flyer not found");
  const [agent] = await db.select().from(agents).where(eq(agents.id, agentId)).limit(1);
  if (!agent) throw new ServiceError("NOT_FOUND", "Flyer not found");
  const { piece, listing } = row;
  const copy = flyerCopy(piece.structured ?? null, piece.body);
  const photos = listing.imageUrls.filter(usablePhoto).slice(0, PHOTOS_ON_FLYER).map(proxied);
  const facts = factsLine(listing);
  const images = await brandImages(db, agentId, [agent.logoAssetId, agent.headshotAssetId]);
  const colour = (value: string | undefined) => (value && HEX_COLOUR.test(value) ? value : null);
  const layout: Record<FlyerPageSize, FlyerLayout> = {
    letter: layoutFlyer(copy, { facts, hasPhotos: photos.length > 0 }, "letter"),
    a4: layoutFlyer(copy, { facts, hasPhotos: photos.length > 0 }, "a4"),
  };
  return {
    piece: { id: piece.id, status: piece.status, version: piece.version },
    copy,
    listing: {
      id: listing.id,
      addressLine: listing.addressLine,
      city: listing.city,
      state: listing.state,
      zip: listing.zip,
      community: listing.community,
      priceCents: listing.priceCents,
      beds: listing.beds,
      bathsFull: listing.bathsFull,
      bathsHalf: listing.bathsHalf,
      sqft: listing.sqft,
      facts,
      photos,
      url: flyerQrPayload(listing.sourceUrl),
    },
    agent: {
      name: agent.name,
      brokerageName: agent.brokerageName,
      licenseNumber: agent.licenseNumber,
      phone: agent.phone,
      email: agent.email,
      tagline: agent.brand.tagline?.trim() || null,
      primaryColor: colour(agent.brand.primaryColor),
      accentColor: colour(agent.brand.accentColor),
      logoUrl: (agent.logoAssetId && images.get(agent.logoAssetId)) || null,
      headshotUrl: (agent.headshotAssetId && images.get(agent.headshotAssetId)) || null,
    },
    layout,
  };
}
