import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ingestionRuns, listingChanges, listings, notifications } from "db";
import { and, asc, eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { claimSource, runListingAgent } from "../src/agents/listing/agent";
import worker from "../src/index";
import { createDb } from "../src/lib/db";
import type { ContentGenerationMessage } from "../src/queues/messages";
import {
  agentFollowing,
  BUILDER_THEMES,
  calmBuilderSites,
  privateBuilderSite,
  recordingEnv,
  runsFinished,
  writesTo,
} from "./helpers/listings";

const db = () => createDb(env.DB);

function captureContentQueue() {
  const sent: ContentGenerationMessage[] = [];
  vi.spyOn(env.CONTENT_QUEUE, "sendBatch").mockImplementation(async (messages) => {
    for (const message of messages) sent.push(message.body as ContentGenerationMessage);
    return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } } as QueueSendBatchResponse;
  });
  return sent;
}

const agentListings = (agentId: string) =>
  db().select().from(listings).where(eq(listings.agentId, agentId)).orderBy(asc(listings.sourceKey));

afterEach(async () => {
  vi.restoreAllMocks();
  await calmBuilderSites();
});

// Backoff is real (500 ms doubling, with jitter), so runs against failing pages take seconds.
const SLOW = { timeout: 30_000 };

describe("listing agent: a full run against the builder site", () => {
  it("first run through the cron handler and the ingestion queue stores every home, records the run and hands each to the content agent", async () => {
    const site = await privateBuilderSite(36);
    const agent = await agentFollowing(site.url);
    const sent = captureContentQueue();

    const ctx = createExecutionContext();
    worker.scheduled(
      createScheduledController({ scheduledTime: Date.now(), cron: "*/30 * * * *" }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    // The cron only queued the source; the real queue's consumer crawls it.
    await runsFinished([agent.sourceId]);

    const rows = await agentListings(agent.agentId);
    expect(rows).toHaveLength(36);
    const homes = await site.homes();
    const byAddress = new Map(rows.map((row) => [row.addressLine, row]));
    for (const home of homes) {
      const row = byAddress.get(home.address);
      expect(row, home.address).toBeDefined();
      expect(row?.priceCents).toBe(home.price === null ? null : home.price * 100);
      expect(row?.sourceUrl).toBe(`${site.url}${home.path}`);
    }
    const [run] = await db().select().from(ingestionRuns).where(eq(ingestionRuns.sourceId, agent.sourceId));
    expect(run).toMatchObject({ status: "succeeded", trigger: "cron", listingsFound: 36, listingsNew: 36 });
    expect(run?.pagesFetched).toBeGreaterThanOrEqual(36);
    expect(run?.finishedAt).not.toBeNull();

    const mine = sent.filter((message) => message.agentId === agent.agentId);
    expect(mine).toHaveLength(36);
    expect(new Set(mine.map((message) => message.listingId)).size).toBe(36);
    expect(
      mine.every((message) => message.type === "listing_event" && message.events[0] === "new_listing"),
    ).toBe(true);
    const notes = await db().select().from(notifications).where(eq(notifications.agentId, agent.agentId));
    expect(notes).toEqual([expect.objectContaining({ eventType: "listing_new", title: "36 new listings" })]);
  });

  it("hands over more events than fit one D1 statement or queue batch", { timeout: 30_000 }, async () => {
    const site = await privateBuilderSite(150);
    const agent = await agentFollowing(site.url);
    const sent = captureContentQueue();
    const [summary] = await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });
    expect(summary).toMatchObject({ status: "succeeded", new: 150 });
    expect(new Set(sent.map((message) => message.listingId)).size).toBe(150);
    const pending = await db().select().from(listingChanges).where(eq(listingChanges.agentId, agent.agentId));
    expect(pending.every((change) => change.dispatchedAt !== null)).toBe(true);
  });
});

