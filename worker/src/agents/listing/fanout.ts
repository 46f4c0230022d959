// Applying one run's scrape to many followers within Workers' and D1's per-invocation limits. A source with
// few followers is applied inside its crawl; beyond one group, the crawl keeps the scrape in D1 and queues
// one `apply` message per group of followers, and each group is one consumer invocation.
import { encodeHexLowerCase } from "@oslojs/encoding";
import {
  agentListingSources,
  ingestionApplyGroups,
  ingestionRuns,
  ingestionScrapeParts,
  listingSources,
} from "db";
import { and, asc, eq, inArray, isNull, lt, ne, or, sql } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { chunk, D1_MAX_PARAMS } from "../../lib/d1";
import { createDb, type Db } from "../../lib/db";
import type { IngestionMessage } from "../../queues/messages";
import { notify } from "../../services/notify";
import { dispatchPendingChanges, failRunningRun, LEASE_MS, notifyFailure } from "./agent";
import { type ApplyCounts, applyScrape, type HashedListing } from "./store";

/** A successful scrape as every follower group applies it. */
export type ScrapePayload = {
  scraped: HashedListing[];
  gone: string[];
  unread: string[];
  discoveryComplete: boolean;
  /** Same digest, same writes: a follower already synced to it is skipped without a read. */
  digest: string;
};

/*
 * The budget, per consumer invocation (Workers Paid): D1 allows 1,000 queries per invocation, and every
 * D1 call and queue send is a subrequest (1,000 counted by D1's page, 10,000 by Workers' own). We count
 * each statement of a db.batch() as one query, which is the safe reading. Applying one follower for a
 * source of L listings costs at worst (every listing changed, each with a marketing event):
 *   1 select of its listings + L updates + ceil(L / 12) change-row inserts (8 columns, 100 parameters)
 *   + 1 follow-row digest update + notify: 1 preference read + ceil((L + 2) / 8) notification inserts
 *   = L + ceil(L / 12) + ceil((L + 2) / 8) + 3 statements, and 1 queue send;
 * a first run (every listing new) is lower: ceil(L / 3) inserts (27 columns) + ceil(L / 12) + 5.
 * L = 100: 100 + 9 + 13 + 3 = 125 statements + 1 send = 126 subrequests per follower.
 * Out of 1,000 we keep 200 for the invocation's own work: a crawl's at most 100 progress writes, a
 * heartbeat every 15 s (60 in the 15-minute consumer limit) and ~10 run statements; or a group's lease,
 * follower read, scrape read, finish and the content dispatch (1 select + 11 updates + 11 sends for 1,000
 * changes). So a group holds floor(800 / 126) = 6 followers at L = 100, and 100 followers are 17 groups
 * (17 messages, one sendBatch). A first run costs ~47 statements per follower (the bench: 296 in the
 * largest group invocation); the bound is for the worst case.
 */
export const D1_QUERIES_PER_INVOCATION = 1_000;
const RESERVED_PER_INVOCATION = 200;

/** Worst-case D1 statements plus queue sends to apply a scrape of `listings` listings to one follower. */
export function subrequestsPerFollower(listings: number): number {
  const changed = listings + Math.ceil(listings / 12) + Math.ceil((listings + 2) / 8) + 3;
  const created = Math.ceil(listings / 3) + Math.ceil(listings / 12) + 5;
  return Math.max(changed, created) + 1;
}

/** How many followers one invocation may apply (at least one; at most what one IN (...) list binds). */
export function followersPerInvocation(listings: number): number {
  const budget = D1_QUERIES_PER_INVOCATION - RESERVED_PER_INVOCATION;
  return Math.max(1, Math.min(D1_MAX_PARAMS - 10, Math.floor(budget / subrequestsPerFollower(listings))));
}

/**
 * How many followers the crawl invocation itself may apply: its page fetches are subrequests too (at most
 * 600 by the crawler's cap), so they come out of the same budget.
 */
export function followersInCrawl(listings: number, pagesFetched: number): number {
  const budget = D1_QUERIES_PER_INVOCATION - RESERVED_PER_INVOCATION - pagesFetched;
  return Math.max(0, Math.floor(budget / subrequestsPerFollower(listings)));
}

/** Order-independent digest of what a scrape would write: listings, provenance and removal evidence. */
export async function scrapeDigest(payload: Omit<ScrapePayload, "digest">): Promise<string> {
  const listings = payload.scraped
    .map(({ listing, hash }) => JSON.stringify([listing.sourceKey, hash, listing.fieldSources]))
    .sort();
  const canonical = JSON.stringify([
    listings,
    [...payload.gone].sort(),
    [...payload.unread].sort(),
    payload.discoveryComplete,
  ]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical));
  return encodeHexLowerCase(new Uint8Array(digest));
}

