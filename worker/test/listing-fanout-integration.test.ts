import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import {
  agents,
  ingestionApplyGroups,
  ingestionRuns,
  ingestionScrapeParts,
  listings,
  notifications,
} from "db";
import { and, eq, inArray } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { claimSource } from "../src/agents/listing/agent";
import {
  D1_QUERIES_PER_INVOCATION,
  followersPerInvocation,
  subrequestsPerFollower,
} from "../src/agents/listing/fanout";
import worker from "../src/index";
import { createDb } from "../src/lib/db";
import { newId } from "../src/lib/ids";
import type { IngestionMessage } from "../src/queues/messages";
import { followSource } from "../src/services/listing-sources";
import { recordingD1Env } from "./helpers/d1-recorder";
import { calmBuilderSites, privateBuilderSite, runsFinished } from "./helpers/listings";

const db = () => createDb(env.DB);
const LISTINGS = 40;
const PER_GROUP = followersPerInvocation(LISTINGS);
// Under a second each on a quiet machine; the real queue and hundreds of D1 writes take longer under load.
const SLOW = { timeout: 30_000 };

/** `count` agents following `siteUrl`, written straight to D1 (a sign-up each would cost seconds). */
async function followers(siteUrl: string, count: number) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = newId();
    await db()
      .insert(agents)
      .values({ id, email: `${id}@fanout.test`, passwordHash: "-", name: `Follower ${i}` });
    ids.push(id);
  }
  const sourceIds = await Promise.all(ids.map((id) => followSource(db(), id, siteUrl)));
  return { agentIds: ids, sourceId: sourceIds[0] ?? "" };
}

