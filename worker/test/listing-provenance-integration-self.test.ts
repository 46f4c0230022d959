import { env } from "cloudflare:workers";
import { listings } from "db";
import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runListingAgent } from "../src/agents/listing/agent";
import { createDb } from "../src/lib/db";
import {
  agentFollowing,
  calmBuilderSites,
  privateBuilderSite,
  recordingEnv,
  writesTo,
} from "./helpers/listings";

type Detail = { id: string; origin: string; fieldSources: Record<string, string> };

afterEach(async () => {
  vi.restoreAllMocks();
  await calmBuilderSites();
});

const quietQueue = () => vi.spyOn(env.CONTENT_QUEUE, "sendBatch").mockResolvedValue(undefined as never);

describe("listings.get: where each field came from", () => {
  it("a scraped listing says which layer read each field, and the owner alone sees it", async () => {
    const site = await privateBuilderSite(12, "spec-list");
    const agent = await agentFollowing(site.url);
    quietQueue();
    await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });
    const home = (await site.homes()).find((h) => h.status === "Under Contract");
    const [row] = await createDb(env.DB)
      .select({ id: listings.id })
      .from(listings)
      .where(and(eq(listings.agentId, agent.agentId), eq(listings.sourceKey, home?.id ?? "")));

    const detail = await agent.browser.query<Detail>("listings.get", { id: row?.id });
    expect(detail.status).toBe(200);
    expect(detail.data.fieldSources).toMatchObject({
      addressLine: "json_ld",
      city: "json_ld",
      community: "json_ld",
      priceCents: "json_ld",
      status: "label",
      planName: "label",
      garage: "label",
      moveInDate: "label",
    });
    const stranger = await agentFollowing(site.url, "Stranger");
    expect((await stranger.browser.query("listings.get", { id: row?.id })).status).toBe(404);
  });

  it("a re-run that reads a page the same way writes nothing; the same facts read another way write only the sources", async () => {
    const site = await privateBuilderSite(12);
    const agent = await agentFollowing(site.url);
    quietQueue();
    await runListingAgent(env, { trigger: "manual", agentId: agent.agentId });

    const same = recordingEnv();
    await runListingAgent(same.env, { trigger: "manual", agentId: agent.agentId });
    expect(writesTo(same.statements, "rltr_mktg_listings")).toEqual([]);

    // The same facts in the older template (no JSON-LD): nothing to tell the agent, but the sources move.
    const home = (await site.homes()).find((h) => !h.edgeCase && h.markup !== "html" && h.incentives === "");
    if (!home) throw new Error("fixture has no plain home without an incentive");
    await site.patchHome(home.slug, { markup: "html" });
    const moved = recordingEnv();
    const [summary] = await runListingAgent(moved.env, { trigger: "manual", agentId: agent.agentId });
    expect(summary).toMatchObject({ status: "succeeded", new: 0, changed: 0, removed: 0 });
    expect(writesTo(moved.statements, "rltr_mktg_listing_changes")).toEqual([]);
    expect(writesTo(moved.statements, "rltr_mktg_listings")).toHaveLength(1);
    const [row] = await createDb(env.DB)
      .select()
      .from(listings)
      .where(and(eq(listings.agentId, agent.agentId), eq(listings.sourceKey, home.id)));
    expect(row?.fieldSources).toMatchObject({ priceCents: "selector", addressLine: "selector" });
  });

  it("a typed-in listing's fields are all the agent's", async () => {
    const site = await privateBuilderSite(1);
    const agent = await agentFollowing(site.url);
    quietQueue();
    const created = await agent.browser.mutate<{ id: string }>("listings.manualUpload", {
      addressLine: "812 Sandpiper Way",
      city: "Kissimmee",
      state: "fl",
      zip: "34746",
      community: "Sandpiper Cove",
      planName: "The Marlin",
      priceCents: 41_299_000,
      beds: 4,
      baths: 2.5,
      sqft: 2145,
      garage: 2,
      status: "available",
      moveInDate: "2027-03-01",
      incentives: "",
      description: "Split plan.",
      imageUrls: ["https://images.example.com/812-front.jpg"],
    });
    expect(created.status).toBe(200);
    const detail = await agent.browser.query<Detail>("listings.get", { id: created.data.id });
    expect(detail.data.origin).toBe("manual");
    expect(new Set(Object.values(detail.data.fieldSources))).toEqual(new Set(["manual"]));
    expect(detail.data.fieldSources).toMatchObject({ addressLine: "manual", priceCents: "manual" });
  });
});
