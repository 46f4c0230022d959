import { env } from "cloudflare:workers";
import { agents, contentPieces, listings } from "db";
import { and, eq } from "drizzle-orm";
import { expect, vi } from "vitest";
import { runListingAgent } from "../../src/agents/listing/agent";
import { createDb } from "../../src/lib/db";
import { agentFollowing, privateBuilderSite } from "./listings";

export const db = () => createDb(env.DB);

/**
 * An agent with a brokerage and a few scraped listings (from a private fake builder site).
 */
export async function agentWithListings(count = 3, autoDraft = false) {
  const site = await privateBuilderSite(count);
  const agent = await agentFollowing(site.url, "Chris Morgan");
  await db()
    .update(agents)
    .set({
      brokerageName: "Sunshine Realty",
      phone: "(407) 555-0100",
      marketingEmail: "marketing@sunshine.example",
      autoDraftNewListings: autoDraft,
    })
    .where(eq(agents.id, agent.agentId));
  // The ingestion's own queue messages are swallowed, so only what a test sends gets drafted.
  const swallow = vi.spyOn(env.CONTENT_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
  await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });
  swallow.mockRestore();
  const rows = await db().select().from(listings).where(eq(listings.agentId, agent.agentId));
  return { ...agent, site, listings: rows };
}

export const piecesOf = (agentId: string, listingId?: string) =>
  db()
    .select()
    .from(contentPieces)
    .where(
      and(eq(contentPieces.agentId, agentId), listingId ? eq(contentPieces.listingId, listingId) : undefined),
    );

/** Waits for the real queue consumer to move pieces out of `generating`. */
export async function settled(agentId: string, listingId?: string, timeout = 15_000) {
  await expect
    .poll(
      async () =>
        (await piecesOf(agentId, listingId)).filter((piece) => piece.status === "generating").length,
      {
        timeout,
        interval: 200,
      },
    )
    .toBe(0);
  return piecesOf(agentId, listingId);
}
