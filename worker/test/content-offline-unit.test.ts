import { POST_TYPES } from "db";
import { describe, expect, it } from "vitest";
import { checkCompliance } from "../src/agents/content/compliance";
import { OFFLINE_VERSION } from "../src/agents/content/offline";
import { renderBody } from "../src/agents/content/render";
import { validateContent } from "../src/agents/content/schemas";
import type {
  AgentProfile,
  ContentKind,
  DraftRequest,
  ListingFacts,
  PostType,
} from "../src/agents/content/types";
import { draftContent, postTypeFor } from "../src/agents/content/writer";

const LISTING: ListingFacts = {
  addressLine: "1234 Palm Breeze Dr",
  city: "Clermont",
  state: "FL",
  zip: "34711",
  community: "Cypress Hollow",
  planName: "Magnolia",
  priceCents: 38_999_000,
  previousPriceCents: 40_499_000,
  beds: 4,
  bathsFull: 2,
  bathsHalf: 1,
  sqft: 2145,
  garage: 2,
  status: "available",
  moveInDate: "2027-03-01",
  incentives: "Up to $10,000 toward closing costs with the builder's preferred lender",
  description: "Open floor plan, family room, covered lanai. HOA $95/month.",
  imageUrls: [],
  sourceUrl: null,
};
const AGENT: AgentProfile = {
  name: "Chris Walker",
  brokerageName: "Sunshine Coast Realty",
  phone: "(407) 555-0142",
  email: "chris@example.com",
  licenseNumber: "SL3456789",
};
const KINDS: ContentKind[] = ["facebook_post", "instagram_caption", "flyer_text"];
const OFFLINE = { llm: null, langflow: null };

const listingFor = (postType: PostType): ListingFacts =>
  postType === "sold_out" ? { ...LISTING, status: "sold" } : LISTING;
const request = (kind: ContentKind, postType: PostType, extra: Partial<DraftRequest> = {}): DraftRequest => ({
  kind,
  postType,
  listing: listingFor(postType),
  agent: AGENT,
  traceId: "t",
  ...extra,
});
const draft = (r: DraftRequest) => draftContent(OFFLINE, r, { agentId: "a1" });

describe("offline writer", () => {
  const cases = KINDS.flatMap((kind) => POST_TYPES.map((postType) => [kind, postType] as const));

  it.each(cases)("writes a valid, compliant %s for %s", async (kind, postType) => {
    const result = await draft(request(kind, postType));
    expect(result).toMatchObject({
      generator: "offline",
      model: null,
      promptVersion: OFFLINE_VERSION,
      promptTokens: null,
      completionTokens: null,
    });
    expect(result.content.kind).toBe(kind);
    expect(validateContent(kind, result.content)).toMatchObject({ ok: true });
    expect(result.body).toBe(renderBody(result.content));
    expect(result.body).toContain("Sunshine Coast Realty");
    expect(result.body).toContain("(407) 555-0142");
    expect(result.body).not.toMatch(/[<>]/);
    expect(checkCompliance(result.body, listingFor(postType), AGENT)).toEqual([]);
    // Deterministic.
    expect((await draft(request(kind, postType))).body).toBe(result.body);
  });

  it("opens each post type with its occasion", async () => {
    const text = async (postType: PostType) => (await draft(request("facebook_post", postType))).body;
    expect(await text("new_listing")).toMatch(/^Just listed in Cypress Hollow, Clermont!/);
    expect(await text("price_improvement")).toMatch(
      /^Price improvement .* now \$389,990, down from \$404,990, a savings of \$15,000\./,
    );
    expect(await text("new_incentive")).toMatch(
      /^New builder incentive in Cypress Hollow, Clermont: Up to \$10,000/,
    );
    expect(await text("now_selling")).toMatch(/^Now selling in Cypress Hollow, Clermont!/);
    const sold = await text("sold_out");
    expect(sold).toMatch(/^SOLD! 1234 Palm Breeze Dr/);
    expect(sold).not.toContain("$");
  });

  it("does not call a home under contract available", async () => {
    const result = await draft({
      ...request("facebook_post", "now_selling"),
      listing: { ...LISTING, status: "under_contract" },
    });
    expect(result.body).toMatch(/now under contract/);
    expect(result.body).not.toMatch(/is available|Offered at/);
  });

  it("says nothing about facts the listing lacks", async () => {
    const bare: ListingFacts = {
      ...LISTING,
      planName: "",
      priceCents: null,
      previousPriceCents: null,
      beds: null,
      bathsFull: null,
      bathsHalf: null,
      sqft: null,
      garage: null,
      moveInDate: null,
      incentives: "",
    };
    for (const kind of KINDS) {
      const result = await draft({ ...request(kind, "price_improvement"), listing: bare });
      expect(result.body).not.toMatch(/\$|bedroom|bath|sq ft|garage|move-in/i);
      expect(checkCompliance(result.body, bare, AGENT)).toEqual([]);
    }
  });

  it("words a revision differently and still names the brokerage", async () => {
    const first = await draft(request("facebook_post", "new_listing"));
    const revised = await draft(
      request("facebook_post", "new_listing", { feedback: "Different opening", previous: first.content }),
    );
    expect(revised.body).not.toBe(first.body);
    expect(revised.body).toContain("Sunshine Coast Realty");
  });

  it("without a brokerage name the compliance check says the profile lacks it", async () => {
    const agent = { ...AGENT, brokerageName: "" };
    const result = await draft({ ...request("flyer_text", "new_listing"), agent });
    expect(checkCompliance(result.body, LISTING, agent)).toEqual([
      expect.objectContaining({
        rule: "fl_61j2_10_025",
        message: expect.stringMatching(/profile has no brokerage/),
      }),
    ]);
  });
});