describe.each(BUILDER_THEMES)("listing agent: change detection (%s theme)", (theme) => {
  it("an unchanged re-run writes no listing rows and sends nothing", async () => {
    const site = await privateBuilderSite(24, theme);
    const agent = await agentFollowing(site.url);
    captureContentQueue();
    await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });
    const before = await agentListings(agent.agentId);

    const sent = captureContentQueue();
    const recorder = recordingEnv();
    const [summary] = await runListingAgent(recorder.env, { trigger: "manual", agentId: agent.agentId });

    expect(summary).toMatchObject({ status: "succeeded", found: 24, new: 0, changed: 0, removed: 0 });
    expect(writesTo(recorder.statements, "rltr_mktg_listings")).toEqual([]);
    expect(writesTo(recorder.statements, "rltr_mktg_listing_changes")).toEqual([]);
    expect(await agentListings(agent.agentId)).toEqual(before);
    expect(sent).toEqual([]);
  });

  it("a price drop updates the listing, keeps the history and sends one price_drop message", async () => {
    const site = await privateBuilderSite(12, theme);
    const agent = await agentFollowing(site.url);
    captureContentQueue();
    await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });
    const home = (await site.homes()).find((h) => h.price !== null && h.status === "Available");
    if (!home?.price) throw new Error("fixture has no priced home");
    await site.patchHome(home.slug, { price: home.price - 10_000 });

    const sent = captureContentQueue();
    const [summary] = await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });
    expect(summary).toMatchObject({ status: "succeeded", new: 0, changed: 1, removed: 0 });

    const [row] = await db()
      .select()
      .from(listings)
      .where(and(eq(listings.agentId, agent.agentId), eq(listings.addressLine, home.address)));
    expect(row).toMatchObject({
      priceCents: (home.price - 10_000) * 100,
      previousPriceCents: home.price * 100,
    });
    expect(row?.priceChangedAt).not.toBeNull();
    const history = await db()
      .select()
      .from(listingChanges)
      .where(eq(listingChanges.listingId, row?.id ?? ""))
      .orderBy(asc(listingChanges.createdAt));
    expect(history.map((change) => change.changeType)).toEqual(["created", "updated"]);
    expect(history[1]?.changes).toEqual({
      priceCents: { from: home.price * 100, to: (home.price - 10_000) * 100 },
    });
    expect(sent).toEqual([
      expect.objectContaining({ type: "listing_event", listingId: row?.id, events: ["price_drop"] }),
    ]);
    const [note] = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.agentId, agent.agentId), eq(notifications.eventType, "listing_changed")));
    expect(note?.title).toBe(`Price drop: ${home.address}`);
  });

  it("status changes and new incentives are events; a home gone from the site goes off-market, never deleted", async () => {
    const site = await privateBuilderSite(12, theme);
    const agent = await agentFollowing(site.url);
    captureContentQueue();
    await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });
    const [first, second, gone] = await site.homes();
    if (!first || !second || !gone) throw new Error("fixture too small");
    await site.patchHome(first.slug, { status: "Under Contract" });
    await site.patchHome(second.slug, { incentives: "Free blinds and a $5,000 closing credit" });
    await site.deleteHome(gone.slug);

    const sent = captureContentQueue();
    const [summary] = await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });
    expect(summary).toMatchObject({ status: "succeeded", changed: 2, removed: 1 });
    const events = Object.fromEntries(
      await Promise.all(
        sent.map(async (message) => {
          const [row] = await db().select().from(listings).where(eq(listings.id, message.listingId));
          return [row?.addressLine, message.type === "listing_event" ? message.events : []];
        }),
      ),
    );
    expect(events).toEqual({ [first.address]: ["status_change"], [second.address]: ["new_incentive"] });
    const [removed] = await db()
      .select()
      .from(listings)
      .where(and(eq(listings.agentId, agent.agentId), eq(listings.addressLine, gone.address)));
    expect(removed?.status).toBe("off_market");
    expect(removed?.offMarketAt).not.toBeNull();
    expect(await agentListings(agent.agentId)).toHaveLength(12);

    // Back on the site: relisted, with its previous content.
    await site.reset(12);
    await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });
    const [back] = await db()
      .select()
      .from(listings)
      .where(eq(listings.id, removed?.id ?? ""));
    expect(back?.status).toBe("available");
    const kinds = await db()
      .select({ changeType: listingChanges.changeType })
      .from(listingChanges)
      .where(eq(listingChanges.listingId, removed?.id ?? ""))
      .orderBy(asc(listingChanges.createdAt));
    expect(kinds.map((k) => k.changeType)).toEqual(["created", "off_market", "relisted"]);
  });
});

