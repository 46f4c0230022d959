import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { contentPieces, listingChanges, listings, notifications, postSchedule } from "db";
import { LISTING_STATUSES } from "db/rules";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../src/app";
import { newId } from "../src/lib/ids";
import { db } from "./helpers/content";
import { queryPlan, type RecordedStatement, recordingD1Env, tableScans } from "./helpers/d1-recorder";
import { APP_ORIGIN, signedUpBrowser } from "./helpers/http";

// Issue 12: every list query the dashboard and its pages send is planned on an index, and each call's
// D1 statements are counted. The calls go through the real Worker app (session check included) with a
// D1 binding that records what it runs; each recorded statement is then explained with its own params.
// With no ANALYZE statistics SQLite plans by the schema alone, so a small seed gives the plans that a
// brokerage-sized database gets.

const HOUR = 3600_000;
const DAY = 24 * HOUR;

type Seeded = { agentId: string; cookie: string; listingIds: string[] };

async function seed(): Promise<Seeded> {
  const { browser, agentId } = await signedUpBrowser("Chris Morgan");
  const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  const now = Date.now();
  const listingIds: string[] = [];
  for (const [index, status] of ([...LISTING_STATUSES, "available", "available"] as const).entries()) {
    const id = newId();
    listingIds.push(id);
    await db()
      .insert(listings)
      .values({
        id,
        agentId,
        origin: "manual",
        sourceKey: `key-${id}`,
        contentHash: "hash",
        addressLine: `${100 + index} Palm Way`,
        city: "Orlando",
        community: index % 2 ? "Lake Nona" : "Storey Park",
        priceCents: index === 3 ? null : 400_000_00 + index * 25_000_00,
        beds: 2 + (index % 3),
        status,
        firstSeenAt: new Date(now - index * HOUR),
        lastSeenAt: new Date(now),
      });
    await db()
      .insert(listingChanges)
      .values({
        id: newId(),
        listingId: id,
        agentId,
        changeType: "created",
        createdAt: new Date(now - index * HOUR),
      });
  }
  const statuses = ["pending_approval", "revision_requested", "failed", "approved", "posted"] as const;
  for (const [index, listingId] of listingIds.slice(0, 4).entries()) {
    for (const kind of ["facebook_post", "instagram_caption"] as const) {
      const contentId = newId();
      await db()
        .insert(contentPieces)
        .values({
          id: contentId,
          agentId,
          listingId,
          kind,
          postType: "new_listing",
          status: statuses[index] ?? "approved",
          generationKey: `gen-${contentId}`,
          rootId: contentId,
          body: "A new home",
        });
      const published = index % 2 === 0;
      await db()
        .insert(postSchedule)
        .values({
          id: newId(),
          agentId,
          contentId,
          platform: kind === "facebook_post" ? "facebook" : "instagram",
          status: published ? "published" : "scheduled",
          phase: published ? "done" : "new",
          scheduledAt: new Date(now + (published ? -1 : 1) * (index + 1) * DAY),
          postedAt: published ? new Date(now - (index + 1) * DAY) : null,
          permalink: published ? `https://social.example/${contentId}` : null,
        });
    }
  }
  for (const [index, eventType] of (
    ["listing_new", "post_failed", "content_ready", "listing_new"] as const
  ).entries()) {
    await db()
      .insert(notifications)
      .values({
        id: newId(),
        agentId,
        eventType,
        title: `Notification ${index}`,
        dedupeKey: `plans-${agentId}-${index}`,
        inApp: index !== 2,
        readAt: index === 0 ? new Date(now) : null,
        createdAt: new Date(now - index * HOUR),
      });
  }
  return { agentId, cookie, listingIds };
}

/** Calls one tRPC query through the Worker app on the recording binding; returns what D1 was asked. */
async function call(seeded: Seeded, procedure: string, input?: unknown) {
  const recorder = recordingD1Env();
  const qs = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const request = new Request(`${APP_ORIGIN}/api/trpc/${procedure}${qs}`, {
    headers: { Cookie: seeded.cookie, "CF-Connecting-IP": "198.51.100.7" },
  });
  const ctx = createExecutionContext();
  const response = await app.fetch(request, recorder.env, ctx);
  await waitOnExecutionContext(ctx);
  const body = (await response.json()) as { result?: { data: unknown }; error?: unknown };
  expect(response.status, `${procedure} ${JSON.stringify(body.error)}`).toBe(200);
  return { data: body.result?.data, ...recorder.recording };
}

/** The result column names of a statement, as D1 names them (`raw({ columnNames: true })`). */
async function columnNames(statement: RecordedStatement) {
  const [names] = await env.DB.prepare(statement.sql)
    .bind(...statement.params)
    .raw({ columnNames: true });
  return (names ?? []).map(String);
}

const isRead = (statement: RecordedStatement) => /^\s*(select|with)\b/i.test(statement.sql);

/** Each call must reach D1 in at most 2 round trips (issue 12): the session lookup and one batch. */
const MAX_ROUND_TRIPS = 2;

type Case = { name: string; procedure: string; input?: (seeded: Seeded) => unknown };

