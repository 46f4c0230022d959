import { agentListingSources, type ListingEvent, listingChanges, listings } from "db";
import { and, eq, inArray } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { chunk, chunkRows, D1_MAX_PARAMS } from "../../lib/d1";
import type { Db } from "../../lib/db";
import { newId } from "../../lib/ids";
import type { NotifyInput } from "../../services/notify";
import { CONTENT_FIELDS, diffContent, eventsOf, type ListingContent } from "./changes";
import type { ScrapedListing } from "./scrape";

export type HashedListing = { listing: ScrapedListing; hash: string };

/**
 * What a run proves about listings it did not find. A listing goes off-market when its own page said so
 * (`gone`), or when it is absent from a crawl whose discovery was complete; a listing whose page could not
 * be read (`unread`) stays as it is.
 */
export interface RemovalEvidence {
  gone: ReadonlySet<string>;
  unread: ReadonlySet<string>;
  discoveryComplete: boolean;
}
export type ApplyCounts = { new: number; changed: number; removed: number };

const contentColumns = Object.fromEntries(CONTENT_FIELDS.map((field) => [field, listings[field]])) as {
  [K in (typeof CONTENT_FIELDS)[number]]: (typeof listings)[K];
};

function contentOf(listing: ScrapedListing): ListingContent {
  return Object.fromEntries(CONTENT_FIELDS.map((field) => [field, listing[field]])) as ListingContent;
}

const EVENT_TITLES: Record<ListingEvent, string> = {
  new_listing: "New listing",
  price_drop: "Price drop",
  status_change: "Status change",
  new_incentive: "New incentive",
};

/**
 * Brings one agent's copy of a source's listings in line with a successful scrape, in one D1 batch
 * (one transaction): new rows, updated rows with their change history and off-market marks, and the
 * scrape's digest on the follow row (`syncedDigest`), so a later run with the same scrape skips this
 * follower. Returns the notifications for the caller to send with notify() (one per run for all new
 * listings). Unchanged listings cost no write at all.
 */
