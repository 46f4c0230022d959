import { env } from "cloudflare:workers";
import { agents, contentPieces, listings, mediaAssets } from "db";
import { and, eq } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { preflightPost } from "../src/agents/social/preflight";
import { runPostStep } from "../src/agents/social/publisher";
import { newId } from "../src/lib/ids";
import {
  type Agent,
  approvedPost,
  connectedAgent,
  db,
  drive,
  pieceRow,
  published,
} from "./helpers/publishing";

const photo = () => `${inject("builderSiteUrl")}/images/flyer-home-1.jpg`;

async function flyerPiece(
  agent: { agentId: string; listingId: string },
  headline = "Brand-new 4-bedroom home by the lake",
) {
  const id = newId();
  await db()
    .insert(contentPieces)
    .values({
      id,
      agentId: agent.agentId,
      listingId: agent.listingId,
      kind: "flyer_text",
      postType: "new_listing",
      status: "pending_approval",
      rootId: id,
      generationKey: `test:${id}`,
      body: headline,
      structured: {
        headline,
        body: "Open kitchen, covered lanai and a two-car garage.",
        bullets: ["Quartz counters", "Split floor plan"],
        callToAction: "Call Chris today to tour it this weekend",
      },
      generator: "manual",
    });
  return id;
}

async function brandedAgent() {
  const agent = await connectedAgent({ photos: [photo()] });
  await db()
    .update(listings)
    .set({
      priceCents: 41_990_000,
      beds: 4,
      bathsFull: 2,
      bathsHalf: 1,
      sqft: 2140,
      community: "Lakeside Reserve",
    })
    .where(eq(listings.id, agent.listingId));
  // A logo as the brand kit stores it: a PNG in R2 and its media asset.
  const logo = await env.IMAGES.input(
    new Blob([
      `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200"><rect width="400" height="200" fill="#c0392b"/></svg>`,
    ]).stream(),
  ).output({ format: "image/png" });
  const logoBytes = await new Response(logo.image()).arrayBuffer();
  const logoId = newId();
  await env.MEDIA.put(`logo/${agent.agentId}/${logoId}.png`, logoBytes);
  await db()
    .insert(mediaAssets)
    .values({
      id: logoId,
      agentId: agent.agentId,
      sourceUrl: `upload:${logoId}`,
      purpose: "logo",
      r2Key: `logo/${agent.agentId}/${logoId}.png`,
      contentType: "image/png",
      width: 400,
      height: 200,
      bytes: logoBytes.byteLength,
    });
  await db()
    .update(agents)
    .set({
      brokerageName: "Sunshine Realty LLC",
      licenseNumber: "SL3456789",
      phone: "(407) 555-0100",
      brand: { primaryColor: "#0b4f6c", accentColor: "#f4a261" },
      logoAssetId: logoId,
    })
    .where(eq(agents.id, agent.agentId));
  return agent;
}

type Rendered = { id: string; url: string; width: number; height: number };

async function render(agent: Agent, id: string) {
  return agent.browser.mutate<Rendered>("content.renderFlyerImage", { id });
}

