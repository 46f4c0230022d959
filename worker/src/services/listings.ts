import {
  agentListingSources,
  ingestionRuns,
  type Listing,
  listingChanges,
  listingSources,
  listings,
} from "db";
import { and, asc, desc, eq, gt, gte, lt, lte, ne, or, type SQL, sql } from "drizzle-orm";
import { contentHash } from "../agents/listing/changes";
import { normalizeListing } from "../agents/listing/normalize";
import type { Db } from "../lib/db";
import { ServiceError } from "../lib/errors";
import { newId } from "../lib/ids";
import type { ListInput, ManualListingInput } from "../schemas/listings";

const RECENT_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_BIGINT = sql.raw("9223372036854775807");

const cardColumns = {
  id: listings.id,
  origin: listings.origin,
  addressLine: listings.addressLine,
  city: listings.city,
  state: listings.state,
  zip: listings.zip,
  community: listings.community,
  planName: listings.planName,
  priceCents: listings.priceCents,
  previousPriceCents: listings.previousPriceCents,
  priceChangedAt: listings.priceChangedAt,
  beds: listings.beds,
  bathsFull: listings.bathsFull,
  bathsHalf: listings.bathsHalf,
  sqft: listings.sqft,
  garage: listings.garage,
  status: listings.status,
  moveInDate: listings.moveInDate,
  incentives: listings.incentives,
  imageUrls: listings.imageUrls,
  firstSeenAt: listings.firstSeenAt,
};

type CardRow = Pick<Listing, keyof typeof cardColumns>;

function toCard(row: CardRow, now: number) {
  return {
    ...row,
    imageUrl: row.imageUrls[0] ?? null,
    imageUrls: undefined,
    firstSeenAt: row.firstSeenAt.getTime(),
    priceChangedAt: row.priceChangedAt?.getTime() ?? null,
    isNew: now - row.firstSeenAt.getTime() < RECENT_MS,
    priceChanged: row.priceChangedAt !== null && now - row.priceChangedAt.getTime() < RECENT_MS,
  };
}

// Keyset pagination: the cursor holds the last row's sort value and id.
type Cursor = [number, string];
const encodeCursor = (cursor: Cursor) => btoa(JSON.stringify(cursor));
function decodeCursor(value: string): Cursor {
  try {
    const parsed = JSON.parse(atob(value));
    if (Array.isArray(parsed) && typeof parsed[0] === "number" && typeof parsed[1] === "string") {
      return parsed as Cursor;
    }
  } catch {}
  throw new ServiceError("BAD_REQUEST", "Invalid cursor", { field: "cursor" });
}

export async function listListings(db: Db, agentId: string, input: ListInput, now = Date.now()) {
  // "Call for pricing" (null) sorts last both ways.
  const sortKey =
    input.sort === "newest"
      ? sql<number>`${listings.firstSeenAt}`
      : input.sort === "price_asc"
        ? sql<number>`coalesce(${listings.priceCents}, ${MAX_BIGINT})`
        : sql<number>`coalesce(${listings.priceCents}, -1)`;
  const descending = input.sort !== "price_asc";
  const filters: (SQL | undefined)[] = [
    eq(listings.agentId, agentId),
    input.status ? eq(listings.status, input.status) : ne(listings.status, "off_market"),
    input.community ? eq(listings.community, input.community) : undefined,
    input.minPriceCents !== undefined ? gte(listings.priceCents, input.minPriceCents) : undefined,
    input.maxPriceCents !== undefined ? lte(listings.priceCents, input.maxPriceCents) : undefined,
    input.minBeds !== undefined ? gte(listings.beds, input.minBeds) : undefined,
  ];
  if (input.cursor) {
    const [value, id] = decodeCursor(input.cursor);
    const after = descending ? lt : gt;
    filters.push(or(after(sortKey, value), and(eq(sortKey, value), after(listings.id, id))));
  }
  const order = descending ? desc : asc;
  const rows = await db
    .select({ ...cardColumns, sortKey })
    .from(listings)
    .where(and(...filters))
    .orderBy(order(sortKey), order(listings.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ sortKey: _, ...row }) => toCard(row, now)),
    nextCursor: rows.length > input.limit && last ? encodeCursor([Number(last.sortKey), last.id]) : null,
  };
}

export async function getListing(db: Db, agentId: string, id: string, now = Date.now()) {
  const [row] = await db
    .select({
      ...cardColumns,
      description: listings.description,
      sourceUrl: listings.sourceUrl,
      lastSeenAt: listings.lastSeenAt,
      offMarketAt: listings.offMarketAt,
      sourceName: listingSources.name,
    })
    .from(listings)
    .leftJoin(listingSources, eq(listingSources.id, listings.sourceId))
    .where(and(eq(listings.id, id), eq(listings.agentId, agentId)))
    .limit(1);
  if (!row) throw new ServiceError("NOT_FOUND", "Listing not found");
  const history = await db
    .select({
      id: listingChanges.id,
      changeType: listingChanges.changeType,
      changes: listingChanges.changes,
      events: listingChanges.events,
      createdAt: listingChanges.createdAt,
    })
    .from(listingChanges)
    .where(and(eq(listingChanges.listingId, id), eq(listingChanges.agentId, agentId)))
    .orderBy(desc(listingChanges.createdAt), desc(listingChanges.id))
    .limit(200);
  const { description, sourceUrl, lastSeenAt, offMarketAt, sourceName, ...card } = row;
  return {
    ...toCard(card, now),
    imageUrls: card.imageUrls,
    description,
    sourceUrl,
    sourceName,
    lastSeenAt: lastSeenAt.getTime(),
    offMarketAt: offMarketAt?.getTime() ?? null,
    history: history.map((change) => ({ ...change, createdAt: change.createdAt.getTime() })),
  };
}