/** Enabled followers whose copy is not yet synced to `digest` (new followers have none). */
export async function followersToApply(db: Db, sourceId: string, digest: string, among?: string[]) {
  const rows = await db
    .select({ agentId: agentListingSources.agentId })
    .from(agentListingSources)
    .where(
      and(
        eq(agentListingSources.sourceId, sourceId),
        eq(agentListingSources.enabled, true),
        or(isNull(agentListingSources.syncedDigest), ne(agentListingSources.syncedDigest, digest)),
        among ? inArray(agentListingSources.agentId, among) : undefined,
      ),
    )
    .orderBy(asc(agentListingSources.agentId));
  return rows.map((row) => row.agentId);
}

/** One follower: its listings in one D1 batch (with the digest), then its notifications. */
export async function applyToFollower(
  env: Env,
  db: Db,
  input: { agentId: string; sourceId: string; runId: string; payload: ScrapePayload; now: Date },
): Promise<ApplyCounts> {
  const { payload } = input;
  const { notices, ...counts } = await applyScrape(db, {
    agentId: input.agentId,
    sourceId: input.sourceId,
    runId: input.runId,
    scraped: payload.scraped,
    // Removal by evidence, per listing: its own page said it is gone, or a complete discovery missed it.
    // A page that failed to load blocks only its own listing.
    removals: {
      gone: new Set(payload.gone),
      unread: new Set(payload.unread),
      discoveryComplete: payload.discoveryComplete,
    },
    now: input.now,
    syncedDigest: payload.digest,
  });
  await notify(env, notices);
  return counts;
}

// Parts of at most 30,000 UTF-16 units are at most 90 KB of UTF-8: under D1's 100 KB statement size.
const PART_CHARS = 30_000;

function splitParts(text: string): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + PART_CHARS);
    // Never cut a surrogate pair: a lone half would not survive as UTF-8.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}

/**
 * Keeps the scrape and the follower groups in D1 (one batch: either the run is fanned out or not), then
 * queues one `apply` message per group. Once the groups exist the crawl is done: a redelivered `ingest`
 * message does not crawl again.
 */
export async function fanOutApply(
  env: Env,
  db: Db,
  input: { runId: string; sourceId: string; payload: ScrapePayload; groups: string[][] },
) {
  const { runId, sourceId, payload, groups } = input;
  const parts = splitParts(JSON.stringify(payload));
  const [first, ...rest] = [
    ...parts.map((body, part) => db.insert(ingestionScrapeParts).values({ runId, part, body })),
    // drizzle binds all 8 columns of a row: 12 rows stay under 100 parameters.
    ...chunk(
      groups.map((agentIds, groupNo) => ({ runId, groupNo, agentIds })),
      Math.floor(D1_MAX_PARAMS / 8),
    ).map((rows) => db.insert(ingestionApplyGroups).values(rows)),
  ];
  if (first) await db.batch([first, ...rest]);
  try {
    for (const batch of chunk(
      groups.map((_, group) => group),
      100,
    )) {
      await env.INGESTION_QUEUE.sendBatch(
        batch.map((group) => ({
          body: { type: "apply", runId, sourceId, group } satisfies IngestionMessage,
        })),
      );
    }
  } catch (error) {
    // Unqueued groups would never run: undo the fan-out so the retried `ingest` message crawls again.
    await dropKeptScrape(db, runId);
    throw error;
  }
}

/** Whether a run's crawl has handed its followers to apply groups (so it must not be crawled again). */
export const fannedOut = (db: Db, runId: string) =>
  db.select({ one: sql`1` }).from(ingestionApplyGroups).where(eq(ingestionApplyGroups.runId, runId));

/**
 * The consumer of an `apply` message: applies its group unless the group is finished or a live invocation
 * holds it, then finishes the run if this was its last group. Re-applying a follower is harmless (its
 * copy already matches, so it writes nothing), and a follower synced since is skipped.
 */