describe("the flyer as a 1080x1350 JPEG", () => {
  it("is made with the Images binding, stored in R2 and reused for the same version", {
    timeout: 30_000,
  }, async () => {
    const agent = await brandedAgent();
    const flyerId = await flyerPiece(agent);

    const first = await render(agent, flyerId);
    expect(first.error).toBeNull();
    expect(first.data).toMatchObject({ width: 1080, height: 1350, url: `/media/${first.data.id}.jpg` });
    expect(first.data.id).toMatch(/^[0-9a-f]{32}$/);

    const [asset] = await db().select().from(mediaAssets).where(eq(mediaAssets.id, first.data.id));
    expect(asset).toMatchObject({ purpose: "flyer", contentType: "image/jpeg", width: 1080, height: 1350 });
    expect(asset?.sourceUrl).toMatch(new RegExp(`^flyer:${flyerId}:v1:[0-9a-f]{24}$`));
    const object = await env.MEDIA.get(asset?.r2Key ?? "");
    const bytes = new Uint8Array(await new Response(object?.body).arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(await env.IMAGES.info(new Blob([bytes]).stream())).toMatchObject({
      format: "image/jpeg",
      width: 1080,
      height: 1350,
    });
    // Not a blank canvas: the photo, text and logo make a JPEG far larger than a flat colour's.
    expect(bytes.byteLength).toBeGreaterThan(30_000);
    expect((await pieceRow(flyerId))?.flyerAssetId).toBe(first.data.id);

    // Served publicly, as Meta fetches it.
    const served = await agent.browser.fetch(first.data.url);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/jpeg");
    await served.arrayBuffer();

    const again = await render(agent, flyerId);
    expect(again.data.id).toBe(first.data.id);
    const rows = await db()
      .select({ id: mediaAssets.id })
      .from(mediaAssets)
      .where(and(eq(mediaAssets.agentId, agent.agentId), eq(mediaAssets.purpose, "flyer")));
    expect(rows).toHaveLength(1);

    // A brand change redraws it.
    await db()
      .update(agents)
      .set({ brand: { primaryColor: "#2d6a4f", accentColor: "#f4a261" } })
      .where(eq(agents.id, agent.agentId));
    const rebranded = await render(agent, flyerId);
    expect(rebranded.data.id).not.toBe(first.data.id);
    expect((await pieceRow(flyerId))?.flyerAssetId).toBe(rebranded.data.id);
  });

  it("another agent's flyer, or a piece that is not a flyer, is NOT_FOUND", { timeout: 30_000 }, async () => {
    const owner = await connectedAgent();
    const other = await connectedAgent();
    const flyerId = await flyerPiece(owner);
    const res = await render(other, flyerId);
    expect(res.error?.data.code).toBe("NOT_FOUND");
    const { pieceId } = await approvedPost(owner, "facebook");
    expect((await render(owner, pieceId)).error?.data.code).toBe("NOT_FOUND");
    expect((await pieceRow(flyerId))?.flyerAssetId).toBeNull();
  });
});

describe("attaching the flyer to a post", () => {
  it("refuses a flyer of another listing or agent, or one without its image", {
    timeout: 30_000,
  }, async () => {
    const agent = await connectedAgent();
    const stranger = await connectedAgent();
    const { pieceId } = await approvedPost(agent, "facebook", { at: Date.now() + 3600_000 });
    const attach = (flyerId: string | null, who = agent) =>
      who.browser.mutate("content.attachFlyer", { id: pieceId, flyerId });

    const noImage = await flyerPiece(agent);
    expect((await attach(noImage)).error).toMatchObject({ data: { code: "CONFLICT" } });

    const strangers = await flyerPiece(stranger);
    await render(stranger, strangers);
    expect((await attach(strangers)).error?.data.code).toBe("NOT_FOUND");

    // The same agent's flyer for another home.
    const otherListing = newId();
    const now = new Date();
    await db()
      .insert(listings)
      .values({
        id: otherListing,
        agentId: agent.agentId,
        origin: "manual",
        sourceKey: `manual:${otherListing}`,
        contentHash: "x",
        addressLine: "9 Heron Ct",
        firstSeenAt: now,
        lastSeenAt: now,
      });
    const elsewhere = await flyerPiece({ agentId: agent.agentId, listingId: otherListing });
    await render(agent, elsewhere);
    expect((await attach(elsewhere)).error?.data.code).toBe("NOT_FOUND");

    // Not the owner of the post.
    const mine = await flyerPiece(agent);
    await render(agent, mine);
    expect((await attach(mine, stranger)).error?.data.code).toBe("NOT_FOUND");
    expect((await pieceRow(pieceId))?.attachedFlyerId).toBeNull();

    const choices = await agent.browser.query<{
      attachedFlyerId: string | null;
      flyers: { id: string; imageUrl: string | null }[];
    }>("content.flyerChoices", { id: pieceId });
    expect(choices.data.attachedFlyerId).toBeNull();
    expect(choices.data.flyers.map((f) => f.id).sort()).toEqual([noImage, mine].sort());
    expect(choices.data.flyers.find((f) => f.id === mine)?.imageUrl).toMatch(/^\/media\/[0-9a-f]{32}\.jpg$/);
    expect((await stranger.browser.query("content.flyerChoices", { id: pieceId })).error?.data.code).toBe(
      "NOT_FOUND",
    );

    const ok = await attach(mine);
    expect(ok.error).toBeNull();
    expect((await pieceRow(pieceId))?.attachedFlyerId).toBe(mine);
    expect((await attach(null)).error).toBeNull();
    expect((await pieceRow(pieceId))?.attachedFlyerId).toBeNull();
  });

  for (const platform of ["facebook", "instagram"] as const) {
    it(`a ${platform} post with a flyer attached publishes the flyer's JPEG`, {
      timeout: 60_000,
    }, async () => {
      const agent = await connectedAgent({ photos: [photo(), photo().replace("-1", "-2")] });
      const flyerId = await flyerPiece(agent, "Lakeside living from the low $400s");
      const image = await render(agent, flyerId);
      expect(image.error).toBeNull();
      const { postId, pieceId } = await approvedPost(agent, platform);
      expect((await agent.browser.mutate("content.attachFlyer", { id: pieceId, flyerId })).error).toBeNull();

      await runPostStep(env, postId);
      const post = await drive(postId);
      expect(post?.status).toBe("published");
      const live = await published(agent.world);
      const urls = platform === "facebook" ? live.facebook[0]?.imageUrls : live.instagram[0]?.imageUrls;
      // One photo, the flyer's, from the app's origin: not the listing's two.
      expect(urls).toHaveLength(1);
      expect(urls?.[0]).toMatch(new RegExp(`/media/${image.data.id}\\.jpg$`));
    });
  }

  it("the preflight of an Instagram post with a flyer needs only the flyer image", {
    timeout: 30_000,
  }, async () => {
    // No listing photos: without the flyer the post could not go to Instagram at all.
    const agent = await connectedAgent();
    const flyerId = await flyerPiece(agent);
    const image = await render(agent, flyerId);
    const { postId, pieceId } = await approvedPost(agent, "instagram", { at: Date.now() + 3 * 3600_000 });
    const codes = async () => (await preflightPost(env, postId))?.warnings.map((w) => w.code) ?? [];
    expect(await codes()).toContain("no_photo");

    await agent.browser.mutate("content.attachFlyer", { id: pieceId, flyerId });
    expect(await codes()).toEqual([]);

    await db().delete(mediaAssets).where(eq(mediaAssets.id, image.data.id));
    expect(await codes()).toEqual(["flyer_image"]);
  });
});
