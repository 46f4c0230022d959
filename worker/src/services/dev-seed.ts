// Development only (behind devProcedure): gives the signed-in agent a large book of listings with drafts
// waiting for approval, so the dashboard, listings and approvals pages can be tried and measured at scale.
import { type ContentKind, contentPieces, listings } from "db";
import { chunkRows } from "../lib/d1";
import type { Db } from "../lib/db";
import { newId } from "../lib/ids";

const CITIES = ["Tampa", "Orlando", "Sarasota", "Naples", "Lakeland"] as const;
const COMMUNITIES = ["Harbor Pointe", "Cypress Landing", "Palm Reserve", "Oak Hammock", "Seagrass"] as const;
const PLANS = ["Aria", "Bayside", "Caldera", "Dunmore"] as const;
const KINDS: readonly ContentKind[] = ["facebook_post", "instagram_caption", "flyer_text"];

type ListingRow = typeof listings.$inferInsert;
type PieceRow = typeof contentPieces.$inferInsert;

/**
 * `count` listings numbered 1..count ("1 Scale Test Way" is the newest, so the last one in the default
 * order is "<count> Scale Test Way"), each with one pending draft of every kind. Every column with a default
 * is written explicitly: drizzle binds a JS default as a parameter, and chunkRows counts the row's keys.
 */
export async function seedListings(db: Db, agentId: string, count: number, now = Date.now()) {
  const batch = newId().slice(0, 8);
  const listingRows: ListingRow[] = [];
  const pieceRows: PieceRow[] = [];
  for (let n = 1; n <= count; n++) {
    const id = newId();
    const seen = new Date(now - n * 60_000);
    const addressLine = `${n} Scale Test Way`;
    const city = CITIES[n % CITIES.length] ?? "Tampa";
    const community = COMMUNITIES[n % COMMUNITIES.length] ?? "";
    listingRows.push({
      id,
      agentId,
      origin: "manual",
      sourceKey: `seed-${batch}-${n}`,
      contentHash: `seed-${batch}-${n}`,
      addressLine,
      city,
      state: "FL",
      zip: String(33600 + (n % 90)),
      community,
      planName: PLANS[n % PLANS.length] ?? "",
      priceCents: (300_000 + (n % 40) * 12_500) * 100,
      beds: 2 + (n % 4),
      bathsFull: 2,
      sqft: 1400 + (n % 30) * 50,
      status: "available",
      incentives: "",
      description: `A new ${PLANS[n % PLANS.length]} home in ${community}, ${city}.`,
      imageUrls: [],
      fieldSources: {},
      firstSeenAt: seen,
      lastSeenAt: seen,
      createdAt: seen,
      updatedAt: seen,
    });
    KINDS.forEach((kind, k) => {
      const pieceId = newId();
      const body = `Now selling: ${addressLine}, ${city}. A new home in ${community}; ask for a tour.`;
      const updated = new Date(now - n * 60_000 - k * 1000);
      pieceRows.push({
        id: pieceId,
        agentId,
        listingId: id,
        kind,
        postType: "new_listing",
        status: "pending_approval",
        version: 1,
        rootId: pieceId,
        generationKey: `seed:${batch}:${n}:${kind}`,
        body,
        structured: structuredOf(kind, body, addressLine),
        generator: "offline",
        complianceFlags: [],
        repairs: [],
        createdAt: updated,
        updatedAt: updated,
      });
    });
  }
  // One batch, one transaction: the agent gets the whole book or none of it.
  const statements = [
    ...chunkRows(listingRows).map((rows) => db.insert(listings).values(rows)),
    ...chunkRows(pieceRows).map((rows) => db.insert(contentPieces).values(rows)),
  ];
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
  return { listings: listingRows.length, pieces: pieceRows.length, statements: statements.length };
}

/** What the writers store next to the body, so the detail page's previews work on seeded drafts. */
function structuredOf(kind: ContentKind, body: string, address: string): Record<string, unknown> {
  switch (kind) {
    case "facebook_post":
      return { kind, text: body, hashtags: ["NewConstruction"] };
    case "instagram_caption":
      return { kind, caption: body, hashtags: ["NewConstruction"], mentions: [] };
    case "flyer_text":
      return {
        kind,
        headline: address,
        body,
        bullets: ["New construction"],
        callToAction: "Call for a tour.",
      };
  }
}