describe.each(BUILDER_THEMES)("listing agent as a new user sees it (%s theme)", (theme) => {
  const communityPath = (slug: string) =>
    theme === "spec-list" ? `/neighborhoods/${slug}` : `/communities/${slug}`;

  it("stores every field right: status, community, plan, garage, move-in, incentives, with their sources", async () => {
    const site = await privateBuilderSite(36, theme);
    const agent = await agentFollowing(site.url);
    captureContentQueue();
    const [summary] = await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });
    expect(summary).toMatchObject({ status: "succeeded", new: 36 });
    const rows = new Map((await agentListings(agent.agentId)).map((row) => [row.sourceKey, row]));
    const homes = await site.homes();
    expect(homes.filter((home) => home.status === "Under Contract").length).toBeGreaterThan(1);
    for (const home of homes) {
      const row = rows.get(home.id);
      expect(row, home.slug).toBeDefined();
      expect(row?.status, home.slug).toBe(home.status.toLowerCase().replace(" ", "_"));
      expect(row?.community, home.slug).toBe(home.communityName);
      expect(row?.garage, home.slug).toBe(home.garage);
      expect(row?.moveInDate === null, home.slug).toBe(home.moveIn === "Move-in ready");
      expect(row?.fieldSources.status, home.slug).toBeDefined();
      if (home.edgeCase) continue;
      expect(row?.planName, home.slug).toBe(home.planName);
      const label = theme === "classic" && home.markup === "html" && home.incentives ? "Limited time: " : "";
      expect(row?.incentives, home.slug).toBe(`${label}${home.incentives}`);
    }
  });

  it(
    "a removed home goes off-market although a guessed page answers 404; one failed page blocks nothing else",
    SLOW,
    async () => {
      const site = await privateBuilderSite(12, theme);
      const agent = await agentFollowing(site.url);
      captureContentQueue();
      await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });
      const [gone, broken] = await site.homes();
      if (!gone || !broken) throw new Error("fixture too small");
      await site.deleteHome(gone.slug);
      // The spec-list site has no /quick-move-in at all; on the classic one it disappears now.
      await site.setFailures({
        [broken.path]: 500,
        ...(theme === "classic" ? { "/quick-move-in": 404 } : {}),
      });

      const [summary] = await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });
      expect(summary).toMatchObject({ status: "succeeded", removed: 1 });
      expect((await site.state()).requests["/quick-move-in"]).toBeGreaterThan(0);
      const rows = await agentListings(agent.agentId);
      const byKey = new Map(rows.map((row) => [row.sourceKey, row]));
      expect(byKey.get(gone.id)?.status).toBe("off_market");
      // Its own page failed: it stays as it was.
      expect(byKey.get(broken.id)?.status).toBe(broken.status.toLowerCase().replace(" ", "_"));
      expect(rows.filter((row) => row.status === "off_market")).toHaveLength(1);
      const [run] = await db()
        .select()
        .from(ingestionRuns)
        .where(eq(ingestionRuns.id, summary?.runId ?? ""));
      expect(run?.errors).toEqual([expect.stringContaining(`${broken.path}: HTTP 500`)]);
    },
  );

  it(
    "a home whose own page answers 404, 410 or redirects elsewhere goes off-market even when discovery was incomplete",
    SLOW,
    async () => {
      const site = await privateBuilderSite(12, theme);
      const agent = await agentFollowing(site.url);
      captureContentQueue();
      await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });
      const homes = await site.homes();
      const [notFound, goneFor, redirected, vanished, failing] = homes;
      if (!notFound || !goneFor || !redirected || !vanished || !failing) throw new Error("fixture too small");
      await site.deleteHome(notFound.slug, { answer: 404, keepInSitemap: true });
      await site.deleteHome(goneFor.slug, { answer: 410, keepInSitemap: true });
      await site.deleteHome(redirected.slug, { answer: "redirect", keepInSitemap: true });
      await site.deleteHome(vanished.slug);
      // A community page that fails leaves discovery incomplete: a home merely absent is not concluded gone.
      const brokenCommunity = homes.find((h) => h.community !== redirected.community)?.community ?? "";
      await site.setFailures({ [failing.path]: 503, [communityPath(brokenCommunity)]: 500 });

      const [summary] = await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });
      expect(summary).toMatchObject({ status: "succeeded", removed: 3 });
      const status = new Map((await agentListings(agent.agentId)).map((row) => [row.sourceKey, row.status]));
      expect(status.get(notFound.id)).toBe("off_market");
      expect(status.get(goneFor.id)).toBe("off_market");
      expect(status.get(redirected.id)).toBe("off_market");
      expect(status.get(vanished.id)).not.toBe("off_market");
      expect(status.get(failing.id)).not.toBe("off_market");
    },
  );
});

