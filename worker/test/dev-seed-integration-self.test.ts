import { contentPieces, listings } from "db";
import { and, count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { app } from "../src/app";
import { D1_MAX_PARAMS } from "../src/lib/d1";
import { db } from "./helpers/content";
import { recordingD1Env } from "./helpers/d1-recorder";
import { APP_ORIGIN, signedUpBrowser, type TestBrowser } from "./helpers/http";

/** dev.seedListings through the whole app, with the given DEV_TOOLS_ENABLED and a recording D1. */
async function seed(browser: TestBrowser, input: unknown, devTools = "true") {
  const recorder = recordingD1Env();
  const response = await app.request(
    `${APP_ORIGIN}/api/trpc/dev.seedListings`,
    {
      method: "POST",
      headers: {
        Origin: APP_ORIGIN,
        "Content-Type": "application/json",
        "CF-Connecting-IP": browser.ip,
        Cookie: `rm_session=${browser.cookies.get("rm_session")}`,
      },
      body: JSON.stringify(input),
    },
    { ...recorder.env, DEV_TOOLS_ENABLED: devTools },
  );
  const body = (await response.json()) as { result?: { data: unknown }; error?: { data: { code: string } } };
  return { status: response.status, data: body.result?.data, code: body.error?.data.code, ...recorder };
}

describe("dev.seedListings", () => {
  it("gives the signed-in agent 1000 listings with 3000 pending drafts in one batch under D1's limits", {
    timeout: 30_000,
  }, async () => {
    const { browser, agentId } = await signedUpBrowser();
    const other = await signedUpBrowser();
    const started = Date.now();
    const seeded = await seed(browser, { count: 1000 });
    const elapsed = Date.now() - started;
    expect(seeded.status).toBe(200);
    expect(seeded.data).toMatchObject({ listings: 1000, pieces: 3000 });
    const { statements } = seeded.data as { statements: number };

    const inserts = seeded.recording.statements.filter((statement) => /^insert/i.test(statement.sql));
    expect(inserts).toHaveLength(statements);
    expect(inserts.every((statement) => statement.via === "batch")).toBe(true);
    expect(Math.max(...inserts.map((statement) => statement.params.length))).toBeLessThanOrEqual(
      D1_MAX_PARAMS,
    );
    // Within a Workers Paid invocation's 1000 queries, with room for the session lookup.
    expect(inserts.length).toBeLessThan(1000);
    console.log(`dev.seedListings 1000: ${statements} statements, ${elapsed} ms`);

    const countOf = async (table: typeof listings | typeof contentPieces, agent: string) => {
      const [row] = await db().select({ n: count() }).from(table).where(eq(table.agentId, agent));
      return row?.n;
    };
    expect(await countOf(listings, agentId)).toBe(1000);
    const [pending] = await db()
      .select({ n: count() })
      .from(contentPieces)
      .where(and(eq(contentPieces.agentId, agentId), eq(contentPieces.status, "pending_approval")));
    expect(pending?.n).toBe(3000);
    expect(await countOf(listings, other.agentId)).toBe(0);

    expect((await seed(browser, { count: 1001 })).code).toBe("BAD_REQUEST");
    expect((await seed(browser, { count: 0 })).code).toBe("BAD_REQUEST");
    expect((await seed(browser, { count: 1 }, "false")).status).toBe(404);
    expect(await countOf(listings, agentId)).toBe(1000);
  });
});
