import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { rateLimits, sessions } from "db";
import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import worker from "../src/index";
import { createDb } from "../src/lib/db";
import { hitRateLimit } from "../src/services/rate-limit";
import { signedUpBrowser } from "./helpers/http";

it("the cron tick deletes expired sessions and stale rate-limit windows, keeping live ones", async () => {
  const db = createDb(env.DB);
  const expired = await signedUpBrowser();
  const live = await signedUpBrowser();
  await db
    .update(sessions)
    .set({ expiresAt: new Date(Date.now() - 1) })
    .where(eq(sessions.agentId, expired.agentId));
  await hitRateLimit(db, "stale-key", { limit: 1, windowMs: 60_000 }, Date.now() - 3 * 24 * 3600_000);
  await hitRateLimit(db, "fresh-key", { limit: 1, windowMs: 60_000 });

  const ctx = createExecutionContext();
  worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/30 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);

  expect(await db.select().from(sessions).where(eq(sessions.agentId, expired.agentId))).toHaveLength(0);
  expect(await db.select().from(sessions).where(eq(sessions.agentId, live.agentId))).toHaveLength(1);
  expect(await db.select().from(rateLimits).where(eq(rateLimits.key, "stale-key"))).toHaveLength(0);
  expect(await db.select().from(rateLimits).where(eq(rateLimits.key, "fresh-key"))).toHaveLength(1);
});
