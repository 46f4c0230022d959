import {
  agentListingSources,
  ingestionRuns,
  LISTING_PROVENANCE_FIELDS,
  type Listing,
  listingChanges,
  listingSources,
  listings,
} from "db";
import {
  and,
  asc,
  desc,
  eq,
  gt,
  gte,
  inArray,
  lt,
  lte,
  ne,
  or,
  type Placeholder,
  type SQL,
  sql,
} from "drizzle-orm";
import { claimSource, queueClaimedRuns } from "../agents/listing/agent";
import { contentHash } from "../agents/listing/changes";
import { normalizeListing } from "../agents/listing/normalize";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import type { Db } from "../lib/db";
import { ServiceError } from "../lib/errors";
import { newId } from "../lib/ids";
import { readBatch, readTemplate, templatesByShape } from "../lib/read-template";
import type { IngestionMessage } from "../queues/messages";
import type { IngestionRunsInput, ListInput, ManualListingInput } from "../schemas/listings";

const RECENT_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_BIGINT = sql.raw("9223372036854775807");

/** What a listing card shows (listings.list), also the start of the detail page's read. */
export const cardColumns = {
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

type ListShape = {
  sort: ListInput["sort"];
  status: boolean;
  community: boolean;
  minPrice: boolean;
  maxPrice: boolean;
  minBeds: boolean;
  cursor: boolean;
};

/** One page of cards for one combination of filters, sort and cursor: built once (lib/read-template.ts). */
function buildListTemplate(shape: ListShape) {
  // "Call for pricing" (null) sorts last both ways.
  const sortKey =
    shape.sort === "newest"
      ? sql<number>`${listings.firstSeenAt}`
      : shape.sort === "price_asc"
        ? sql<number>`coalesce(${listings.priceCents}, ${MAX_BIGINT})`
        : sql<number>`coalesce(${listings.priceCents}, -1)`;
  const descending = shape.sort !== "price_asc";
  const fields = { ...cardColumns, sortKey };
  return readTemplate(fields, (db, p) => {
    const filters: (SQL | undefined)[] = [
      eq(listings.agentId, p("agentId")),
      shape.status ? eq(listings.status, p("status")) : ne(listings.status, "off_market"),
      shape.community ? eq(listings.community, p("community")) : undefined,
      shape.minPrice ? gte(listings.priceCents, p("minPriceCents")) : undefined,
      shape.maxPrice ? lte(listings.priceCents, p("maxPriceCents")) : undefined,
      shape.minBeds ? gte(listings.beds, p("minBeds")) : undefined,
    ];
    if (shape.cursor) {
      const after = descending ? lt : gt;
      filters.push(
        or(
          after(sortKey, p("cursorValue")),
          and(eq(sortKey, p("cursorValue")), after(listings.id, p("cursorId"))),
        ),
      );
    }
    const order = descending ? desc : asc;
    return db
      .select(fields)
      .from(listings)
      .where(and(...filters))
      .orderBy(order(sortKey), order(listings.id))
      .limit(p("limit"));
  });
}

// At most 3 sorts x 2^6 filter combinations.
const listTemplate = templatesByShape(buildListTemplate);

export async function listListings(db: Db, agentId: string, input: ListInput, now = Date.now()) {
  const shape: ListShape = {
    sort: input.sort,
    status: input.status !== undefined,
    community: input.community !== undefined,
    minPrice: input.minPriceCents !== undefined,
    maxPrice: input.maxPriceCents !== undefined,
    minBeds: input.minBeds !== undefined,
    cursor: input.cursor !== undefined,
  };
  const [cursorValue, cursorId] = input.cursor ? decodeCursor(input.cursor) : [];
  const rows = await listTemplate(shape).all(db, {
    agentId,
    status: input.status,
    community: input.community,
    minPriceCents: input.minPriceCents,
    maxPriceCents: input.maxPriceCents,
    minBeds: input.minBeds,
    cursorValue,
    cursorId,
    limit: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ sortKey: _, ...row }) => toCard(row, now)),
    nextCursor: rows.length > input.limit && last ? encodeCursor([Number(last.sortKey), last.id]) : null,
  };
}