export async function listCommunities(db: Db, agentId: string) {
  const rows = await db
    .selectDistinct({ community: listings.community })
    .from(listings)
    .where(and(eq(listings.agentId, agentId), ne(listings.community, "")))
    .orderBy(asc(listings.community));
  return rows.map((row) => row.community);
}

/** A listing typed in by the agent: same normalization and the same downstream path as a scraped one. */
export async function uploadListing(db: Db, agentId: string, input: ManualListingInput, now = new Date()) {
  const normalized = normalizeListing({ ...input, sourceKey: `manual-${newId()}` }, null);
  if (!normalized.ok) throw new ServiceError("BAD_REQUEST", normalized.error);
  const listing = normalized.listing;
  const [duplicate] = await db
    .select({ id: listings.id })
    .from(listings)
    .where(
      and(
        eq(listings.agentId, agentId),
        sql`lower(${listings.addressLine}) = ${listing.addressLine.toLowerCase()}`,
        eq(listings.zip, listing.zip),
        ne(listings.status, "off_market"),
      ),
    )
    .limit(1);
  if (duplicate) {
    throw new ServiceError("CONFLICT", "You already have a listing at this address", {
      field: "addressLine",
    });
  }
  const id = newId();
  const { sourceKey, ...content } = listing;
  await db.batch([
    db.insert(listings).values({
      id,
      agentId,
      origin: "manual",
      sourceId: null,
      sourceKey,
      contentHash: await contentHash(listing),
      ...content,
      firstSeenAt: now,
      lastSeenAt: now,
    }),
    db.insert(listingChanges).values({
      id: newId(),
      listingId: id,
      agentId,
      changeType: "created",
      changes: {},
      events: ["new_listing"],
    }),
  ]);
  return { id };
}

export async function listingOverview(db: Db, agentId: string, now = Date.now()) {
  const since = new Date(now - RECENT_MS);
  const [counts] = await db
    .select({
      active: sql<number>`count(*) filter (where ${listings.status} != 'off_market')`,
      newThisWeek: sql<number>`count(*) filter (where ${listings.firstSeenAt} >= ${since.getTime()})`,
      offMarket: sql<number>`count(*) filter (where ${listings.status} = 'off_market')`,
    })
    .from(listings)
    .where(eq(listings.agentId, agentId));
  const [changed] = await db
    .select({ count: sql<number>`count(distinct ${listingChanges.listingId})` })
    .from(listingChanges)
    .where(
      and(
        eq(listingChanges.agentId, agentId),
        ne(listingChanges.changeType, "created"),
        gte(listingChanges.createdAt, since),
      ),
    );
  const [lastRun] = await db
    .select({
      id: ingestionRuns.id,
      trigger: ingestionRuns.trigger,
      status: ingestionRuns.status,
      startedAt: ingestionRuns.startedAt,
      finishedAt: ingestionRuns.finishedAt,
      pagesFetched: ingestionRuns.pagesFetched,
      found: ingestionRuns.listingsFound,
      errorCount: ingestionRuns.errorCount,
      errors: ingestionRuns.errors,
      failureReason: ingestionRuns.failureReason,
      sourceName: listingSources.name,
    })
    .from(ingestionRuns)
    .innerJoin(agentListingSources, eq(agentListingSources.sourceId, ingestionRuns.sourceId))
    .innerJoin(listingSources, eq(listingSources.id, ingestionRuns.sourceId))
    .where(eq(agentListingSources.agentId, agentId))
    .orderBy(desc(ingestionRuns.startedAt))
    .limit(1);
  // The run row totals every agent following the source; this agent's own counts come from its changes.
  const mine = lastRun
    ? await db
        .select({ changeType: listingChanges.changeType, count: sql<number>`count(*)` })
        .from(listingChanges)
        .where(and(eq(listingChanges.runId, lastRun.id), eq(listingChanges.agentId, agentId)))
        .groupBy(listingChanges.changeType)
    : [];
  const countOf = (...types: string[]) =>
    mine.filter((row) => types.includes(row.changeType)).reduce((sum, row) => sum + row.count, 0);
  return {
    activeListings: counts?.active ?? 0,
    newListings: counts?.newThisWeek ?? 0,
    offMarketListings: counts?.offMarket ?? 0,
    changedListings: changed?.count ?? 0,
    lastRun: lastRun
      ? {
          ...lastRun,
          new: countOf("created"),
          changed: countOf("updated", "relisted"),
          removed: countOf("off_market"),
          errors: lastRun.errors.slice(0, 5),
          startedAt: lastRun.startedAt.getTime(),
          finishedAt: lastRun.finishedAt?.getTime() ?? null,
        }
      : null,
  };
}
