import {
  agentListingSources,
  ingestionApplyGroups,
  ingestionRuns,
  ingestionScrapeParts,
  listingChanges,
  listingSources,
} from "db";
import { and, desc, eq, inArray, isNull, lt, ne, or, sql } from "drizzle-orm";
import { chunk, D1_MAX_PARAMS } from "../../lib/d1";
import type { Db } from "../../lib/db";
import { createDb } from "../../lib/db";
import { ServiceError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { ContentGenerationMessage, IngestionMessage } from "../../queues/messages";
import { notify } from "../../services/notify";
import { contentHash } from "./changes";
import {
  applyToFollower,
  fanOutApply,
  followersInCrawl,
  followersPerInvocation,
  followersToApply,
  type ScrapePayload,
  scrapeDigest,
} from "./fanout";
import { scrapeSource } from "./scrape";
import type { ApplyCounts } from "./store";

export const USER_AGENT = "RealtorMarketingBot/1.0 (+listing agent; contact via the agent's brokerage)";
const STALE_RUN_MS = 15 * 60_000;
/** A run heartbeat (ingestion-consumer) older than this means the consumer that held the run is gone. */
export const LEASE_MS = 60_000;
/** A run that finds less than this share of the last good run's listings is treated as a broken scrape. */
const MIN_SHARE_OF_PREVIOUS = 0.5;

export type RunSummary = {
  runId: string;
  sourceId: string;
  /** "running": the crawl is done and its follower groups are queued (fanOut); the last group finishes it. */
  status: "succeeded" | "failed" | "running";
  pagesFetched: number;
  found: number;
  failureReason: string | null;
} & ApplyCounts;

export type RunTrigger = "cron" | "manual";

export type RunOptions = {
  trigger: RunTrigger;
  agentId?: string;
  /** Only these sources (still only those someone follows). */
  sourceIds?: string[];
  /** Runs already claimed with `claimSource` (status 'running'), by source id: used instead of claiming. */
  claimedRuns?: Record<string, string>;
  /**
   * Queue the followers in `apply` groups when there are more than one invocation may apply (the queue
   * consumer); without it every follower is applied here (tests and benchmarks that call the agent).
   */
  fanOut?: boolean;
  now?: number;
  fetch?: typeof fetch;
};

/** Live progress is written to the run row at most this often (and once at the end). */
const PROGRESS_INTERVAL_MS = 1_000;
/** ...and at most this many times per crawl, so a slow site cannot eat the invocation's D1 budget. */
const MAX_PROGRESS_WRITES = 100;

/**
 * The listing agent, in this invocation: for every followed source, scrape it once, then bring each
 * follower's listings up to date and hand the marketing events to the content agent. Followers already
 * synced to an identical scrape are skipped (no read, no write). A scrape that finds nothing, or far fewer
 * homes than the last good run, fails the run and changes no listing. The cron does not call this: it
 * queues one `ingest` message per source (queueCronIngestion) and the consumer crawls each on its own.
 */
export async function runListingAgent(env: Env, options: RunOptions): Promise<RunSummary[]> {
  const db = createDb(env.DB);
  const wanted = options.sourceIds ? new Set(options.sourceIds) : null;
  const sources = (await followedSources(db, options.agentId)).filter((s) => !wanted || wanted.has(s.id));
  const summaries: RunSummary[] = [];
  for (const source of sources) {
    try {
      summaries.push(await ingestSource(env, db, source, options));
    } catch (error) {
      // The cron skips a source that a manual run is already ingesting; a manual caller hears about it.
      if (options.trigger === "cron" && error instanceof ServiceError && error.code === "CONFLICT") continue;
      throw error;
    }
  }
  await dispatchPendingChanges(db, env.CONTENT_QUEUE);
  return summaries;
}

async function followedSources(db: Db, agentId?: string) {
  const rows = await db
    .selectDistinct({
      id: listingSources.id,
      adapter: listingSources.adapter,
      baseUrl: listingSources.baseUrl,
      name: listingSources.name,
    })
    .from(listingSources)
    .innerJoin(agentListingSources, eq(agentListingSources.sourceId, listingSources.id))
    .where(
      and(
        eq(agentListingSources.enabled, true),
        agentId ? eq(agentListingSources.agentId, agentId) : undefined,
      ),
    );
  return rows;
}

async function ingestSource(
  env: Env,
  db: Db,
  source: { id: string; adapter: string; baseUrl: string; name: string },
  options: RunOptions,
): Promise<RunSummary> {
  const startedAt = new Date(options.now ?? Date.now());
  const runId =
    options.claimedRuns?.[source.id] ?? (await claimSource(db, source.id, startedAt, options.trigger));

  const summary: RunSummary = {
    runId,
    sourceId: source.id,
    status: "failed",
    pagesFetched: 0,
    found: 0,
    new: 0,
    changed: 0,
    removed: 0,
    failureReason: null,
  };
  let errors: string[] = [];
  let recorded: ApplyCounts = { new: 0, changed: 0, removed: 0 };
  const progress = progressWriter(db, runId);
  try {
    const scrape = await scrapeSource({
      baseUrl: source.baseUrl,
      adapter: source.adapter,
      userAgent: USER_AGENT,
      fetch: options.fetch,
      onProgress: progress.report,
    });
    await progress.settle();
    errors = scrape.errors;
    summary.pagesFetched = scrape.pagesFetched;
    summary.found = scrape.listings.length;
    summary.failureReason = await judgeScrape(db, source.id, scrape.listings.length);
    if (!summary.failureReason) {
      const scraped = await Promise.all(
        scrape.listings.map(async (listing) => ({ listing, hash: await contentHash(listing) })),
      );
      const evidence = { scraped, gone: scrape.gone, unread: scrape.unread };
      const payload: ScrapePayload = {
        ...evidence,
        discoveryComplete: scrape.discoveryComplete,
        digest: await scrapeDigest({ ...evidence, discoveryComplete: scrape.discoveryComplete }),
      };
      const pending = await followersToApply(db, source.id, payload.digest);
      if (options.fanOut && pending.length > followersInCrawl(scraped.length, scrape.pagesFetched)) {
        await recordCrawl(db, runId, scrape);
        await fanOutApply(env, db, {
          runId,
          sourceId: source.id,
          payload,
          groups: chunk(pending, followersPerInvocation(scraped.length)),
        });
        summary.status = "running";
        return summary;
      }
      const totals: ApplyCounts = { new: 0, changed: 0, removed: 0 };
      for (const agentId of pending) {
        const counts = await applyToFollower(env, db, {
          agentId,
          sourceId: source.id,
          runId,
          payload,
          now: startedAt,
        });
        totals.new += counts.new;
        totals.changed += counts.changed;
        totals.removed += counts.removed;
        // A manual run reports what changed for the agent who asked; the run row keeps the totals.
        if (agentId === options.agentId) Object.assign(summary, counts);
      }
      recorded = totals;
      if (!options.agentId) Object.assign(summary, totals);
      summary.status = "succeeded";
    }
  } catch (error) {
    await progress.settle();
    summary.failureReason = `Ingestion crashed: ${error instanceof Error ? error.message : String(error)}`;
    console.error("listing agent run failed", source.baseUrl, error);
  }

  await db
    .update(ingestionRuns)
    .set({
      status: summary.status,
      finishedAt: new Date(),
      pagesFetched: summary.pagesFetched,
      listingsFound: summary.found,
      listingsNew: recorded.new,
      listingsChanged: recorded.changed,
      listingsRemoved: recorded.removed,
      errorCount: errors.length,
      errors: errors.slice(0, 50),
      failureReason: summary.failureReason,
    })
    .where(eq(ingestionRuns.id, runId));
  if (summary.status === "failed") await notifyFailure(env, db, source, runId, summary.failureReason ?? "");
  return summary;
}

/** What the crawl found, on the run row, before its follower groups are applied. */
async function recordCrawl(
  db: Db,
  runId: string,
  scrape: { pagesFetched: number; listings: unknown[]; errors: string[] },
) {
  await db
    .update(ingestionRuns)
    .set({
      pagesFetched: scrape.pagesFetched,
      listingsFound: scrape.listings.length,
      errorCount: scrape.errors.length,
      errors: scrape.errors.slice(0, 50),
      heartbeatAt: new Date(),
    })
    .where(eq(ingestionRuns.id, runId));
}

/** Fails a run that is still running (a finished one keeps its result); true when this call failed it. */
export async function failRunningRun(db: Db, runId: string, reason: string): Promise<boolean> {
  const failed = await db
    .update(ingestionRuns)
    .set({ status: "failed", finishedAt: new Date(), failureReason: reason, heartbeatAt: null })
    .where(and(eq(ingestionRuns.id, runId), eq(ingestionRuns.status, "running")))
    .returning({ id: ingestionRuns.id });
  return failed.length > 0;
}

/**
 * Queues claimed runs (at most 100: one sendBatch), one `ingest` message each, naming the agent who asked
 * (none for the cron). If the send fails the runs are failed at once rather than left "running" until
 * they go stale; returns whether they were queued.
 */
export async function queueClaimedRuns(
  db: Db,
  queue: Queue<IngestionMessage>,
  runs: readonly { runId: string; sourceId: string }[],
  agentId?: string,
): Promise<boolean> {
  try {
    await queue.sendBatch(
      runs.map(({ runId, sourceId }) => ({
        body: { type: "ingest", runId, sourceId, ...(agentId && { agentId }) } satisfies IngestionMessage,
      })),
    );
    return true;
  } catch (error) {
    console.error("listing agent: runs not queued", runs.length, error);
    await db
      .update(ingestionRuns)
      .set({ status: "failed", finishedAt: new Date(), failureReason: "The run could not be started." })
      .where(
        inArray(
          ingestionRuns.id,
          runs.map((run) => run.runId),
        ),
      );
    return false;
  }
}

/**
 * The 30-minute cron: claims a run for every followed source and queues one `ingest` message per source
 * (sendBatch takes 100), so each source is crawled by its own consumer invocation and this one crawls
 * nothing. A source already being ingested is skipped. D1: 1 read + 2 statements per source (claim), so
 * one tick can start about 450 sources within 1,000 queries. Returns the runs it queued.
 */
export async function queueCronIngestion(env: Env, now: number) {
  const db = createDb(env.DB);
  const startedAt = new Date(now);
  const claimed: { runId: string; sourceId: string }[] = [];
  for (const source of await followedSources(db)) {
    try {
      claimed.push({ runId: await claimSource(db, source.id, startedAt, "cron"), sourceId: source.id });
    } catch (error) {
      if (!(error instanceof ServiceError && error.code === "CONFLICT")) throw error;
    }
  }
  for (const batch of chunk(claimed, 100)) await queueClaimedRuns(db, env.INGESTION_QUEUE, batch);
  // The outbox: events a crashed run left undispatched are handed over here.
  await dispatchPendingChanges(db, env.CONTENT_QUEUE);
  return claimed;
}

/**
 * Writes pages fetched / listings found to the running row at most once a second, so a page can poll it;
 * one write at a time, and `settle` waits for the last one before the final update.
 */
function progressWriter(db: Db, runId: string) {
  let last = 0;
  let writes = 0;
  let pending: Promise<unknown> = Promise.resolve();
  let writing = false;
  return {
    report(pagesFetched: number, listingsFound: number) {
      const now = Date.now();
      if (writing || now - last < PROGRESS_INTERVAL_MS || writes >= MAX_PROGRESS_WRITES) return;
      last = now;
      writes++;
      writing = true;
      pending = db
        .update(ingestionRuns)
        .set({ pagesFetched, listingsFound })
        .where(and(eq(ingestionRuns.id, runId), eq(ingestionRuns.status, "running")))
        .catch((error) => console.warn("progress write failed", error))
        .finally(() => {
          writing = false;
        });
    },
    settle: () => pending,
  };
}

/** Null when the scrape can be trusted; otherwise why the run fails. */
async function judgeScrape(db: Db, sourceId: string, found: number): Promise<string | null> {
  if (found === 0) return "No listings could be extracted (the site may be down or its layout changed).";
  const [previous] = await db
    .select({ found: ingestionRuns.listingsFound })
    .from(ingestionRuns)
    .where(and(eq(ingestionRuns.sourceId, sourceId), eq(ingestionRuns.status, "succeeded")))
    .orderBy(desc(ingestionRuns.startedAt))
    .limit(1);
  if (previous && found < Math.ceil(previous.found * MIN_SHARE_OF_PREVIOUS)) {
    return `Only ${found} listings found where the last good run found ${previous.found}; nothing was marked off-market.`;
  }
  return null;
}

/**
 * One run per source at a time: the run row is inserted only if no other run is live (one atomic
 * statement, so two racing triggers cannot both start); a run stuck for 15 minutes is closed first.
 */
export async function claimSource(db: Db, sourceId: string, now: Date, trigger: RunTrigger): Promise<string> {
  const closed = await db
    .update(ingestionRuns)
    .set({ status: "failed", finishedAt: now, failureReason: "Interrupted before it finished." })
    .where(
      and(
        eq(ingestionRuns.sourceId, sourceId),
        eq(ingestionRuns.status, "running"),
        lt(ingestionRuns.startedAt, new Date(now.getTime() - STALE_RUN_MS)),
        // A queued crawl that still beats its heartbeat is alive, however long it has been going.
        or(
          isNull(ingestionRuns.heartbeatAt),
          lt(ingestionRuns.heartbeatAt, new Date(now.getTime() - LEASE_MS)),
        ),
      ),
    );
  if (closed.meta.changes > 0) await dropScrapesOfClosedRuns(db, sourceId);
  const runId = newId();
  const result = await db.run(sql`
    insert into ${ingestionRuns} (id, source_id, "trigger", status, started_at)
    select ${runId}, ${sourceId}, ${trigger}, 'running', ${now.getTime()}
    where not exists (
      select 1 from ${ingestionRuns} where source_id = ${sourceId} and status = 'running'
    )`);
  if (result.meta.changes === 0) {
    throw new ServiceError("CONFLICT", "An ingestion run for this source is already in progress.");
  }
  return runId;
}

/** Kept scrapes and apply groups of a source's runs that ended without their last group (closed stale). */
async function dropScrapesOfClosedRuns(db: Db, sourceId: string) {
  const closedRuns = db
    .select({ id: ingestionRuns.id })
    .from(ingestionRuns)
    .where(and(eq(ingestionRuns.sourceId, sourceId), ne(ingestionRuns.status, "running")));
  await db.batch([
    db.delete(ingestionScrapeParts).where(inArray(ingestionScrapeParts.runId, closedRuns)),
    db.delete(ingestionApplyGroups).where(inArray(ingestionApplyGroups.runId, closedRuns)),
  ]);
}

/** Every follower of the source hears once (keyed by run) that its run failed. */
export async function notifyFailure(
  env: Env,
  db: Db,
  source: { id: string; name: string },
  runId: string,
  reason: string,
) {
  const followers = await db
    .select({ agentId: agentListingSources.agentId })
    .from(agentListingSources)
    .where(eq(agentListingSources.sourceId, source.id));
  await notify(
    env,
    followers.map(({ agentId }) => ({
      agentId,
      event: "ingestion_failed" as const,
      title: `Listing update from ${source.name} failed`,
      body: reason,
      link: "/",
      dedupeKey: `ingestion:${runId}:${agentId}:failed`,
    })),
  );
}

/**
 * Hands every undispatched marketing event to the content agent (an outbox: a crash between the listing
 * writes and the queue send is repaired by the next run). The consumer recognises redeliveries by key.
 */
export async function dispatchPendingChanges(
  db: Db,
  queue: Queue<ContentGenerationMessage>,
  /** Only these agents' changes (an apply group's), so concurrent groups do not send each other's. */
  agentIds?: string[],
) {
  const pending = await db
    .select({
      id: listingChanges.id,
      agentId: listingChanges.agentId,
      listingId: listingChanges.listingId,
      events: listingChanges.events,
    })
    .from(listingChanges)
    .where(
      and(
        isNull(listingChanges.dispatchedAt),
        agentIds ? inArray(listingChanges.agentId, agentIds) : undefined,
      ),
    )
    .limit(1000);
  // Queues take at most 100 messages per sendBatch; D1 at most 100 bound parameters per statement.
  for (const batch of chunk(pending, D1_MAX_PARAMS - 1)) {
    await queue.sendBatch(
      batch.map((change) => ({
        body: {
          type: "listing_event",
          key: `change:${change.id}`,
          agentId: change.agentId,
          listingId: change.listingId,
          changeId: change.id,
          events: change.events,
        } satisfies ContentGenerationMessage,
      })),
    );
    await db
      .update(listingChanges)
      .set({ dispatchedAt: new Date() })
      .where(
        inArray(
          listingChanges.id,
          batch.map((change) => change.id),
        ),
      );
  }
}