const listingDetailColumns = {
  ...cardColumns,
  description: listings.description,
  sourceUrl: listings.sourceUrl,
  lastSeenAt: listings.lastSeenAt,
  offMarketAt: listings.offMarketAt,
  fieldSources: listings.fieldSources,
  sourceName: listingSources.name,
};
const listingHistoryColumns = {
  id: listingChanges.id,
  changeType: listingChanges.changeType,
  changes: listingChanges.changes,
  events: listingChanges.events,
  createdAt: listingChanges.createdAt,
};
// The detail page's two reads, built once (lib/read-template.ts).
const listingDetailTemplate = readTemplate(listingDetailColumns, (db, p) =>
  db
    .select(listingDetailColumns)
    .from(listings)
    .leftJoin(listingSources, eq(listingSources.id, listings.sourceId))
    .where(and(eq(listings.id, p("id")), eq(listings.agentId, p("agentId"))))
    .limit(1),
);
const listingHistoryTemplate = readTemplate(listingHistoryColumns, (db, p) =>
  db
    .select(listingHistoryColumns)
    .from(listingChanges)
    .where(and(eq(listingChanges.listingId, p("id")), eq(listingChanges.agentId, p("agentId"))))
    .orderBy(desc(listingChanges.createdAt), desc(listingChanges.id))
    .limit(200),
);

