import { env } from "cloudflare:workers";
import { contentPieces, listings, notifications } from "db";
import { OPEN_CONTENT_STATUSES, OPEN_PIECES_LIMIT } from "db/rules";
import {
  and,
  asc,
  count,
  desc,
  eq,
  gt,
  gte,
  inArray,
  isNull,
  lt,
  lte,
  ne,
  or,
  type SQL,
  sql,
} from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeCursor } from "../src/lib/cursor";
import { createDb } from "../src/lib/db";
import { newId } from "../src/lib/ids";
import { readTemplate } from "../src/lib/read-template";
import type { ListInput } from "../src/schemas/listings";
import { listOpenPieces } from "../src/services/content";
import { cardColumns, listListings } from "../src/services/listings";
import { listNotifications, notificationView } from "../src/services/notify";
import { signedUpBrowser } from "./helpers/http";

// lib/read-template.ts builds a read's SQL once with placeholders and decodes rows itself. It must give
// what drizzle's query builder gives for the same read: the reference below is listings.list's query as
// drizzle builds and maps it per call.

const HOUR = 3600_000;
const db = () => createDb(env.DB);

/** listings.list's rows as drizzle builds and maps them on every call. */
function referenceQuery(agentId: string, input: ListInput) {
  const sortKey =
    input.sort === "newest"
      ? sql<number>`${listings.firstSeenAt}`
      : input.sort === "price_asc"
        ? sql<number>`coalesce(${listings.priceCents}, ${sql.raw("9223372036854775807")})`
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
  return db()
    .select({ ...cardColumns, sortKey })
    .from(listings)
    .where(and(...filters))
    .orderBy(order(sortKey), order(listings.id))
    .limit(input.limit + 1);
}

let agentId = "";
const now = Date.now();

beforeAll(async () => {
  ({ agentId } = await signedUpBrowser("Template Agent"));
  const rows = [
    {
      price: 450_000_00,
      beds: 3,
      community: "Lake Nona",
      status: "available",
      age: 1,
      images: ["a.jpg", "b.jpg"],
    },
    { price: null, beds: 4, community: "Lake Nona", status: "available", age: 2, images: [] },
    {
      price: 390_000_00,
      beds: 2,
      community: "Storey Park",
      status: "under_contract",
      age: 3,
      images: ["c.jpg"],
    },
    { price: 390_000_00, beds: 5, community: "Storey Park", status: "available", age: 3, images: ["d.jpg"] },
    { price: 610_000_00, beds: 4, community: "", status: "sold", age: 5, images: ["e.jpg"] },
    { price: 520_000_00, beds: 3, community: "Lake Nona", status: "off_market", age: 6, images: [] },
    { price: null, beds: 2, community: "Storey Park", status: "available", age: 7, images: ["f.jpg"] },
  ] as const;
  for (const [index, row] of rows.entries()) {
    await db()
      .insert(listings)
      .values({
        id: newId(),
        agentId,
        origin: index % 2 ? "manual" : "scraped",
        sourceKey: `template-${index}-${newId()}`,
        contentHash: "hash",
        addressLine: `${200 + index} Heron Loop`,
        city: "Orlando",
        state: index === 4 ? "GA" : "FL",
        community: row.community,
        priceCents: row.price,
        previousPriceCents: index === 0 ? 470_000_00 : null,
        priceChangedAt: index === 0 ? new Date(now - HOUR) : null,
        beds: row.beds,
        bathsFull: 2,
        bathsHalf: index % 2,
        status: row.status,
        imageUrls: [...row.images],
        incentives: index === 2 ? "Closing costs paid" : "",
        sqft: index % 3 ? 1800 + index : null,
        // Two listings seen at the same moment: the id breaks the tie.
        firstSeenAt: new Date(now - row.age * HOUR),
        lastSeenAt: new Date(now),
      });
  }
});

const input = (over: Partial<ListInput> = {}): ListInput => ({ limit: 24, sort: "newest", ...over });

async function seedNotifications() {
  const events = ["listing_new", "post_failed", "content_ready", "listing_new", "post_failed"] as const;
  for (const [index, eventType] of [...events, ...events].entries()) {
    await db()
      .insert(notifications)
      .values({
        id: newId(),
        agentId,
        eventType,
        title: `Event ${index}`,
        body: index % 3 ? "" : `Body ${index}`,
        link: index % 2 ? `/listings/${index}` : null,
        dedupeKey: `template-${agentId}-${index}`,
        inApp: index % 4 !== 3,
        readAt: index % 3 === 1 ? new Date(now - index * 1000) : null,
        // Pairs written in the same millisecond: the id breaks the tie.
        createdAt: new Date(now - Math.floor(index / 2) * HOUR),
      });
  }
}

