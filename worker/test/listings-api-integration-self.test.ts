import { env } from "cloudflare:workers";
import { listingChanges, listings } from "db";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { runListingAgent } from "../src/agents/listing/agent";
import { createDb } from "../src/lib/db";
import { signedUpBrowser, type TestBrowser } from "./helpers/http";
import { agentFollowing, privateBuilderSite } from "./helpers/listings";

type Card = { id: string; priceCents: number | null; beds: number | null; community: string; status: string };
type Page = { items: Card[]; nextCursor: string | null };

const db = () => createDb(env.DB);
let browser: TestBrowser;
let agentId: string;
let siteUrl: string;

beforeAll(async () => {
  const site = await privateBuilderSite(30);
  siteUrl = site.url;
  const agent = await agentFollowing(site.url);
  browser = agent.browser;
  agentId = agent.agentId;
  vi.spyOn(env.CONTENT_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
  await runListingAgent(env, { trigger: "manual", agentId });
});

async function allPages(input: Record<string, unknown>) {
  const items: Card[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: Page } = await browser.query<Page>("listings.list", {
      ...input,
      ...(cursor && { cursor }),
    });
    items.push(...page.data.items);
    cursor = page.data.nextCursor;
  } while (cursor);
  return items;
}

describe("listings.list", () => {
  it("pages through every listing exactly once with a cursor", async () => {
    const first = await browser.query<Page>("listings.list", { limit: 7 });
    expect(first.data.items).toHaveLength(7);
    expect(first.data.nextCursor).toEqual(expect.any(String));
    const all = await allPages({ limit: 7 });
    expect(all).toHaveLength(30);
    expect(new Set(all.map((card) => card.id)).size).toBe(30);
  });

  it("sorts by price both ways with 'Call for pricing' last", async () => {
    for (const sort of ["price_asc", "price_desc"] as const) {
      const prices = (await allPages({ sort, limit: 8 })).map((card) => card.priceCents);
      const priced = prices.filter((p): p is number => p !== null);
      expect(priced).toEqual([...priced].sort((a, b) => (sort === "price_asc" ? a - b : b - a)));
      expect(prices.slice(priced.length).every((p) => p === null)).toBe(true);
      expect(prices.some((p) => p === null)).toBe(true);
    }
  });

  it("filters by status, community, price range and beds", async () => {
    const all = await allPages({});
    const community = all.find((card) => card.community)?.community ?? "";
    const inCommunity = await allPages({ community });
    expect(inCommunity.length).toBeGreaterThan(0);
    expect(inCommunity.every((card) => card.community === community)).toBe(true);

    const mid = await allPages({ minPriceCents: 350_000_00, maxPriceCents: 500_000_00 });
    expect(
      mid.every(
        (card) => card.priceCents !== null && card.priceCents >= 350_000_00 && card.priceCents <= 500_000_00,
      ),
    ).toBe(true);
    expect(mid.length).toBe(
      all.filter(
        (card) => card.priceCents !== null && card.priceCents >= 350_000_00 && card.priceCents <= 500_000_00,
      ).length,
    );
    const big = await allPages({ minBeds: 4 });
    expect(big.length).toBe(all.filter((card) => (card.beds ?? 0) >= 4).length);
    const sold = await allPages({ status: "sold" });
    expect(sold.every((card) => card.status === "sold")).toBe(true);
  });

  it("refuses a forged cursor with a 400 naming it", async () => {
    const res = await browser.query("listings.list", { cursor: "not-a-cursor" });
    expect(res.status).toBe(400);
    expect(res.error?.data.fieldErrors).toEqual({ cursor: ["Invalid cursor"] });
  });
});

describe("listings.get and isolation", () => {
  it("returns the listing with its history to its owner and NOT_FOUND to anyone else", async () => {
    const [card] = (await browser.query<Page>("listings.list", { limit: 1 })).data.items;
    const mine = await browser.query<{ id: string; history: { changeType: string }[] }>("listings.get", {
      id: card?.id,
    });
    expect(mine.status).toBe(200);
    expect(mine.data.history.map((change) => change.changeType)).toEqual(["created"]);

    const other = await signedUpBrowser("Mallory");
    const theirs = await other.browser.query("listings.get", { id: card?.id });
    expect(theirs.status).toBe(404);
    const theirList = await other.browser.query<Page>("listings.list", {});
    expect(theirList.data.items.map((item) => item.id)).not.toContain(card?.id);
  });
});

