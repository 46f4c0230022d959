import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { agentListingSources, ingestionRuns, notifications } from "db";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { claimSource } from "../src/agents/listing/agent";
import worker from "../src/index";
import { createDb } from "../src/lib/db";
import { newId } from "../src/lib/ids";
import type { IngestionMessage } from "../src/queues/messages";
import { signedUpBrowser, type TestBrowser } from "./helpers/http";
import { agentFollowing, privateBuilderSite } from "./helpers/listings";

type Run = {
  id: string;
  status: "running" | "succeeded" | "failed";
  trigger: string;
  requestedByYou: boolean;
  pagesFetched: number;
  found: number;
  new: number;
  changed: number;
  removed: number;
  errorCount: number;
  errors: string[];
  failureReason: string | null;
  startedAt: number;
  finishedAt: number | null;
};
type RunsPage = { items: Run[]; nextCursor: string | null };

const db = () => createDb(env.DB);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keeps the queue's real delivery out of the way: the test hands each message to the consumer itself. */
function captureIngestionMessages() {
  const sent: IngestionMessage[] = [];
  vi.spyOn(env.INGESTION_QUEUE, "sendBatch").mockImplementation(async (messages) => {
    for (const message of messages) sent.push(message.body as IngestionMessage);
    return undefined as never;
  });
  vi.spyOn(env.CONTENT_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
  return sent;
}

async function deliver(queue: string, body: IngestionMessage, attempts = 1) {
  const batch = createMessageBatch(queue, [
    { id: `m-${crypto.randomUUID()}`, timestamp: new Date(), attempts, body },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

async function runOf(browser: TestBrowser, id: string) {
  const res = await browser.query<Run>("listings.ingestionRun", { id });
  if (res.status !== 200) throw new Error(`ingestionRun ${res.status}: ${res.error?.message}`);
  return res.data;
}

async function startRun(browser: TestBrowser) {
  const res = await browser.mutate<{ runs: Run[] }>("listings.runIngestionNow");
  expect(res.status).toBe(200);
  return res.data.runs;
}

async function agentWithoutSources() {
  const agent = await signedUpBrowser("No Sources");
  await db().delete(agentListingSources).where(eq(agentListingSources.agentId, agent.agentId));
  return agent;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("listings.runIngestionNow in the background", () => {
  it("answers at once with a running run that the queue consumer then completes, with live progress", async () => {
    const sent = captureIngestionMessages();
    const site = await privateBuilderSite(8);
    // About 150 ms a page: a crawl inside the request would take seconds.
    await site.setMode("normal", 150);
    const agent = await agentFollowing(site.url);

    const began = Date.now();
    const runs = await startRun(agent.browser);
    const answeredInMs = Date.now() - began;
    expect(runs).toHaveLength(1);
    const [started] = runs;
    expect(started).toMatchObject({ status: "running", trigger: "manual", requestedByYou: true });
    expect(started?.pagesFetched).toBe(0);
    expect(answeredInMs).toBeLessThan(1_000);
    expect((await site.state()).totalRequests).toBe(0);
    expect(sent).toEqual([
      { type: "ingest", runId: started?.id, sourceId: agent.sourceId, agentId: agent.agentId },
    ]);
    const [message] = sent;
    if (!started || !message) throw new Error("no run");

    const delivery = deliver("rltr-mktg-ingestion", message);
    // Progress is written while the crawl goes on: pages read climb before the run ends.
    const seen: Run[] = [];
    for (let i = 0; i < 100; i++) {
      const run = await runOf(agent.browser, started.id);
      seen.push(run);
      if (run.status !== "running") break;
      await sleep(100);
    }
    const result = await delivery;
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
    const progress = seen.filter((run) => run.status === "running" && run.pagesFetched > 0);
    expect(progress.length).toBeGreaterThan(0);

    const finished = await runOf(agent.browser, started.id);
    expect(finished).toMatchObject({ status: "succeeded", changed: 0, removed: 0 });
    expect(finished.found).toBeGreaterThan(5);
    expect(finished.new).toBe(finished.found);
    expect(finished.pagesFetched).toBeGreaterThanOrEqual(finished.found);
    expect(finished.finishedAt).toEqual(expect.any(Number));
    expect(Math.max(...progress.map((run) => run.pagesFetched))).toBeLessThanOrEqual(finished.pagesFetched);
    const list = await agent.browser.query<{ items: unknown[] }>("listings.list", {});
    expect(list.data.items).toHaveLength(finished.found);
  });

  it("follows a run that is already going instead of starting a second one, and says so with no sources", async () => {
    const sent = captureIngestionMessages();
    const site = await privateBuilderSite(3);
    const agent = await agentFollowing(site.url);
    const [first] = await startRun(agent.browser);
    const [again] = await startRun(agent.browser);
    expect(again?.id).toBe(first?.id);
    expect(sent).toHaveLength(1);
    const rows = await db().select().from(ingestionRuns).where(eq(ingestionRuns.sourceId, agent.sourceId));
    expect(rows).toHaveLength(1);

    const lonely = await agentWithoutSources();
    expect(await startRun(lonely.browser)).toEqual([]);
    expect(sent).toHaveLength(1);
  });

  it("marks the run failed when the queue refuses the message", async () => {
    const site = await privateBuilderSite(3);
    const agent = await agentFollowing(site.url);
    vi.spyOn(env.INGESTION_QUEUE, "sendBatch").mockRejectedValue(new Error("queue unavailable"));
    const res = await agent.browser.mutate("listings.runIngestionNow");
    expect(res.status).toBe(502);
    expect(res.error?.message).toMatch(/could not be started/);
    const [row] = await db().select().from(ingestionRuns).where(eq(ingestionRuns.sourceId, agent.sourceId));
    expect(row).toMatchObject({ status: "failed", failureReason: "The run could not be started." });
  });
});

describe("the ingestion consumer, delivered at least once", () => {
  it("does nothing for a redelivered message whose run has finished", async () => {
    const sent = captureIngestionMessages();
    const site = await privateBuilderSite(4);
    const agent = await agentFollowing(site.url);
    await startRun(agent.browser);
    const [message] = sent;
    if (!message) throw new Error("no message");
    await deliver("rltr-mktg-ingestion", message);
    const done = await runOf(agent.browser, message.runId);
    expect(done.status).toBe("succeeded");
    const requests = (await site.state()).totalRequests;

    const again = await deliver("rltr-mktg-ingestion", message, 2);
    expect(again.explicitAcks).toHaveLength(1);
    expect((await site.state()).totalRequests).toBe(requests);
    expect(await runOf(agent.browser, message.runId)).toEqual(done);
  });

  it("leaves a run that a live consumer is crawling alone, so the site is crawled once", async () => {
    const sent = captureIngestionMessages();
    const site = await privateBuilderSite(6);
    await site.setMode("normal", 150);
    const agent = await agentFollowing(site.url);
    await startRun(agent.browser);
    const [message] = sent;
    if (!message) throw new Error("no message");

    const first = deliver("rltr-mktg-ingestion", message);
    for (let i = 0; i < 50; i++) {
      const [row] = await db().select().from(ingestionRuns).where(eq(ingestionRuns.id, message.runId));
      if (row?.heartbeatAt) break;
      await sleep(20);
    }
    const duplicate = await deliver("rltr-mktg-ingestion", message, 2);
    expect(duplicate.explicitAcks).toHaveLength(1);
    // The duplicate returned while the first delivery is still crawling.
    expect((await runOf(agent.browser, message.runId)).status).toBe("running");
    await first;
    expect((await runOf(agent.browser, message.runId)).status).toBe("succeeded");
    const { requests } = await site.state();
    expect(Math.max(...Object.values(requests as Record<string, number>))).toBe(1);
  });

  it("takes over a run whose consumer died (stale heartbeat)", async () => {
    const sent = captureIngestionMessages();
    const site = await privateBuilderSite(3);
    const agent = await agentFollowing(site.url);
    await startRun(agent.browser);
    const [message] = sent;
    if (!message) throw new Error("no message");
    await db()
      .update(ingestionRuns)
      .set({ heartbeatAt: new Date(Date.now() - 5 * 60_000) })
      .where(eq(ingestionRuns.id, message.runId));
    await deliver("rltr-mktg-ingestion", message, 2);
    expect(await runOf(agent.browser, message.runId)).toMatchObject({
      status: "succeeded",
      found: expect.any(Number),
    });
  });

  it("a new claim closes a run older than 15 minutes only when its heartbeat has stopped", async () => {
    captureIngestionMessages();
    const site = await privateBuilderSite(3);
    const agent = await agentFollowing(site.url);
    const runId = (await startRun(agent.browser))[0]?.id ?? "";
    const sourceId = (await db().select().from(ingestionRuns).where(eq(ingestionRuns.id, runId)))[0]
      ?.sourceId;
    const now = new Date();
    const age = (startedMinutesAgo: number, heartbeatSecondsAgo: number) =>
      db()
        .update(ingestionRuns)
        .set({
          startedAt: new Date(now.getTime() - startedMinutesAgo * 60_000),
          heartbeatAt: new Date(now.getTime() - heartbeatSecondsAgo * 1000),
        })
        .where(eq(ingestionRuns.id, runId));

    await age(40, 10);
    await expect(claimSource(db(), sourceId ?? "", now, "cron")).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await runOf(agent.browser, runId)).status).toBe("running");

    await age(40, 120);
    const next = await claimSource(db(), sourceId ?? "", now, "cron");
    expect(next).not.toBe(runId);
    expect(await runOf(agent.browser, runId)).toMatchObject({
      status: "failed",
      failureReason: "Interrupted before it finished.",
    });
  });

  it("fails the run with a reason from the dead-letter queue, once", async () => {
    const sent = captureIngestionMessages();
    const site = await privateBuilderSite(3);
    const agent = await agentFollowing(site.url);
    await startRun(agent.browser);
    const [message] = sent;
    if (!message) throw new Error("no message");

    const result = await deliver("rltr-mktg-ingestion-dlq", message, 4);
    expect(result.explicitAcks).toHaveLength(1);
    const failed = await runOf(agent.browser, message.runId);
    expect(failed).toMatchObject({ status: "failed", finishedAt: expect.any(Number) });
    expect(failed.failureReason).toMatch(/could not run this ingestion after several attempts/);
    await deliver("rltr-mktg-ingestion-dlq", message, 4);
    const notes = await db().select().from(notifications).where(eq(notifications.agentId, agent.agentId));
    expect(notes.filter((note) => note.eventType === "ingestion_failed")).toHaveLength(1);

    // A late redelivery of the original message leaves the failed run failed and the site untouched.
    await deliver("rltr-mktg-ingestion", message, 5);
    expect((await runOf(agent.browser, message.runId)).status).toBe("failed");
    expect((await site.state()).totalRequests).toBe(0);
  });

  it("is wired to the real queue: a run started over HTTP finishes without the test delivering it", async () => {
    vi.spyOn(env.CONTENT_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    const site = await privateBuilderSite(3);
    const agent = await agentFollowing(site.url);
    const [started] = await startRun(agent.browser);
    if (!started) throw new Error("no run");
    let run = started;
    for (let i = 0; i < 200 && run.status === "running"; i++) {
      await sleep(100);
      run = await runOf(agent.browser, started.id);
    }
    expect(run.status).toBe("succeeded");
    expect(run.found).toBeGreaterThan(0);
  });
});

describe("listings.ingestionRuns", () => {
  async function seedRuns(sourceId: string, count: number, from: number) {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = newId();
      ids.push(id);
      await db()
        .insert(ingestionRuns)
        .values({
          id,
          sourceId,
          trigger: i % 2 ? "cron" : "manual",
          status: i === 0 ? "failed" : "succeeded",
          // Two runs share a start time, so the cursor must break ties by id.
          startedAt: new Date(from - Math.max(0, i - 1) * 60_000),
          finishedAt: new Date(from - Math.max(0, i - 1) * 60_000 + 5_000),
          pagesFetched: 10 + i,
          listingsFound: 5,
          errorCount: i === 0 ? 2 : 0,
          errors: i === 0 ? ["GET /homes/a: 503", "<b>not markup</b>"] : [],
          failureReason: i === 0 ? "No listings could be extracted." : null,
        });
    }
    return ids;
  }

  it("pages newest first with a cursor, scoped to the sources the agent follows", async () => {
    const mine = await privateBuilderSite(1);
    const theirs = await privateBuilderSite(1);
    const agent = await agentFollowing(mine.url);
    const other = await agentFollowing(theirs.url, "Other Agent");
    const now = Date.now();
    const myRuns = await seedRuns(agent.sourceId, 7, now);
    const theirRuns = await seedRuns(other.sourceId, 3, now);

    const seen: Run[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; data: RunsPage } = await agent.browser.query<RunsPage>(
        "listings.ingestionRuns",
        { limit: 3, ...(cursor && { cursor }) },
      );
      expect(res.status).toBe(200);
      expect(res.data.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.data.items);
      cursor = res.data.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.map((run) => run.id).sort()).toEqual([...myRuns].sort());
    const starts = seen.map((run) => run.startedAt);
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    const failed = seen.find((run) => run.status === "failed");
    expect(failed).toMatchObject({
      errorCount: 2,
      errors: ["GET /homes/a: 503", "<b>not markup</b>"],
      failureReason: "No listings could be extracted.",
    });

    const otherView = await other.browser.query<RunsPage>("listings.ingestionRuns", { limit: 50 });
    expect(otherView.data.items.map((run) => run.id).sort()).toEqual([...theirRuns].sort());
    const stranger = await agentWithoutSources();
    expect((await stranger.browser.query<RunsPage>("listings.ingestionRuns", {})).data.items).toEqual([]);
    for (const id of [myRuns[0], theirRuns[0]]) {
      expect((await stranger.browser.query("listings.ingestionRun", { id })).status).toBe(404);
    }
    expect((await other.browser.query("listings.ingestionRun", { id: myRuns[0] })).status).toBe(404);
  });

  it("refuses a forged cursor and an oversized page", async () => {
    const { browser } = await signedUpBrowser();
    const forged = await browser.query("listings.ingestionRuns", { cursor: "nope" });
    expect(forged.status).toBe(400);
    expect(forged.error?.data.fieldErrors).toEqual({ cursor: ["Invalid cursor"] });
    expect((await browser.query("listings.ingestionRuns", { limit: 500 })).status).toBe(400);
  });
});