describe("read templates", () => {
  it("listings.list's template answers exactly what drizzle's builder answers, for every filter and sort", async () => {
    const inputs: ListInput[] = [];
    for (const sort of ["newest", "price_asc", "price_desc"] as const) {
      inputs.push(
        input({ sort }),
        input({ sort, status: "available" }),
        input({ sort, status: "off_market" }),
        input({ sort, community: "Lake Nona" }),
        input({ sort, minPriceCents: 400_000_00 }),
        input({ sort, maxPriceCents: 450_000_00 }),
        input({ sort, minBeds: 4 }),
        input({ sort, community: "Storey Park", minPriceCents: 1, maxPriceCents: 900_000_00, minBeds: 2 }),
        input({ sort, community: "Nowhere" }),
        input({ sort, limit: 2 }),
      );
    }
    for (const each of inputs) {
      const got = await listListings(db(), agentId, each, now);
      const rows = await referenceQuery(agentId, each);
      expect(
        got.items.map((item) => item.id),
        JSON.stringify(each),
      ).toStrictEqual(rows.slice(0, each.limit).map((row) => row.id));
      // Every decoded column, as drizzle decodes it (Dates, JSON arrays, nulls, enums).
      const ids = new Set(got.items.map((item) => item.id));
      for (const row of rows.filter((r) => ids.has(r.id))) {
        const item = got.items.find((i) => i.id === row.id);
        expect(item?.imageUrl, row.id).toBe(row.imageUrls[0] ?? null);
        expect(item?.firstSeenAt).toBe(row.firstSeenAt.getTime());
        expect(item?.priceChangedAt).toBe(row.priceChangedAt?.getTime() ?? null);
        expect(item?.priceCents).toBe(row.priceCents);
        expect(item?.state).toBe(row.state);
        expect(item?.incentives).toBe(row.incentives);
        expect(item?.sqft).toBe(row.sqft);
        expect(item?.origin).toBe(row.origin);
      }
    }
  });

  it("pages through with the cursor exactly as drizzle's builder does, ties on the sort key included", async () => {
    for (const sort of ["newest", "price_asc", "price_desc"] as const) {
      let cursor: string | undefined;
      const seen: string[] = [];
      for (let page = 0; page < 10; page++) {
        const each = input({ sort, limit: 2, cursor });
        const got = await listListings(db(), agentId, each, now);
        const rows = await referenceQuery(agentId, each);
        expect(got.items.map((item) => item.id)).toStrictEqual(rows.slice(0, 2).map((row) => row.id));
        seen.push(...got.items.map((item) => item.id));
        if (!got.nextCursor) break;
        cursor = got.nextCursor;
      }
      // Every listing but the off-market one, once.
      expect(new Set(seen).size, sort).toBe(6);
      expect(seen, sort).toHaveLength(6);
    }
  });

  it("notifications.list's template pages and counts exactly as drizzle's builder does", async () => {
    await seedNotifications();
    const shapes = [
      {},
      { unreadOnly: true },
      { inApp: true },
      { event: "post_failed" as const },
      { unreadOnly: true, inApp: true, event: "listing_new" as const },
    ];
    const [unread] = await db()
      .select({ n: count() })
      .from(notifications)
      .where(
        and(eq(notifications.agentId, agentId), isNull(notifications.readAt), eq(notifications.inApp, true)),
      );
    for (const shape of shapes) {
      const everything = await db()
        .select()
        .from(notifications)
        .where(
          and(
            eq(notifications.agentId, agentId),
            shape.unreadOnly ? isNull(notifications.readAt) : undefined,
            shape.inApp ? eq(notifications.inApp, true) : undefined,
            shape.event ? eq(notifications.eventType, shape.event) : undefined,
          ),
        )
        .orderBy(desc(notifications.createdAt), desc(notifications.id));
      const pages = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const got = await listNotifications(db(), agentId, { limit: 3, ...shape, cursor });
        expect(got.unreadCount).toBe(unread?.n);
        pages.push(...got.items);
        if (!got.nextCursor) break;
        cursor = got.nextCursor;
      }
      expect(pages, JSON.stringify(shape)).toStrictEqual(everything.map(notificationView));
    }
  });

  it("content.pendingApprovals' template answers exactly what drizzle's nested select answered", async () => {
    const listingRows = await db()
      .select({ id: listings.id })
      .from(listings)
      .where(eq(listings.agentId, agentId));
    const statuses = ["pending_approval", "revision_requested", "failed", "approved", "generating"] as const;
    for (const [index, { id: listingId }] of listingRows.entries()) {
      for (const kind of ["facebook_post", "instagram_caption"] as const) {
        const id = newId();
        await db()
          .insert(contentPieces)
          .values({
            id,
            agentId,
            listingId,
            kind,
            postType: "new_listing",
            status: statuses[(index + (kind === "facebook_post" ? 0 : 2)) % statuses.length] ?? "failed",
            generationKey: `template-${id}`,
            rootId: id,
            body: `Draft ${index} ${kind}`,
            complianceFlags:
              index % 2 ? [] : [{ rule: "fair_housing", message: 'Avoid "exclusive"', excerpt: "exclusive" }],
            complianceAcknowledgedAt: index === 1 ? new Date(now - HOUR) : null,
            error: index === 2 ? "The model timed out" : null,
            updatedAt: new Date(now - index * 1000),
          });
      }
    }
    const reference = async (input: { status?: "failed"; kind?: "facebook_post"; listingId?: string }) => {
      const rows = await db()
        .select({
          id: contentPieces.id,
          kind: contentPieces.kind,
          postType: contentPieces.postType,
          status: contentPieces.status,
          version: contentPieces.version,
          body: contentPieces.body,
          structured: contentPieces.structured,
          generator: contentPieces.generator,
          model: contentPieces.model,
          complianceFlags: contentPieces.complianceFlags,
          complianceAcknowledgedAt: contentPieces.complianceAcknowledgedAt,
          error: contentPieces.error,
          repairs: contentPieces.repairs,
          createdAt: contentPieces.createdAt,
          updatedAt: contentPieces.updatedAt,
          listing: {
            id: listings.id,
            addressLine: listings.addressLine,
            city: listings.city,
            community: listings.community,
            priceCents: listings.priceCents,
            imageUrls: listings.imageUrls,
          },
        })
        .from(contentPieces)
        .innerJoin(listings, eq(listings.id, contentPieces.listingId))
        .where(
          and(
            eq(contentPieces.agentId, agentId),
            input.status
              ? eq(contentPieces.status, input.status)
              : inArray(contentPieces.status, [...OPEN_CONTENT_STATUSES]),
            input.kind ? eq(contentPieces.kind, input.kind) : undefined,
            input.listingId ? eq(contentPieces.listingId, input.listingId) : undefined,
          ),
        )
        .orderBy(desc(contentPieces.updatedAt), desc(contentPieces.id))
        .limit(OPEN_PIECES_LIMIT);
      return rows.map(({ listing: { imageUrls, ...listing }, ...piece }) => ({
        ...piece,
        complianceAcknowledgedAt: piece.complianceAcknowledgedAt?.getTime() ?? null,
        createdAt: piece.createdAt.getTime(),
        updatedAt: piece.updatedAt.getTime(),
        listing: { ...listing, imageUrl: imageUrls[0] ?? null },
      }));
    };
    const inputs = [
      {},
      { status: "failed" as const },
      { kind: "facebook_post" as const },
      { listingId: listingRows[0]?.id },
    ];
    for (const input of inputs) {
      const got = await listOpenPieces(db(), agentId, input);
      expect(got.length, JSON.stringify(input)).toBeGreaterThan(0);
      expect(JSON.stringify(got), JSON.stringify(input)).toBe(JSON.stringify(await reference(input)));
    }
  });

  it("builds the same SQL drizzle builds, binds by name, and refuses a missing value", async () => {
    const template = readTemplate({ id: listings.id, seen: listings.firstSeenAt }, (b, p) =>
      b
        .select({ id: listings.id, seen: listings.firstSeenAt })
        .from(listings)
        .where(and(eq(listings.agentId, p("agent")), ne(listings.status, "off_market")))
        .limit(p("limit")),
    );
    const built = db()
      .select({ id: listings.id, seen: listings.firstSeenAt })
      .from(listings)
      .where(and(eq(listings.agentId, agentId), ne(listings.status, "off_market")))
      .limit(3)
      .toSQL();
    expect(template.sql).toBe(built.sql);
    const rows = await template.all(db(), { agent: agentId, limit: 3 });
    expect(rows).toHaveLength(3);
    expect(rows[0]?.seen).toBeInstanceOf(Date);
    expect(() => template.statement(db(), { agent: agentId })).toThrow(/no value for placeholder "limit"/);
  });
});