/** Keeps the content agent and the bell out of the way; the ingestion queue is the subject. */
function quietOtherQueues() {
  const content = vi.spyOn(env.CONTENT_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
  vi.spyOn(env.NOTIFICATION_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
  /** The change ids handed to the content agent so far. */
  return () =>
    content.mock.calls.flatMap((call) =>
      [...call[0]].map((message) => (message.body as { changeId: string }).changeId),
    );
}

/** Ingestion messages are captured instead of delivered: the test hands each to the consumer. */
function captureIngestion() {
  const sent: IngestionMessage[] = [];
  vi.spyOn(env.INGESTION_QUEUE, "sendBatch").mockImplementation(async (messages) => {
    for (const message of messages) sent.push(message.body as IngestionMessage);
    return undefined as never;
  });
  return sent;
}

/** One consumer invocation with a D1 binding that counts its statements (a batch's each count). */
async function deliver(body: IngestionMessage, attempts = 1, queue = "rltr-mktg-ingestion") {
  const recorder = recordingD1Env();
  const batch = createMessageBatch(queue, [
    { id: `m-${crypto.randomUUID()}`, timestamp: new Date(), attempts, body },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, recorder.env, ctx);
  const result = await getQueueResult(batch, ctx);
  expect(result.explicitAcks).toHaveLength(1);
  const statements = recorder.recording.statements.map((statement) => statement.sql);
  return {
    statements,
    reads: (table: string) =>
      statements.filter((sql) => new RegExp(`^select .* from "${table}"`, "i").test(sql)),
    writes: (table: string) =>
      statements.filter((sql) =>
        new RegExp(`^\\s*(insert into|update|delete from)\\s+"${table}"`, "i").test(sql),
      ),
  };
}

const runRow = async (runId: string) =>
  (await db().select().from(ingestionRuns).where(eq(ingestionRuns.id, runId)))[0];

const countListings = async (agentIds: string[]) => {
  const rows = await db()
    .select({ agentId: listings.agentId })
    .from(listings)
    .where(inArray(listings.agentId, agentIds));
  return agentIds.map((id) => rows.filter((row) => row.agentId === id).length);
};

/** A claimed cron run of `sourceId` and its `ingest` message (no agent asked for it). */
async function cronRun(sourceId: string) {
  const runId = await claimSource(db(), sourceId, new Date(), "cron");
  return { type: "ingest", runId, sourceId } satisfies IngestionMessage;
}

afterEach(async () => {
  vi.restoreAllMocks();
  await calmBuilderSites();
});

describe("listing fan-out: one cron tick, one queue message per source", () => {
  it(
    "the cron only claims and queues; the real queue crawls each source and applies its follower groups",
    SLOW,
    async () => {
      quietOtherQueues();
      const sites = await Promise.all([
        privateBuilderSite(LISTINGS),
        privateBuilderSite(8),
        privateBuilderSite(8),
      ]);
      const many = await followers(sites[0].url, PER_GROUP + 3);
      const few = await Promise.all(sites.slice(1).map((site) => followers(site.url, 2)));
      const sends = vi.spyOn(env.INGESTION_QUEUE, "sendBatch");

      const cron = recordingD1Env();
      const ctx = createExecutionContext();
      await worker.scheduled(
        createScheduledController({ scheduledTime: Date.now(), cron: "*/30 * * * *" }),
        cron.env,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      // The tick wrote run rows and nothing about listings, and sent one message per source in one batch.
      const cronSql = cron.recording.statements.map((statement) => statement.sql).join("\n");
      expect(cronSql).not.toMatch(/rltr_mktg_listings"/);
      expect(sends).toHaveBeenCalledTimes(1);
      const bodies = (messages: Iterable<MessageSendRequest<unknown>>) =>
        [...messages].map((message) => message.body as IngestionMessage);
      const queued = bodies(sends.mock.calls[0]?.[0] ?? []);
      const sourceIds = [many.sourceId, ...few.map((f) => f.sourceId)];
      expect(queued.map((message) => message.sourceId).sort()).toEqual([...sourceIds].sort());
      expect(queued.every((message) => message.type === "ingest" && !("agentId" in message))).toBe(true);

      await runsFinished(sourceIds);
      const applies = sends.mock.calls.flatMap((call) => bodies(call[0]));
      expect(applies.filter((message) => message.type === "apply")).toHaveLength(2);
      expect(await countListings(many.agentIds)).toEqual(many.agentIds.map(() => LISTINGS));
      expect(await countListings(few.flatMap((f) => f.agentIds))).toEqual([8, 8, 8, 8]);
      const runs = await db().select().from(ingestionRuns).where(inArray(ingestionRuns.sourceId, sourceIds));
      expect(runs.every((run) => run.status === "succeeded" && run.trigger === "cron")).toBe(true);
      expect(runs.find((run) => run.sourceId === many.sourceId)?.listingsNew).toBe(
        LISTINGS * (PER_GROUP + 3),
      );
      // Nothing is kept once the last group finished.
      expect(await db().select().from(ingestionScrapeParts)).toEqual([]);
      expect(await db().select().from(ingestionApplyGroups)).toEqual([]);
    },
  );
});

describe("listing fan-out: the cron when the queue refuses", () => {
  it("marks the runs it could not queue failed, so the next tick can claim them", async () => {
    quietOtherQueues();
    const site = await privateBuilderSite(3);
    const { sourceId } = await followers(site.url, 1);
    vi.spyOn(env.INGESTION_QUEUE, "sendBatch").mockRejectedValue(new Error("queue unavailable"));
    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ scheduledTime: Date.now(), cron: "*/30 * * * *" }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const [run] = await db().select().from(ingestionRuns).where(eq(ingestionRuns.sourceId, sourceId));
    expect(run).toMatchObject({ status: "failed", failureReason: "The run could not be started." });
    expect((await site.state()).totalRequests).toBe(0);
  });
});

describe("listing fan-out: the consumer, one invocation at a time", () => {
  it(
    "applies many followers in groups within the D1 budget; redeliveries and unchanged re-runs write nothing; a new follower is caught up",
    SLOW,
    async () => {
      const handedOver = quietOtherQueues();
      const site = await privateBuilderSite(LISTINGS);
      const { agentIds, sourceId } = await followers(site.url, 2 * PER_GROUP + 2);
      const sent = captureIngestion();

      // First run: the crawl invocation keeps the scrape and queues 3 groups; it writes no listing.
      const ingest = await cronRun(sourceId);
      const crawl = await deliver(ingest);
      expect(crawl.writes("rltr_mktg_listings")).toEqual([]);
      const groups = sent.filter((message) => message.type === "apply");
      expect(groups.map((message) => message.type === "apply" && message.group)).toEqual([0, 1, 2]);
      expect((await runRow(ingest.runId))?.status).toBe("running");
      const requests = (await site.state()).totalRequests;
      // A redelivered ingest message of a fanned-out run does not crawl again.
      await deliver(ingest, 2);
      expect((await site.state()).totalRequests).toBe(requests);

      const budget = PER_GROUP * subrequestsPerFollower(LISTINGS) + 200;
      for (const message of groups) {
        const applied = await deliver(message);
        expect(applied.statements.length).toBeLessThanOrEqual(Math.min(budget, D1_QUERIES_PER_INVOCATION));
        expect(applied.writes("rltr_mktg_listings").length).toBeGreaterThan(0);
      }
      expect(await countListings(agentIds)).toEqual(agentIds.map(() => LISTINGS));
      // Each group hands its own followers' new listings to the content agent, each change once.
      const changes = handedOver();
      expect(changes).toHaveLength(LISTINGS * agentIds.length);
      expect(new Set(changes).size).toBe(changes.length);
      expect(await runRow(ingest.runId)).toMatchObject({
        status: "succeeded",
        listingsFound: LISTINGS,
        listingsNew: LISTINGS * agentIds.length,
      });
      // A group delivered again after the run finished: no write at all.
      const again = await deliver(groups[1] as IngestionMessage, 2);
      expect(again.statements.filter((sql) => !/^select/i.test(sql)).length).toBeLessThanOrEqual(1);
      expect(again.writes("rltr_mktg_listings")).toEqual([]);

      // Unchanged re-run: every follower is synced to this scrape, so none is read or written.
      sent.length = 0;
      const unchanged = await cronRun(sourceId);
      const rerun = await deliver(unchanged);
      expect(sent).toEqual([]);
      expect(rerun.reads("rltr_mktg_listings")).toEqual([]);
      expect(rerun.writes("rltr_mktg_listings")).toEqual([]);
      expect(rerun.writes("rltr_mktg_listing_changes")).toEqual([]);
      expect(await runRow(unchanged.runId)).toMatchObject({
        status: "succeeded",
        listingsNew: 0,
        listingsChanged: 0,
      });

      // A follower who joins between runs gets every listing on the next (unchanged) run; nobody else is read.
      const late = await followers(site.url, 1);
      const next = await cronRun(sourceId);
      const caughtUp = await deliver(next);
      expect(sent).toEqual([]);
      expect(caughtUp.reads("rltr_mktg_listings")).toHaveLength(1);
      expect(await countListings(late.agentIds)).toEqual([LISTINGS]);
      expect(await runRow(next.runId)).toMatchObject({ status: "succeeded", listingsNew: LISTINGS });
    },
  );

  it(
    "a group that used up its retries fails the run once, tells its followers and drops the kept scrape",
    SLOW,
    async () => {
      quietOtherQueues();
      const site = await privateBuilderSite(LISTINGS);
      const { agentIds, sourceId } = await followers(site.url, PER_GROUP + 1);
      const sent = captureIngestion();
      const ingest = await cronRun(sourceId);
      await deliver(ingest);
      const [first, second] = sent.filter((message) => message.type === "apply");
      if (!first || !second) throw new Error("expected two groups");
      await deliver(first);

      await deliver(second, 4, "rltr-mktg-ingestion-dlq");
      await deliver(second, 4, "rltr-mktg-ingestion-dlq");
      expect(await runRow(ingest.runId)).toMatchObject({
        status: "failed",
        failureReason: expect.stringMatching(/could not bring every follower/),
      });
      const notes = await db()
        .select({ agentId: notifications.agentId })
        .from(notifications)
        .where(
          and(inArray(notifications.agentId, agentIds), eq(notifications.eventType, "ingestion_failed")),
        );
      expect(notes).toHaveLength(agentIds.length);
      const kept = await db()
        .select()
        .from(ingestionScrapeParts)
        .where(eq(ingestionScrapeParts.runId, ingest.runId));
      expect(kept).toEqual([]);
      // A late delivery of the dead group changes nothing; its follower is caught up by the next run.
      const late = await deliver(second, 5);
      expect(late.writes("rltr_mktg_listings")).toEqual([]);
      const next = await cronRun(sourceId);
      await deliver(next);
      expect(await countListings(agentIds)).toEqual(agentIds.map(() => LISTINGS));
    },
  );

  it("a failed scrape changes nothing and tells every follower once", async () => {
    quietOtherQueues();
    const site = await privateBuilderSite(8);
    const { agentIds, sourceId } = await followers(site.url, 3);
    const sent = captureIngestion();
    await deliver(await cronRun(sourceId));
    await site.setMode("redesign");
    const broken = await cronRun(sourceId);
    const failed = await deliver(broken);
    expect(sent).toEqual([]);
    expect(failed.writes("rltr_mktg_listings")).toEqual([]);
    expect((await runRow(broken.runId))?.status).toBe("failed");
    await deliver(broken, 2);
    const notes = await db()
      .select({ agentId: notifications.agentId })
      .from(notifications)
      .where(and(inArray(notifications.agentId, agentIds), eq(notifications.eventType, "ingestion_failed")));
    expect(notes.map((note) => note.agentId).sort()).toEqual([...agentIds].sort());
    expect(await countListings(agentIds)).toEqual([8, 8, 8]);
  });
});
