import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../src/lib/db";
import { ServiceError } from "../src/lib/errors";
import { consumeRateLimit, resetRateLimit } from "../src/services/rate-limit";

const rule = { limit: 3, windowMs: 60_000 };
const t0 = 1_800_000_000_000;

describe("fixed-window rate limit in D1", () => {
  it("allows `limit` calls per window, refuses the next with a retry time, and opens a new window", async () => {
    const db = createDb(env.DB);
    const key = `unit:${crypto.randomUUID()}`;
    for (let i = 0; i < 3; i++) await consumeRateLimit(db, key, rule, "slow down", t0 + i);
    const refused = await consumeRateLimit(db, key, rule, "slow down", t0 + 10_000).catch((e) => e);
    expect(refused).toBeInstanceOf(ServiceError);
    expect(refused).toMatchObject({ code: "TOO_MANY_REQUESTS", details: { retryAfterSeconds: 50 } });
    await expect(consumeRateLimit(db, key, rule, "slow down", t0 + 20_000)).rejects.toThrow("slow down");
    await expect(consumeRateLimit(db, key, rule, "slow down", t0 + 60_000)).resolves.toBeUndefined();
  });

  it("counts concurrent hits exactly", async () => {
    const db = createDb(env.DB);
    const key = `unit:${crypto.randomUUID()}`;
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => consumeRateLimit(db, key, rule, "slow down", t0)),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
  });

  it("reset clears the window", async () => {
    const db = createDb(env.DB);
    const key = `unit:${crypto.randomUUID()}`;
    for (let i = 0; i < 3; i++) await consumeRateLimit(db, key, rule, "x", t0);
    await resetRateLimit(db, key);
    await expect(consumeRateLimit(db, key, rule, "x", t0)).resolves.toBeUndefined();
  });
});