export async function applyScrape(
  db: Db,
  input: {
    agentId: string;
    sourceId: string;
    runId: string;
    scraped: HashedListing[];
    removals: RemovalEvidence;
    now: Date;
    syncedDigest?: string;
  },
): Promise<ApplyCounts & { notices: NotifyInput[] }> {
  const { agentId, sourceId, runId, now } = input;
  const existing = await db
    .select({
      id: listings.id,
      sourceKey: listings.sourceKey,
      contentHash: listings.contentHash,
      fieldSources: listings.fieldSources,
      ...contentColumns,
    })
    .from(listings)
    .where(
      and(eq(listings.agentId, agentId), eq(listings.origin, "scraped"), eq(listings.sourceId, sourceId)),
    );
  const byKey = new Map(existing.map((row) => [row.sourceKey, row]));

  const newRows: (typeof listings.$inferInsert)[] = [];
  const changeRows: (typeof listingChanges.$inferInsert)[] = [];
  const writes: BatchItem<"sqlite">[] = [];
  // Sent by the caller through notify() once the batch is written.
  const notices: NotifyInput[] = [];
  const seen = new Set<string>();

  for (const { listing, hash } of input.scraped) {
    if (seen.has(listing.sourceKey)) continue;
    seen.add(listing.sourceKey);
    const row = byKey.get(listing.sourceKey);
    const content = contentOf(listing);
    if (!row) {
      const id = newId();
      newRows.push({
        id,
        agentId,
        origin: "scraped",
        sourceId,
        sourceKey: listing.sourceKey,
        contentHash: hash,
        ...content,
        fieldSources: listing.fieldSources,
        firstSeenAt: now,
        lastSeenAt: now,
      });
      changeRows.push(changeRow(id, "created", {}, ["new_listing"]));
      continue;
    }
    const relisted = row.status === "off_market";
    if (row.contentHash === hash && !relisted) {
      // Provenance is no content: a page that now gives a field another way costs one small write.
      if (JSON.stringify(row.fieldSources) !== JSON.stringify(listing.fieldSources)) {
        writes.push(
          db.update(listings).set({ fieldSources: listing.fieldSources }).where(eq(listings.id, row.id)),
        );
      }
      continue;
    }

    const changes = diffContent(row, content);
    const events = eventsOf(row, content);
    const priceChanged = "priceCents" in changes;
    writes.push(
      db
        .update(listings)
        .set({
          ...content,
          fieldSources: listing.fieldSources,
          contentHash: hash,
          lastSeenAt: now,
          offMarketAt: null,
          updatedAt: now,
          ...(priceChanged && { previousPriceCents: row.priceCents, priceChangedAt: now }),
        })
        .where(eq(listings.id, row.id)),
    );
    const change = changeRow(row.id, relisted ? "relisted" : "updated", changes, events);
    changeRows.push(change);
    if (events.length > 0) {
      notices.push({
        agentId,
        event: "listing_changed",
        title: `${events.map((e) => EVENT_TITLES[e]).join(", ")}: ${listing.addressLine}`,
        body: describeChanges(changes),
        link: `/listings/${row.id}`,
        dedupeKey: `listing-change:${change.id}`,
      });
    }
  }

  const { gone, unread, discoveryComplete } = input.removals;
  const removed = existing.filter((row) => {
    if (seen.has(row.sourceKey) || row.status === "off_market") return false;
    const url = row.sourceUrl ?? "";
    if (gone.has(url)) return true;
    return discoveryComplete && !unread.has(url);
  });
  for (const ids of chunk(
    removed.map((row) => row.id),
    D1_MAX_PARAMS - 3,
  )) {
    writes.push(
      db
        .update(listings)
        .set({ status: "off_market", offMarketAt: now, updatedAt: now })
        .where(inArray(listings.id, ids)),
    );
  }
  for (const row of removed) {
    changeRows.push(changeRow(row.id, "off_market", { status: { from: row.status, to: "off_market" } }, []));
  }

  if (newRows.length > 0) {
    notices.push({
      agentId,
      event: "listing_new",
      title:
        newRows.length === 1 ? `New listing: ${newRows[0]?.addressLine}` : `${newRows.length} new listings`,
      body: newRows
        .slice(0, 5)
        .map((row) => row.addressLine)
        .join("; "),
      link: "/listings",
      dedupeKey: `ingestion:${runId}:${agentId}:new`,
    });
  }
  if (removed.length > 0) {
    notices.push({
      agentId,
      event: "listing_changed",
      title:
        removed.length === 1
          ? `Off the market: ${removed[0]?.addressLine}`
          : `${removed.length} listings went off the market`,
      body: "They are no longer on the builder's site. Their history is kept.",
      link: "/listings?status=off_market",
      dedupeKey: `ingestion:${runId}:${agentId}:removed`,
    });
  }

  const statements: BatchItem<"sqlite">[] = [
    ...chunkRows(newRows).map((rows) => db.insert(listings).values(rows)),
    ...writes,
    ...chunkRows(changeRows).map((rows) => db.insert(listingChanges).values(rows)),
  ];
  if (input.syncedDigest) {
    statements.push(
      db
        .update(agentListingSources)
        .set({ syncedDigest: input.syncedDigest })
        .where(and(eq(agentListingSources.agentId, agentId), eq(agentListingSources.sourceId, sourceId))),
    );
  }
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
  return {
    new: newRows.length,
    changed: changeRows.length - newRows.length - removed.length,
    removed: removed.length,
    notices,
  };

  function changeRow(
    listingId: string,
    changeType: "created" | "updated" | "off_market" | "relisted",
    changes: Record<string, { from: unknown; to: unknown }>,
    events: ListingEvent[],
  ) {
    // Changes with no marketing event have nothing to hand over, so they are born dispatched.
    return {
      id: newId(),
      listingId,
      agentId,
      runId,
      changeType,
      changes,
      events,
      dispatchedAt: events.length ? null : now,
    };
  }
}

function describeChanges(changes: Record<string, { from: unknown; to: unknown }>): string {
  const money = (cents: unknown) =>
    typeof cents === "number" ? `$${(cents / 100).toLocaleString("en-US")}` : "Call for pricing";
  return Object.entries(changes)
    .filter(([field]) => field === "priceCents" || field === "status" || field === "incentives")
    .map(([field, { from, to }]) =>
      field === "priceCents"
        ? `Price ${money(from)} → ${money(to)}`
        : `${field} ${String(from) || "none"} → ${String(to) || "none"}`,
    )
    .join("; ");
}