export async function applyGroup(
  env: Env,
  message: Extract<IngestionMessage, { type: "apply" }>,
  now = Date.now(),
): Promise<"applied" | "skipped"> {
  const db = createDb(env.DB);
  const { runId, sourceId, group } = message;
  const [leased] = await db
    .update(ingestionApplyGroups)
    .set({ leasedAt: new Date(now) })
    .where(
      and(
        eq(ingestionApplyGroups.runId, runId),
        eq(ingestionApplyGroups.groupNo, group),
        isNull(ingestionApplyGroups.finishedAt),
        or(
          isNull(ingestionApplyGroups.leasedAt),
          lt(ingestionApplyGroups.leasedAt, new Date(now - LEASE_MS)),
        ),
      ),
    )
    .returning({ agentIds: ingestionApplyGroups.agentIds });
  if (!leased) return "skipped";
  // The run's heartbeat says it is alive while its groups are applied; a failed run is left alone.
  const [run] = await db
    .update(ingestionRuns)
    .set({ heartbeatAt: new Date(now) })
    .where(and(eq(ingestionRuns.id, runId), eq(ingestionRuns.status, "running")))
    .returning({ startedAt: ingestionRuns.startedAt });
  if (!run) return "skipped";
  const payload = await readScrape(db, runId);
  const totals: ApplyCounts = { new: 0, changed: 0, removed: 0 };
  try {
    for (const agentId of await followersToApply(db, sourceId, payload.digest, leased.agentIds)) {
      const counts = await applyToFollower(env, db, {
        agentId,
        sourceId,
        runId,
        payload,
        now: run.startedAt,
      });
      totals.new += counts.new;
      totals.changed += counts.changed;
      totals.removed += counts.removed;
    }
  } catch (error) {
    // Free the group for the retry at once. What was applied stays applied and is skipped next time, so
    // the run row's totals can miss it; each agent's own counts come from its change rows.
    await db
      .update(ingestionApplyGroups)
      .set({ leasedAt: null })
      .where(and(eq(ingestionApplyGroups.runId, runId), eq(ingestionApplyGroups.groupNo, group)))
      .catch(() => undefined);
    throw error;
  }
  await db
    .update(ingestionApplyGroups)
    .set({
      finishedAt: new Date(),
      listingsNew: totals.new,
      listingsChanged: totals.changed,
      listingsRemoved: totals.removed,
    })
    .where(
      and(
        eq(ingestionApplyGroups.runId, runId),
        eq(ingestionApplyGroups.groupNo, group),
        isNull(ingestionApplyGroups.finishedAt),
      ),
    );
  await finishIfComplete(db, runId);
  // Drafts for this group's changes start now rather than after the last group.
  await dispatchPendingChanges(db, env.CONTENT_QUEUE, leased.agentIds);
  return "applied";
}

async function readScrape(db: Db, runId: string): Promise<ScrapePayload> {
  const parts = await db
    .select({ body: ingestionScrapeParts.body })
    .from(ingestionScrapeParts)
    .where(eq(ingestionScrapeParts.runId, runId))
    .orderBy(asc(ingestionScrapeParts.part));
  if (parts.length === 0) throw new Error(`ingestion run ${runId} has no kept scrape`);
  return JSON.parse(parts.map((part) => part.body).join("")) as ScrapePayload;
}

/** The last group to finish marks the run succeeded with the groups' totals (one atomic statement). */
async function finishIfComplete(db: Db, runId: string) {
  const sum = (column: AnySQLiteColumn) =>
    sql<number>`(select coalesce(sum(${column}), 0) from ${ingestionApplyGroups} where ${ingestionApplyGroups.runId} = ${runId})`;
  const [finished] = await db
    .update(ingestionRuns)
    .set({
      status: "succeeded",
      finishedAt: new Date(),
      heartbeatAt: null,
      listingsNew: sum(ingestionApplyGroups.listingsNew),
      listingsChanged: sum(ingestionApplyGroups.listingsChanged),
      listingsRemoved: sum(ingestionApplyGroups.listingsRemoved),
    })
    .where(
      and(
        eq(ingestionRuns.id, runId),
        eq(ingestionRuns.status, "running"),
        sql`not exists (select 1 from ${ingestionApplyGroups} where ${ingestionApplyGroups.runId} = ${runId} and ${ingestionApplyGroups.finishedAt} is null)`,
      ),
    )
    .returning({ id: ingestionRuns.id });
  if (finished) await dropKeptScrape(db, runId);
}

/** The scrape and groups of a finished run are no longer needed. */
export async function dropKeptScrape(db: Db, runId: string) {
  await db.batch([
    db.delete(ingestionScrapeParts).where(eq(ingestionScrapeParts.runId, runId)),
    db.delete(ingestionApplyGroups).where(eq(ingestionApplyGroups.runId, runId)),
  ]);
}

/** A group that used up its retries: the run fails and its followers hear about it once. */
export async function failApplyGroup(env: Env, message: Extract<IngestionMessage, { type: "apply" }>) {
  const db = createDb(env.DB);
  const reason = "The listing agent could not bring every follower's listings up to date.";
  if (!(await failRunningRun(db, message.runId, reason))) return;
  await dropKeptScrape(db, message.runId);
  const [source] = await db
    .select({ id: listingSources.id, name: listingSources.name })
    .from(listingSources)
    .where(eq(listingSources.id, message.sourceId));
  if (source) await notifyFailure(env, db, source, message.runId, reason);
}