describe("listings.manualUpload", () => {
  const valid = {
    addressLine: "812 Sandpiper Way",
    city: "Kissimmee",
    state: "fl",
    zip: "34746",
    community: "Sandpiper Cove",
    planName: "The Marlin",
    priceCents: 412_990_00,
    beds: 4,
    baths: 2.5,
    sqft: 2145,
    garage: 2,
    status: "available",
    moveInDate: "2027-03-01",
    incentives: "<b>$5,000</b> toward closing costs",
    description: "Split plan with a <script>alert(1)</script> lanai.",
    imageUrls: ["https://images.example.com/812-front.jpg"],
  };

  it("stores a typed-in listing through the same normalization and queues it for content", async () => {
    const send = vi.spyOn(env.CONTENT_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    const res = await browser.mutate<{ id: string }>("listings.manualUpload", valid);
    expect(res.status).toBe(200);
    const [row] = await db().select().from(listings).where(eq(listings.id, res.data.id));
    expect(row).toMatchObject({
      origin: "manual",
      state: "FL",
      bathsFull: 2,
      bathsHalf: 1,
      priceCents: 412_990_00,
      incentives: "$5,000 toward closing costs",
    });
    expect(row?.description).not.toMatch(/<script/);
    const [change] = await db()
      .select()
      .from(listingChanges)
      .where(eq(listingChanges.listingId, res.data.id));
    expect(change?.events).toEqual(["new_listing"]);
    expect(change?.dispatchedAt).not.toBeNull();
    const bodies = send.mock.calls.flatMap(([messages]) => [...messages].map((m) => m.body));
    expect(bodies).toContainEqual(
      expect.objectContaining({ listingId: res.data.id, events: ["new_listing"] }),
    );

    const again = await browser.mutate("listings.manualUpload", {
      ...valid,
      addressLine: "812 SANDPIPER WAY",
    });
    expect(again.status).toBe(409);
    expect(again.error?.data.fieldErrors).toEqual({
      addressLine: ["You already have a listing at this address"],
    });
  });

  it("names every bad field and stores nothing", async () => {
    const before = await allPages({});
    const res = await browser.mutate("listings.manualUpload", {
      ...valid,
      addressLine: "",
      zip: "123",
      baths: 2.25,
      imageUrls: ["javascript:alert(1)"],
      description: "x".repeat(20_001),
    });
    expect(res.status).toBe(400);
    expect(Object.keys(res.error?.data.fieldErrors ?? {}).sort()).toEqual(
      ["addressLine", "baths", "description", "imageUrls.0", "zip"].sort(),
    );
    expect(await allPages({})).toHaveLength(before.length);
  });
});

describe("listings.runIngestionNow", () => {
  it("starts a run of the agent's sources and is rate-limited to 3 runs in 10 minutes", async () => {
    // The crawl itself runs on the ingestion queue (ingestion-runs-integration-self.test.ts).
    vi.spyOn(env.INGESTION_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    const site = await privateBuilderSite(4);
    const agent = await agentFollowing(site.url);
    const results = [];
    for (let i = 0; i < 4; i++)
      results.push(
        await agent.browser.mutate<{ runs: { id: string; status: string }[] }>("listings.runIngestionNow"),
      );
    expect(results.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results[0]?.data.runs).toEqual([expect.objectContaining({ status: "running" })]);
    expect(results[3]?.status).toBe(429);
    expect(results[3]?.error?.message).toMatch(/3 times in 10 minutes/);
  });
});

describe("dashboard.overview", () => {
  it("counts new listings and shows the last run", async () => {
    const res = await browser.query<{ listings: Record<string, unknown> }>("dashboard.overview");
    expect(res.data.listings).toMatchObject({
      newListings: expect.any(Number),
      lastRun: expect.objectContaining({ status: "succeeded", found: 30 }),
    });
    expect(res.data.listings.newListings).toBeGreaterThanOrEqual(30);
  });
});

describe("GET /api/images", () => {
  it("serves the agent's own listing photos and nothing else", async () => {
    const card = (await allPages({})).find(
      (item) => (item as Card & { origin: string }).origin === "scraped",
    );
    const detail = await browser.query<{ imageUrls: string[] }>("listings.get", { id: card?.id });
    const src = detail.data.imageUrls[0] ?? "";
    expect(src.startsWith(siteUrl)).toBe(true);

    const ok = await browser.fetch(`/api/images?src=${encodeURIComponent(src)}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("Content-Type")).toMatch(/^image\//);
    await ok.arrayBuffer();

    const foreign = await browser.fetch(`/api/images?src=${encodeURIComponent(`${siteUrl}/robots.txt`)}`);
    expect(foreign.status).toBe(404);
    const other = await signedUpBrowser();
    expect((await other.browser.fetch(`/api/images?src=${encodeURIComponent(src)}`)).status).toBe(404);
    const { TestBrowser } = await import("./helpers/http");
    expect((await new TestBrowser().fetch(`/api/images?src=${encodeURIComponent(src)}`)).status).toBe(401);
    expect((await browser.fetch("/api/images?src=javascript:alert(1)")).status).toBe(400);
  });
});