describe("listing agent: background runs", () => {
  it(
    "uses a run claimed beforehand, only for the sources asked, and writes progress while it runs",
    SLOW,
    async () => {
      const site = await privateBuilderSite(16);
      const other = await privateBuilderSite(4);
      const agent = await agentFollowing(site.url);
      const bystander = await agentFollowing(other.url, "Bystander");
      captureContentQueue();
      const runId = await claimSource(db(), agent.sourceId, new Date(), "manual");
      await expect(claimSource(db(), agent.sourceId, new Date(), "manual")).rejects.toThrow(
        /already in progress/,
      );
      await site.setMode("normal", 120);

      const seen: number[] = [];
      let done = false;
      const poll = (async () => {
        while (!done) {
          const [row] = await db().select().from(ingestionRuns).where(eq(ingestionRuns.id, runId));
          if (row?.status === "running") seen.push(row.pagesFetched);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const summaries = await runListingAgent(env, {
        trigger: "manual",
        sourceIds: [agent.sourceId],
        claimedRuns: { [agent.sourceId]: runId },
      });
      done = true;
      await poll;

      expect(summaries).toEqual([expect.objectContaining({ runId, status: "succeeded", found: 16 })]);
      expect(seen.some((pages) => pages > 0)).toBe(true);
      const runs = await db().select().from(ingestionRuns).where(eq(ingestionRuns.sourceId, agent.sourceId));
      expect(runs).toEqual([expect.objectContaining({ id: runId, status: "succeeded", listingsFound: 16 })]);
      expect(runs[0]?.pagesFetched).toBeGreaterThanOrEqual(16);
      const untouched = await db()
        .select()
        .from(ingestionRuns)
        .where(eq(ingestionRuns.sourceId, bystander.sourceId));
      expect(untouched).toEqual([]);
    },
  );
});

describe("listing agent: a broken scrape changes nothing", () => {
  it.each([
    ["a redesign (nothing extracted)", "redesign", /No listings could be extracted/],
    ["5xx on every detail page", "error5xx", /No listings could be extracted/],
  ] as const)("%s fails the run visibly and keeps every listing", SLOW, async (_label, mode, reason) => {
    const site = await privateBuilderSite(12);
    const agent = await agentFollowing(site.url);
    captureContentQueue();
    await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });
    const before = await agentListings(agent.agentId);
    await site.setMode(mode);

    const recorder = recordingEnv();
    const [summary] = await runListingAgent(recorder.env, { trigger: "manual", agentId: agent.agentId });

    expect(summary?.status).toBe("failed");
    expect(summary?.failureReason).toMatch(reason);
    expect(writesTo(recorder.statements, "rltr_mktg_listings")).toEqual([]);
    expect(await agentListings(agent.agentId)).toEqual(before);
    const [run] = await db()
      .select()
      .from(ingestionRuns)
      .where(eq(ingestionRuns.id, summary?.runId ?? ""));
    expect(run?.status).toBe("failed");
    if (mode === "error5xx") expect(run?.errorCount).toBeGreaterThan(0);
    const failures = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.agentId, agent.agentId), eq(notifications.eventType, "ingestion_failed")));
    expect(failures).toHaveLength(1);
  });

  it("far fewer homes than the last good run is a failed run: nothing is marked off-market", async () => {
    const site = await privateBuilderSite(12);
    const agent = await agentFollowing(site.url);
    captureContentQueue();
    await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });
    for (const home of (await site.homes()).slice(0, 8)) await site.deleteHome(home.slug);

    const [summary] = await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });
    expect(summary).toMatchObject({ status: "failed", found: 4, removed: 0 });
    expect(summary?.failureReason).toMatch(/Only 4 listings found where the last good run found 12/);
    const rows = await agentListings(agent.agentId);
    expect(rows.filter((row) => row.status === "off_market")).toEqual([]);
  });

  it("retries flaky 503s and succeeds", SLOW, async () => {
    const site = await privateBuilderSite(6);
    const agent = await agentFollowing(site.url);
    captureContentQueue();
    await site.setMode("flaky");
    const [summary] = await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });
    expect(summary).toMatchObject({ status: "succeeded", found: 6, new: 6 });
  });
});