export async function getListing(db: Db, agentId: string, id: string, now = Date.now()) {
  // The listing and its history in one round trip to D1 (a batch); an unknown id reads no history.
  const [[row], history] = await readBatch(db, [
    listingDetailTemplate.read(db, { id, agentId }),
    listingHistoryTemplate.read(db, { id, agentId }),
  ]);
  if (!row) throw new ServiceError("NOT_FOUND", "Listing not found");
  const { description, sourceUrl, lastSeenAt, offMarketAt, sourceName, fieldSources, ...card } = row;
  return {
    ...toCard(card, now),
    imageUrls: card.imageUrls,
    description,
    sourceUrl,
    sourceName,
    lastSeenAt: lastSeenAt.getTime(),
    offMarketAt: offMarketAt?.getTime() ?? null,
    // Where each field was read on the builder's page; everything in a typed-in listing is the agent's.
    fieldSources:
      card.origin === "manual"
        ? Object.fromEntries(LISTING_PROVENANCE_FIELDS.map((field) => [field, "manual" as const]))
        : fieldSources,
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

const runColumns = {
  id: ingestionRuns.id,
  sourceId: ingestionRuns.sourceId,
  sourceName: listingSources.name,
  trigger: ingestionRuns.trigger,
  status: ingestionRuns.status,
  startedAt: ingestionRuns.startedAt,
  finishedAt: ingestionRuns.finishedAt,
  pagesFetched: ingestionRuns.pagesFetched,
  found: ingestionRuns.listingsFound,
  errorCount: ingestionRuns.errorCount,
  errors: ingestionRuns.errors,
  failureReason: ingestionRuns.failureReason,
  requestedBy: ingestionRuns.requestedBy,
};

const selectRuns = (db: Db) =>
  db
    .select(runColumns)
    .from(ingestionRuns)
    .innerJoin(listingSources, eq(listingSources.id, ingestionRuns.sourceId))
    .$dynamic();

type RunRow = Awaited<ReturnType<typeof selectRuns>>[number];

/** Only runs of sources the agent follows; the agent's own new/changed/removed come from its changes. */
const followedBy = (db: Db, agentId: string | Placeholder) =>
  inArray(
    ingestionRuns.sourceId,
    db
      .select({ id: agentListingSources.sourceId })
      .from(agentListingSources)
      .where(eq(agentListingSources.agentId, agentId)),
  );

/** This agent's changes per run and type among the runs `runs` selects. */
const runChangeCountColumns = {
  runId: listingChanges.runId,
  changeType: listingChanges.changeType,
  count: sql<number>`count(*)`,
};
const runChangeCounts = (db: Db, agentId: string | Placeholder, runs: SQL | undefined) =>
  db
    .select(runChangeCountColumns)
    .from(listingChanges)
    .where(and(eq(listingChanges.agentId, agentId), runs))
    .groupBy(listingChanges.runId, listingChanges.changeType);

type RunChangeCount = { runId: string | null; changeType: string; count: number };

// The dashboard's listing figures: read templates (lib/read-template.ts), built once, sent in one batch
// with the dashboard's other reads (routers/dashboard.ts).
const overviewCountColumns = {
  active: sql<number>`count(*) filter (where ${listings.status} != 'off_market')`,
  newThisWeek: sql<number>`count(*) filter (where ${listings.firstSeenAt} >= ${sql.placeholder("since")})`,
  offMarket: sql<number>`count(*) filter (where ${listings.status} = 'off_market')`,
};
const overviewCountsTemplate = readTemplate(overviewCountColumns, (db, p) =>
  db
    .select(overviewCountColumns)
    .from(listings)
    .where(eq(listings.agentId, p("agentId"))),
);
const changedCountColumns = { count: sql<number>`count(distinct ${listingChanges.listingId})` };
const changedCountTemplate = readTemplate(changedCountColumns, (db, p) =>
  db
    .select(changedCountColumns)
    .from(listingChanges)
    .where(
      and(
        eq(listingChanges.agentId, p("agentId")),
        ne(listingChanges.changeType, "created"),
        gte(listingChanges.createdAt, p("since")),
      ),
    ),
);
const latestRunOrder = [desc(ingestionRuns.startedAt), desc(ingestionRuns.id)] as const;
const latestRunTemplate = readTemplate(runColumns, (db, p) =>
  selectRuns(db)
    .where(followedBy(db, p("agentId")))
    .orderBy(...latestRunOrder)
    .limit(1),
);
const latestRunCountsTemplate = readTemplate(runChangeCountColumns, (db, p) =>
  runChangeCounts(
    db,
    p("agentId"),
    inArray(
      listingChanges.runId,
      db
        .select({ id: ingestionRuns.id })
        .from(ingestionRuns)
        .where(followedBy(db, p("agentId")))
        .orderBy(...latestRunOrder)
        .limit(1),
    ),
  ),
);

/**
 * The reads behind the dashboard's listing figures, for one `readBatch` with its other reads: the counts,
 * the listings changed this week, the latest run of a followed source and this agent's changes in it.
 */
export function listingOverviewReads(db: Db, agentId: string, now = Date.now()) {
  const since = now - RECENT_MS;
  return [
    overviewCountsTemplate.read(db, { agentId, since }),
    changedCountTemplate.read(db, { agentId, since }),
    latestRunTemplate.read(db, { agentId }),
    latestRunCountsTemplate.read(db, { agentId }),
  ] as const;
}

type ListingOverviewRows = readonly [
  { active: number; newThisWeek: number; offMarket: number }[],
  { count: number }[],
  RunRow[],
  RunChangeCount[],
];

/** The dashboard's listing figures from the rows of `listingOverviewReads`. */
export function listingOverviewFrom(
  agentId: string,
  [counts, changed, runs, runCounts]: ListingOverviewRows,
) {
  const [lastRun] = toRunViews(agentId, runs, runCounts);
  return {
    activeListings: counts[0]?.active ?? 0,
    newListings: counts[0]?.newThisWeek ?? 0,
    offMarketListings: counts[0]?.offMarket ?? 0,
    changedListings: changed[0]?.count ?? 0,
    lastRun: lastRun ? { ...lastRun, errors: lastRun.errors.slice(0, 5) } : null,
  };
}

/** The agent's counts of each run's changes (the run row totals every agent following the source). */
async function runCountsOf(db: Db, agentId: string, rows: RunRow[]): Promise<RunChangeCount[]> {
  if (!rows.length) return [];
  return runChangeCounts(
    db,
    agentId,
    inArray(
      listingChanges.runId,
      rows.map((row) => row.id),
    ),
  );
}

function toRunViews(agentId: string, rows: RunRow[], counts: RunChangeCount[]) {
  const countOf = (runId: string, ...types: string[]) =>
    counts
      .filter((row) => row.runId === runId && types.includes(row.changeType))
      .reduce((sum, row) => sum + row.count, 0);
  return rows.map(({ requestedBy, ...row }) => ({
    ...row,
    startedAt: row.startedAt.getTime(),
    finishedAt: row.finishedAt?.getTime() ?? null,
    requestedByYou: requestedBy === agentId,
    new: countOf(row.id, "created"),
    changed: countOf(row.id, "updated", "relisted"),
    removed: countOf(row.id, "off_market"),
  }));
}

export type IngestionRunView = ReturnType<typeof toRunViews>[number];

/** The run history of the agent's sources, newest first (keyset pagination on start time and id). */
export async function listIngestionRuns(db: Db, agentId: string, input: IngestionRunsInput) {
  const filters: (SQL | undefined)[] = [followedBy(db, agentId)];
  if (input.cursor) {
    const [startedAt, id] = decodeCursor(input.cursor);
    filters.push(
      or(
        lt(ingestionRuns.startedAt, new Date(startedAt)),
        and(eq(ingestionRuns.startedAt, new Date(startedAt)), lt(ingestionRuns.id, id)),
      ),
    );
  }
  const rows = await selectRuns(db)
    .where(and(...filters))
    .orderBy(desc(ingestionRuns.startedAt), desc(ingestionRuns.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: toRunViews(agentId, page, await runCountsOf(db, agentId, page)),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.startedAt.getTime(), last.id]) : null,
  };
}

/** One run of a source the agent follows (polled while it runs), or NOT_FOUND. */
export async function getIngestionRun(db: Db, agentId: string, id: string) {
  const rows = await selectRuns(db)
    .where(and(eq(ingestionRuns.id, id), followedBy(db, agentId)))
    .limit(1);
  const [run] = toRunViews(agentId, rows, await runCountsOf(db, agentId, rows));
  if (!run) throw new ServiceError("NOT_FOUND", "Ingestion run not found");
  return run;
}

/**
 * "Run ingestion now": claims a run for each source the agent follows and queues it for the listing agent,
 * answering at once. A source that is already being ingested (by the cron or another agent) answers with
 * that run instead, so the page can follow it too.
 */
export async function startIngestion(
  db: Db,
  queue: Queue<IngestionMessage>,
  agentId: string,
  now = new Date(),
) {
  const sources = await db
    .select({ sourceId: agentListingSources.sourceId })
    .from(agentListingSources)
    .where(and(eq(agentListingSources.agentId, agentId), eq(agentListingSources.enabled, true)));
  const claimed: { runId: string; sourceId: string }[] = [];
  const runIds: string[] = [];
  for (const { sourceId } of sources) {
    try {
      const runId = await claimSource(db, sourceId, now, "manual");
      await db.update(ingestionRuns).set({ requestedBy: agentId }).where(eq(ingestionRuns.id, runId));
      claimed.push({ runId, sourceId });
      runIds.push(runId);
    } catch (error) {
      if (!(error instanceof ServiceError && error.code === "CONFLICT")) throw error;
      const [live] = await db
        .select({ id: ingestionRuns.id })
        .from(ingestionRuns)
        .where(and(eq(ingestionRuns.sourceId, sourceId), eq(ingestionRuns.status, "running")))
        .limit(1);
      if (live) runIds.push(live.id);
    }
  }
  if (claimed.length && !(await queueClaimedRuns(db, queue, claimed, agentId))) {
    throw new ServiceError("BAD_GATEWAY", "The listing agent could not be started. Try again in a minute.");
  }
  const runs = runIds.length
    ? await selectRuns(db)
        .where(inArray(ingestionRuns.id, runIds))
        .orderBy(desc(ingestionRuns.startedAt), desc(ingestionRuns.id))
    : [];
  return { runs: toRunViews(agentId, runs, await runCountsOf(db, agentId, runs)) };
}
