import { sessions } from "db";
import { lt } from "drizzle-orm";
import { queueCronIngestion } from "./agents/listing/agent";
import { catchUpInsights, readPostInsights } from "./agents/social/insights";
import { createDb } from "./lib/db";
import { closeSessionSockets } from "./routes/notifications";
import { pruneRateLimits } from "./services/rate-limit";
import { sweepContent } from "./services/sweeper";

/** wrangler.toml's crons: the sweeper every 5 minutes, so stuck work is caught soon after its 15-minute
 * deadline; housekeeping and the listing agent every 30; post metrics once a day. */
export const SWEEP_CRON = "*/5 * * * *";
/** The daily post-performance reading (07:15 UTC, before Chris's morning in Florida); the 30-minute cron
 * catches up on new and deferred posts. */
export const INSIGHTS_CRON = "15 7 * * *";

/** Cron entry point: the content sweeper; on the 30-minute cron also housekeeping and the listing agent. */
export async function runScheduled(controller: ScheduledController, env: Env) {
  if (controller.cron === SWEEP_CRON) {
    await sweepContent(env, controller.scheduledTime);
    return;
  }
  if (controller.cron === INSIGHTS_CRON) {
    await readPostInsights(env, { now: controller.scheduledTime });
    return;
  }
  await runHousekeeping(env, controller.scheduledTime);
  // Stuck drafts and unsent outbox rows; a failure here must not keep the listing agent from running.
  await sweepContent(env, controller.scheduledTime).catch((error: unknown) =>
    console.error("content sweeper failed", error),
  );
  // One ingest message per followed source: each is crawled by its own queue invocation, not this one.
  await queueCronIngestion(env, controller.scheduledTime);
  // First readings of new posts and deferred ones; the daily run is the main one.
  await catchUpInsights(env, controller.scheduledTime).catch((error: unknown) =>
    console.error("insights catch-up failed", error),
  );
}

/** Expired sessions (and their open bell sockets) and stale rate-limit windows. */
export async function runHousekeeping(env: Env, at: number) {
  const db = createDb(env.DB);
  const now = new Date(at);
  const expired = await db
    .delete(sessions)
    .where(lt(sessions.expiresAt, now))
    .returning({ id: sessions.id, agentId: sessions.agentId });
  // An expired session's open bell sockets close too (a few at a time: one hub call each).
  for (let i = 0; i < expired.length; i += 20) {
    await Promise.all(
      expired.slice(i, i + 20).map((session) => closeSessionSockets(env, session.agentId, session.id)),
    );
  }
  await pruneRateLimits(db, new Date(now.getTime() - 24 * 60 * 60 * 1000));
}
