import { agents, mediaAssets } from "db";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { agentWithListings, db, settled } from "./helpers/content";
import { signedUpBrowser } from "./helpers/http";

type Flyer = {
  copy: { headline: string; body: string; bullets: string[]; callToAction: string };
  listing: { photos: string[]; url: string | null; facts: string };
  agent: Record<string, string | null>;
  layout: Record<
    "letter" | "a4",
    { scale: number; overflows: boolean; overflow: { message: string } | null }
  >;
};

const hexId = () => crypto.randomUUID().replaceAll("-", "");

async function assetOf(agentId: string, purpose: string, contentType: string) {
  const id = hexId();
  await db()
    .insert(mediaAssets)
    .values({
      id,
      agentId,
      sourceUrl: `upload:${id}`,
      purpose,
      r2Key: `${purpose}/${id}`,
      contentType,
      width: 400,
      height: 400,
      bytes: 1000,
    });
  return id;
}

describe("content.flyer", () => {
  it("gives the agent's own flyer with proxied photos, the QR URL, the brand and the layout's verdict", {
    timeout: 30_000,
  }, async () => {
    const agent = await agentWithListings(1);
    const listing = agent.listings[0];
    if (!listing) throw new Error("no listing");
    await agent.browser.mutate("content.createForListing", {
      listingId: listing.id,
      kinds: ["flyer_text", "facebook_post"],
    });
    const pieces = await settled(agent.agentId, listing.id);
    const flyerPiece = pieces.find((p) => p.kind === "flyer_text");
    const postPiece = pieces.find((p) => p.kind === "facebook_post");
    if (!flyerPiece || !postPiece) throw new Error("drafts missing");

    const other = await signedUpBrowser("Someone Else");
    const logo = await assetOf(agent.agentId, "logo", "image/png");
    // Someone else's upload is never shown, even if an id pointed at it.
    const foreign = await assetOf(other.agentId, "headshot", "image/jpeg");
    await db()
      .update(agents)
      .set({
        licenseNumber: "SL3456789",
        brand: { primaryColor: "#12466b", accentColor: "not a colour", tagline: "Homes by the water" },
        logoAssetId: logo,
        headshotAssetId: foreign,
      })
      .where(eq(agents.id, agent.agentId));

    const res = await agent.browser.query<Flyer>("content.flyer", { id: flyerPiece.id });
    expect(res.status).toBe(200);
    const flyer = res.data;
    expect(flyer.copy.headline).not.toBe("");
    expect(flyer.copy.callToAction).not.toBe("");
    expect(flyer.listing.photos.length).toBeGreaterThan(0);
    expect(flyer.listing.photos.length).toBeLessThanOrEqual(3);
    expect(flyer.listing.photos).toEqual(
      listing.imageUrls.slice(0, 3).map((url) => `/api/images?src=${encodeURIComponent(url)}`),
    );
    expect(flyer.listing.url).toBe(listing.sourceUrl);
    expect(flyer.agent).toMatchObject({
      brokerageName: "Sunshine Realty",
      licenseNumber: "SL3456789",
      phone: "(407) 555-0100",
      primaryColor: "#12466b",
      accentColor: null,
      tagline: "Homes by the water",
      logoUrl: `/media/${logo}.png`,
      headshotUrl: null,
    });
    expect(flyer.layout.letter).toMatchObject({ overflows: false, overflow: null });
    expect(flyer.layout.a4).toMatchObject({ overflows: false, overflow: null });

    // Text within the limits but taller than a page: the verdict says what to shorten.
    const lines = Array.from({ length: 45 }, (_, i) => `Line ${i + 1} of the body.`).join("\n");
    const edited = await agent.browser.mutate<{ id: string }>("content.update", {
      id: flyerPiece.id,
      body: `Big news\n\n${lines}\n\nCall Chris at Sunshine Realty`,
    });
    expect(edited.status).toBe(200);
    const long = await agent.browser.query<Flyer>("content.flyer", { id: edited.data.id });
    expect(long.data.copy.body.split("\n")).toHaveLength(45);
    expect(long.data.layout.letter.overflows).toBe(true);
    expect(long.data.layout.letter.overflow?.message).toMatch(/shorten the body by ~\d+ words/);

    for (const [browser, id] of [
      [agent.browser, postPiece.id],
      [agent.browser, "no-such-piece"],
      [other.browser, flyerPiece.id],
    ] as const) {
      const refused = await browser.query("content.flyer", { id });
      expect(refused.status).toBe(404);
      expect(refused.error?.data?.code).toBe("NOT_FOUND");
    }
  });
});