describe("listing agent: sources shared by several agents", () => {
  it("fetches a followed source once per run and gives each agent its own copy", SLOW, async () => {
    const site = await privateBuilderSite(6);
    const alice = await agentFollowing(site.url, "Alice");
    const bob = await agentFollowing(site.url, "Bob");
    expect(bob.sourceId).toBe(alice.sourceId);
    captureContentQueue();

    await runListingAgent(env, { trigger: "cron" });
    const state = await site.state();
    const detailRequests = Object.entries(state.requests).filter(([path]) => path.startsWith("/homes/"));
    expect(detailRequests).toHaveLength(6);
    expect(detailRequests.every(([, count]) => count === 1)).toBe(true);
    expect(state.lastUserAgent).toMatch(/RealtorMarketingBot/);

    // Each agent hears its own numbers; the source's run row keeps the totals.
    const [bobRun] = await runListingAgent(env, { trigger: "manual", agentId: bob.agentId });
    expect(bobRun).toMatchObject({ new: 0, changed: 0, removed: 0 });
    const carol = await agentFollowing(site.url, "Carol");
    const [carolRun] = await runListingAgent(env, { trigger: "manual", agentId: carol.agentId });
    expect(carolRun).toMatchObject({ status: "succeeded", new: 6, changed: 0 });
    const [carolRow] = await db()
      .select()
      .from(ingestionRuns)
      .where(eq(ingestionRuns.id, carolRun?.runId ?? ""));
    expect(carolRow?.listingsNew).toBe(6);

    const aliceRows = await agentListings(alice.agentId);
    const bobRows = await agentListings(bob.agentId);
    expect(aliceRows).toHaveLength(6);
    expect(bobRows).toHaveLength(6);
    expect(new Set([...aliceRows, ...bobRows].map((row) => row.id)).size).toBe(12);
  });

  it("a second run for a source while one is live is refused", async () => {
    const site = await privateBuilderSite(6);
    const agent = await agentFollowing(site.url);
    captureContentQueue();
    await site.setMode("normal", 300);
    const results = await Promise.allSettled([
      runListingAgent(env, { trigger: "manual", agentId: agent.agentId }),
      runListingAgent(env, { trigger: "manual", agentId: agent.agentId }),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    const rejected = results.find((result) => result.status === "rejected");
    expect(String((rejected as PromiseRejectedResult).reason)).toMatch(/already in progress/);
  });
});
