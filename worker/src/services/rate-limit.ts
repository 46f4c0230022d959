import { rateLimits } from "db";
import { eq, sql } from "drizzle-orm";
import type { Db } from "../lib/db";
import { ServiceError } from "../lib/errors";

export type RateLimitRule = { limit: number; windowMs: number };

/** Fixed-window counter in D1. The single upsert is atomic, so concurrent hits count correctly. */
export async function hitRateLimit(db: Db, key: string, rule: RateLimitRule, now = Date.now()) {
  const windowStart = new Date(now - (now % rule.windowMs));
  const [row] = await db
    .insert(rateLimits)
    .values({ key, windowStart, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${rateLimits.windowStart} = ${windowStart.getTime()} then ${rateLimits.count} + 1 else 1 end`,
        windowStart,
      },
    })
    .returning({ count: rateLimits.count });
  return {
    count: row?.count ?? 1,
    retryAfterSeconds: Math.ceil((windowStart.getTime() + rule.windowMs - now) / 1000),
  };
}

/** Counts the call first, atomically, and throws once it goes over the limit. */
export async function consumeRateLimit(
  db: Db,
  key: string,
  rule: RateLimitRule,
  message: string,
  now = Date.now(),
) {
  const { count, retryAfterSeconds } = await hitRateLimit(db, key, rule, now);
  if (count > rule.limit) throw new ServiceError("TOO_MANY_REQUESTS", message, { retryAfterSeconds });
}

export async function resetRateLimit(db: Db, key: string) {
  await db.delete(rateLimits).where(eq(rateLimits.key, key));
}

export async function pruneRateLimits(db: Db, olderThan: Date) {
  await db.delete(rateLimits).where(sql`${rateLimits.windowStart} < ${olderThan.getTime()}`);
}