const listingFilters: Record<string, unknown>[] = [
  {},
  ...LISTING_STATUSES.map((status) => ({ status })),
  { community: "Lake Nona" },
  { minPriceCents: 400_000_00 },
  { maxPriceCents: 450_000_00 },
  { minPriceCents: 400_000_00, maxPriceCents: 450_000_00 },
  { minBeds: 3 },
  { status: "available", community: "Storey Park", minPriceCents: 1, maxPriceCents: 900_000_00, minBeds: 2 },
];
const sorts = ["newest", "price_asc", "price_desc"] as const;

const cases: Case[] = [
  ...sorts.flatMap((sort) =>
    listingFilters.map((filter) => ({
      name: `listings.list ${sort} ${JSON.stringify(filter)}`,
      procedure: "listings.list",
      input: () => ({ ...filter, sort }),
    })),
  ),
  // The session, then the listing and its change history in one batch.
  { name: "listings.get", procedure: "listings.get", input: (seeded) => ({ id: seeded.listingIds[0] }) },
  { name: "content.pendingApprovals", procedure: "content.pendingApprovals", input: () => ({}) },
  {
    name: "content.pendingApprovals kind",
    procedure: "content.pendingApprovals",
    input: () => ({ kind: "facebook_post" }),
  },
  {
    name: "content.pendingApprovals status",
    procedure: "content.pendingApprovals",
    input: () => ({ status: "pending_approval" }),
  },
  {
    name: "content.pendingApprovals listing",
    procedure: "content.pendingApprovals",
    input: (seeded) => ({ listingId: seeded.listingIds[0] }),
  },
  {
    name: "posts.list a month",
    procedure: "posts.list",
    input: () => ({ from: Date.now() - 15 * DAY, to: Date.now() + 15 * DAY }),
  },
  {
    name: "posts.list a month, scheduled",
    procedure: "posts.list",
    input: () => ({ from: Date.now() - 15 * DAY, to: Date.now() + 15 * DAY, status: "scheduled" }),
  },
  // The session, then the page and the unread count in one batch.
  { name: "notifications.list", procedure: "notifications.list", input: () => ({}) },
  {
    name: "notifications.list unreadOnly",
    procedure: "notifications.list",
    input: () => ({ unreadOnly: true }),
  },
  {
    name: "notifications.list inApp",
    procedure: "notifications.list",
    input: () => ({ inApp: true }),
  },
  {
    name: "notifications.list event",
    procedure: "notifications.list",
    input: () => ({ event: "listing_new" }),
  },
  {
    name: "notifications.list all filters",
    procedure: "notifications.list",
    input: () => ({ unreadOnly: true, inApp: true, event: "listing_new" }),
  },
  // The session, then the listing, content and activity reads (8 statements) in one batch.
  { name: "dashboard.overview", procedure: "dashboard.overview" },
];

describe("list queries at brokerage scale (issue 12)", () => {
  let seeded: Seeded;
  const counts: { name: string; statements: number; roundTrips: number }[] = [];

  beforeAll(async () => {
    seeded = await seed();
  });

  it.each(cases)("$name: every read is planned on an index", async (testCase) => {
    const result = await call(seeded, testCase.procedure, testCase.input?.(seeded));
    counts.push({ name: testCase.name, statements: result.statements.length, roundTrips: result.roundTrips });
    expect(result.roundTrips).toBeLessThanOrEqual(MAX_ROUND_TRIPS);
    expect(result.statements.length).toBeGreaterThan(0);
    const scans: string[] = [];
    for (const statement of result.statements.filter(isRead)) {
      const plan = await queryPlan(statement);
      const found = tableScans(plan);
      if (found.length) scans.push(`${found.join(", ")} in: ${statement.sql} (plan: ${plan.join(" | ")})`);
    }
    expect(scans).toEqual([]);
    // drizzle reads a batch's rows as objects: a column name twice in one statement loses a value.
    const repeated: string[] = [];
    for (const statement of result.statements.filter((s) => s.via === "batch" && isRead(s))) {
      const names = await columnNames(statement);
      if (new Set(names).size !== names.length) repeated.push(`${names.join(", ")} in: ${statement.sql}`);
    }
    expect(repeated).toEqual([]);
  });

  it("pages on through a listings.list cursor on an index, each sort", async () => {
    for (const sort of sorts) {
      const first = await call(seeded, "listings.list", { sort, limit: 2 });
      const cursor = (first.data as { nextCursor: string | null }).nextCursor;
      expect(cursor).toEqual(expect.any(String));
      const next = await call(seeded, "listings.list", { sort, limit: 2, cursor });
      counts.push({
        name: `listings.list ${sort} page 2`,
        statements: next.statements.length,
        roundTrips: next.roundTrips,
      });
      expect(next.roundTrips).toBeLessThanOrEqual(MAX_ROUND_TRIPS);
      for (const statement of next.statements.filter(isRead)) {
        expect(tableScans(await queryPlan(statement)), statement.sql).toEqual([]);
      }
    }
  });

  it("flags a statement that reads a whole table", async () => {
    const plan = await queryPlan({
      sql: "select id from rltr_mktg_listings where description = ?",
      params: ["x"],
    });
    expect(tableScans(plan)).toEqual(["SCAN rltr_mktg_listings"]);
  });

  it("prints each call's D1 statements and round trips (issue 12's target: at most 2 round trips)", () => {
    console.log(
      `D1 statements per call (round trips):\n${counts
        .map((count) => `  ${count.statements} (${count.roundTrips})  ${count.name}`)
        .join("\n")}`,
    );
    expect(counts.length).toBe(cases.length + sorts.length);
  });
});