describe("rendering", () => {
  it("renders each kind as plain text", () => {
    expect(renderBody({ kind: "facebook_post", text: "Hello", hashtags: ["NewHome", "Clermont"] })).toBe(
      "Hello\n\n#NewHome #Clermont",
    );
    expect(renderBody({ kind: "facebook_post", text: "Hello", hashtags: [] })).toBe("Hello");
    expect(
      renderBody({ kind: "instagram_caption", caption: "Hi", hashtags: ["A"], mentions: ["builder.fl"] }),
    ).toBe("Hi\n\n#A\n@builder.fl");
    expect(
      renderBody({
        kind: "flyer_text",
        headline: "H",
        body: "B",
        bullets: ["one", "two"],
        callToAction: "Call",
      }),
    ).toBe("H\n\nB\n\n• one\n• two\n\nCall");
  });

  it("strips # and @ from hashtags and mentions, and rejects spaces and HTML", () => {
    expect(
      validateContent("instagram_caption", {
        caption: "Hi",
        hashtags: ["#NewHome"],
        mentions: ["@chris.sells"],
      }),
    ).toEqual({
      ok: true,
      content: { kind: "instagram_caption", caption: "Hi", hashtags: ["NewHome"], mentions: ["chris.sells"] },
    });
    expect(validateContent("facebook_post", { text: "Hi", hashtags: ["new home"] }).ok).toBe(false);
    expect(validateContent("facebook_post", { text: "Call <a href='x'>me</a>", hashtags: [] }).ok).toBe(
      false,
    );
    expect(validateContent("facebook_post", { text: "Schools < 5 minutes away", hashtags: [] }).ok).toBe(
      true,
    );
    const long = { caption: "x".repeat(2190), hashtags: ["NewHome", "Clermont"], mentions: [] };
    expect(validateContent("instagram_caption", long)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/2200/),
    });
  });
});

describe("postTypeFor", () => {
  const cases: [Parameters<typeof postTypeFor>[0], ListingFacts["status"], PostType][] = [
    [["new_listing"], "available", "new_listing"],
    [["price_drop"], "available", "price_improvement"],
    [["new_incentive"], "available", "new_incentive"],
    [["status_change"], "sold", "sold_out"],
    [["status_change"], "available", "now_selling"],
    [["status_change"], "under_contract", "now_selling"],
    [["price_drop", "new_incentive"], "available", "price_improvement"],
    [["new_listing", "price_drop"], "available", "new_listing"],
    [["status_change", "price_drop"], "sold", "sold_out"],
    [["price_drop"], "sold", "sold_out"],
    [[], "available", "new_listing"],
    [[], "sold", "sold_out"],
  ];
  it.each(cases)("%j with status %s -> %s", (events, status, expected) => {
    expect(postTypeFor(events, { ...LISTING, status })).toBe(expected);
  });
});
