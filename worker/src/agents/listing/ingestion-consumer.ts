// The background half of every ingestion: "Run ingestion now" and the 30-minute cron claim runs and queue
// them, this consumer crawls one source per invocation and, for a source with many followers, applies one
// follower group per `apply` message (fanout.ts). Delivery is at least once, so the rows decide: a finished
// run, one a live consumer is still crawling (its heartbeat is fresh) or one already fanned out is left
// alone; one whose consumer died is taken over. A finished group is not applied again.
import { ingestionRuns, listingSources } from "db";
import { and, eq, isNull, lt, notExists, or } from "drizzle-orm";
import { createDb, type Db } from "../../lib/db";
import type { IngestionMessage } from "../../queues/messages";
import { notify } from "../../services/notify";
import { failRunningRun, LEASE_MS, notifyFailure, runListingAgent } from "./agent";
import { applyGroup, failApplyGroup, fannedOut } from "./fanout";

type IngestMessage = Extract<IngestionMessage, { type: "ingest" }>;

const HEARTBEAT_MS = 15_000;

export async function consumeIngestionBatch(batch: MessageBatch<IngestionMessage>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    try {
      const body = message.body;
      await (body.type === "apply" ? applyGroup(env, body) : crawlClaimedRun(env, body));
      message.ack();
    } catch (error) {
      console.error("ingestion consumer: will retry", message.body.runId, error);
      message.retry({ delaySeconds: Math.min(300, 10 * 2 ** (message.attempts - 1)) });
    }
  }
}

/** Messages that used up their retries: the run fails with a reason instead of staying "running". */
export async function consumeIngestionDeadLetters(
  batch: MessageBatch<IngestionMessage>,
  env: Env,
): Promise<void> {
  const db = createDb(env.DB);
  for (const message of batch.messages) {
    const body = message.body;
    if (body.type === "apply") await failApplyGroup(env, body);
    else
      await failRun(env, db, body, "The listing agent could not run this ingestion after several attempts.");
    message.ack();
  }
}

/** Crawls the run named by the message unless it is finished or a live consumer holds it. */
export async function crawlClaimedRun(env: Env, message: IngestMessage): Promise<"crawled" | "skipped"> {
  const db = createDb(env.DB);
  if (!(await takeLease(db, message.runId))) return "skipped";
  const heartbeat = setInterval(() => {
    void renewLease(db, message.runId).catch((error) => console.warn("ingestion heartbeat failed", error));
  }, HEARTBEAT_MS);
  try {
    const summaries = await runListingAgent(env, {
      trigger: message.agentId ? "manual" : "cron",
      agentId: message.agentId,
      sourceIds: [message.sourceId],
      claimedRuns: { [message.sourceId]: message.runId },
      fanOut: true,
    });
    // The agent stopped following the source (or it was disabled) after asking: nothing was crawled.
    if (!summaries.some((summary) => summary.runId === message.runId)) {
      const reason = message.agentId
        ? "The builder site is no longer among your sources."
        : "No agent follows this builder site any more.";
      await failRun(env, db, message, reason);
    }
  } catch (error) {
    // Let the retry take the run over at once rather than wait for the lease to lapse.
    await db
      .update(ingestionRuns)
      .set({ heartbeatAt: null })
      .where(and(eq(ingestionRuns.id, message.runId), eq(ingestionRuns.status, "running")))
      .catch(() => undefined);
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
  return "crawled";
}

/** Atomically marks the run as held by this consumer; false when it is finished or held by a live one. */
async function takeLease(db: Db, runId: string, now = Date.now()): Promise<boolean> {
  const taken = await db
    .update(ingestionRuns)
    .set({ heartbeatAt: new Date(now) })
    .where(
      and(
        eq(ingestionRuns.id, runId),
        eq(ingestionRuns.status, "running"),
        or(isNull(ingestionRuns.heartbeatAt), lt(ingestionRuns.heartbeatAt, new Date(now - LEASE_MS))),
        // A crawl that handed its followers to apply groups is done, whatever its heartbeat says.
        notExists(fannedOut(db, runId)),
      ),
    )
    .returning({ id: ingestionRuns.id });
  return taken.length > 0;
}

async function renewLease(db: Db, runId: string) {
  await db
    .update(ingestionRuns)
    .set({ heartbeatAt: new Date() })
    .where(and(eq(ingestionRuns.id, runId), eq(ingestionRuns.status, "running")));
}

async function failRun(env: Env, db: Db, message: IngestMessage, reason: string) {
  if (!(await failRunningRun(db, message.runId, reason))) return;
  // The cron's run names nobody: every follower hears once.
  if (!message.agentId) {
    const [source] = await db
      .select({ id: listingSources.id, name: listingSources.name })
      .from(listingSources)
      .where(eq(listingSources.id, message.sourceId));
    if (source) await notifyFailure(env, db, source, message.runId, reason);
    return;
  }
  await notify(env, {
    agentId: message.agentId,
    event: "ingestion_failed",
    title: "Your listing update failed",
    body: reason,
    link: "/listings/runs",
    dedupeKey: `ingestion:${message.runId}:${message.agentId}:failed`,
  });
}
