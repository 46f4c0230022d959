import { describe, expect, it } from "vitest";
import { checkCompliance } from "../src/agents/content/compliance";
import type { AgentProfile, ListingFacts } from "../src/agents/content/types";

const LISTING: ListingFacts = {
  addressLine: "1234 Palm Breeze Dr",
  city: "Clermont",
  state: "FL",
  zip: "34711",
  community: "Cypress Hollow",
  planName: "Magnolia",
  priceCents: 38_999_000,
  previousPriceCents: null,
  beds: 4,
  bathsFull: 2,
  bathsHalf: 1,
  sqft: 2145,
  garage: 2,
  status: "available",
  moveInDate: null,
  incentives: "$5,000 toward closing costs",
  description: "Covered lanai. Lot of 7,500 sq ft.",
  imageUrls: [],
  sourceUrl: null,
};
const AGENT: AgentProfile = {
  name: "Chris Walker",
  brokerageName: "Sunshine Coast Realty, LLC",
  phone: "(407) 555-0142",
  email: "chris@example.com",
  licenseNumber: "SL3456789",
};
const SIGN_OFF = "Call Chris Walker, Sunshine Coast Realty, LLC at (407) 555-0142.";
const check = (text: string, listing: ListingFacts = LISTING) =>
  checkCompliance(`${text}\n\n${SIGN_OFF}`, listing, AGENT);
const rules = (text: string, listing?: ListingFacts) => check(text, listing).map((f) => f.rule);

describe("clean copy", () => {
  it("raises nothing", () => {
    const text =
      "Just listed in Cypress Hollow! 1234 Palm Breeze Dr: 4 bedrooms, 2.5 baths, 2,145 sq ft, 2-car garage, " +
      "offered at $389,990. Family room, master bedroom, walk-in closets, single-family home within walking " +
      "distance of the park and near churches and shops. A bachelor apartment over the garage? Not here, but " +
      "there is a mother-in-law suite. $5,000 toward closing costs. Lot of 7,500 sq ft.";
    expect(check(text)).toEqual([]);
  });
});

describe("fair housing", () => {
  it.each([
    ["Perfect for young families!", "Perfect for young families"],
    ["Ideal for families who love the outdoors.", "Ideal for families"],
    ["Adults only community.", "Adults only"],
    ["No children, please.", "No children"],
    ["Great for singles.", "Great for singles"],
    ["Singles will love it.", "Singles"],
    ["A true bachelor pad.", "bachelor pad"],
    ["Suits a mature couple.", "mature couple"],
    ["A Christian home on a quiet street.", "Christian home"],
    ["Exclusive neighborhood near the lake.", "Exclusive neighborhood"],
    ["Able-bodied buyers will enjoy the stairs.", "Able-bodied"],
    ["No wheelchairs.", "No wheelchairs"],
    ["English speakers only.", "English speakers only"],
    ["Perfect for empty nesters.", "Perfect for empty nesters"],
  ])("flags %j", (text, excerpt) => {
    const flags = check(text);
    expect(flags).toEqual([expect.objectContaining({ rule: "fair_housing", excerpt })]);
    expect(flags[0]?.message).toMatch(/describes who should buy/);
  });

  it.each([
    "Huge family room.",
    "Single-family home.",
    "Walking distance to shops.",
    "Master bedroom with a walk-in closet.",
    "Near churches, schools and parks.",
    "Wheelchair-accessible entry.",
    "Adult-sized pool in the community.",
  ])("leaves property descriptions alone: %j", (text) => {
    expect(check(text)).toEqual([]);
  });
});

describe("Florida 61J2-10.025 brokerage name", () => {
  it("accepts the name in any case, spacing or punctuation", () => {
    expect(checkCompliance("Listed by SUNSHINE   coast realty LLC.", LISTING, AGENT)).toEqual([]);
  });

  it("flags copy without it", () => {
    expect(checkCompliance("Call Chris at (407) 555-0142.", LISTING, AGENT)).toEqual([
      expect.objectContaining({
        rule: "fl_61j2_10_025",
        message: expect.stringMatching(/Sunshine Coast Realty, LLC/),
      }),
    ]);
  });

  it("flags a profile without a brokerage name", () => {
    const flags = checkCompliance("Anything", LISTING, { ...AGENT, brokerageName: "  " });
    expect(flags).toEqual([
      expect.objectContaining({ rule: "fl_61j2_10_025", message: expect.stringMatching(/profile/) }),
    ]);
  });
});

describe("fact check", () => {
  it.each([
    "Offered at $389,990.",
    "Only $389K.",
    "Now $390K.",
    "Priced at 389,990 dollars.",
    "Under $400K.",
    "4 bedrooms",
    "4 beds",
    "4BR/2.5BA",
    "a 4-bedroom home",
    "four bedrooms",
    "2.5 baths",
    "2 1/2 bath",
    "2½ baths",
    "2 full baths and 1 half bath",
    "2,145 sq ft",
    "2145 square feet",
    "over 2,100 sq. ft.",
    "$5,000 toward closing costs",
    "priced from the $300s",
  ])("accepts %j", (text) => {
    expect(check(text)).toEqual([]);
  });

  it.each([
    ["Offered at $379,990.", "$379,990"],
    ["Only $379K.", "$379K"],
    ["Priced at 379,990 dollars.", "379,990 dollars"],
    ["3 bedrooms", "3 bedrooms"],
    ["a 5-bedroom home", "5-bedroom"],
    ["three bedrooms", "three bedrooms"],
    ["3 baths", "3 baths"],
    ["3 full baths", "3 full baths"],
    ["2,300 sq ft", "2,300 sq ft"],
    ["$15,000 toward closing costs", "$15,000"],
  ])("flags %j", (text, excerpt) => {
    expect(check(text)).toEqual([expect.objectContaining({ rule: "fact_check", excerpt })]);
  });

  it("names the listing's value in the message", () => {
    expect(check("3 bedrooms")[0]?.message).toBe("The text says 3 bedrooms; the listing has 4 bedrooms.");
  });

  it("allows the previous price and the saving after a price drop", () => {
    const dropped = { ...LISTING, previousPriceCents: 40_499_000 };
    expect(check("Now $389,990, was $404,990. Save $15,000!", dropped)).toEqual([]);
    expect(rules("Was $414,990.", dropped)).toEqual(["fact_check"]);
  });

  it("flags a price when the listing has none", () => {
    expect(check("Offered at $389,990.", { ...LISTING, priceCents: null })).toEqual([
      expect.objectContaining({ rule: "fact_check", message: expect.stringMatching(/no price/) }),
    ]);
  });

  it("reports every rule at once", () => {
    const flags = checkCompliance("Perfect for young families: 3 bedrooms for $379,990!", LISTING, AGENT);
    expect(flags.map((f) => f.rule)).toEqual(["fair_housing", "fl_61j2_10_025", "fact_check", "fact_check"]);
  });
});

describe("fact check: street address and community", () => {
  const CAFE: ListingFacts = {
    ...LISTING,
    addressLine: "3115 Café Royale Ln",
    city: "Port St. Lucie",
    community: "Tradition",
    planName: "The Magnolia",
    description: "",
    incentives: "",
  };
  const placeFlags = (text: string, listing: ListingFacts = CAFE, known = {}) =>
    checkCompliance(`${text}\n\n${SIGN_OFF}`, listing, AGENT, known).filter((f) => f.rule === "fact_check");

  it("flags another home's address (the seen bug)", () => {
    expect(placeFlags("Just listed: 785 NE Tamarind Ave, a new-construction home.")).toEqual([
      {
        rule: "fact_check",
        excerpt: "785 NE Tamarind Ave",
        message: "The text names the address 785 NE Tamarind Ave; this listing is at 3115 Café Royale Ln.",
      },
    ]);
  });

  it.each([
    "3115 Café Royale Ln",
    "3115 Cafe Royale Ln",
    "3115 CAFÉ ROYALE LANE",
    "3115 Café Royale Lane, Port St. Lucie",
    "3115 Cafe\u0301 Royale Ln.", // decomposed é
    "3115 Café Royale",
  ])("accepts the listing's own address written as %j", (address) => {
    expect(placeFlags(`Just listed: ${address}! 4 bedrooms, 2.5 baths.`)).toEqual([]);
  });

  it("treats directions and suffixes as the same words either way", () => {
    const ne = { ...CAFE, addressLine: "785 Northeast Tamarind Avenue" };
    expect(placeFlags("See 785 NE Tamarind Ave today.", ne)).toEqual([]);
    expect(
      placeFlags("See 785 NE Tamarind Ave today.", { ...ne, addressLine: "785 NE Tamarind Ave" }),
    ).toEqual([]);
    expect(placeFlags("See 785 SW Tamarind Ave today.", ne).map((f) => f.excerpt)).toEqual([
      "785 SW Tamarind Ave",
    ]);
  });

  it("reads a number and a direction as an address even without a street suffix", () => {
    expect(placeFlags("Tour 785 NE Tamarind today.").map((f) => f.excerpt)).toEqual(["785 NE Tamarind"]);
    expect(placeFlags("Tour 785 NE Tamarind Ave today.").map((f) => f.excerpt)).toEqual([
      "785 NE Tamarind Ave",
    ]);
    const ne = { ...CAFE, addressLine: "785 NE Tamarind Ave" };
    expect(placeFlags("Tour 785 NE Tamarind today.", ne)).toEqual([]);
    expect(placeFlags("Only 4 N of here.")).toEqual([]);
  });

  it("flags another house number on the same street", () => {
    expect(placeFlags("3117 Café Royale Ln is ready.").map((f) => f.excerpt)).toEqual([
      "3117 Café Royale Ln",
    ]);
  });

  it.each([
    "Offered at $389,990 on a quiet street.",
    "2,145 sq ft Way more space than you think.",
    "Estimated move-in 2027 Spring.",
    "Just a 10 Minute Drive to the beach.",
    "Only 5 minutes drive from the turnpike.",
    "4 Bedrooms, 2.5 Baths, 2 Car Garage.",
    "Call (407) 555-0142 Way before Friday.",
    "Built in 2026 and ready now.",
    "Priced 389,990 Lane side.",
    "Unit #12 Oak St is not a house number.",
  ])("does not read prices, measures, years or phone numbers as addresses: %j", (text) => {
    expect(placeFlags(text)).toEqual([]);
  });

  it("accepts an address that the listing's own description states", () => {
    const withModel = { ...CAFE, description: "Visit the model home at 100 SW Village Pkwy." };
    expect(placeFlags("Tour the model at 100 SW Village Parkway.", withModel)).toEqual([]);
  });

  it("flags any address when the listing has none", () => {
    expect(placeFlags("Now at 12 Oak St.", { ...CAFE, addressLine: "" })[0]?.message).toBe(
      "The text names the address 12 Oak St; this listing has no address.",
    );
  });

  it.each([
    ["Welcome to the Tamarind Reserve community!", "Tamarind Reserve"],
    ["A home in the Tamarind Reserve Community.", "Tamarind Reserve"],
    ["Part of the community of Tamarind Reserve.", "Tamarind Reserve"],
    ["Just listed in Tamarind Reserve, Port St. Lucie!", "Tamarind Reserve"],
    ["Just Listed In Tamarind Reserve Neighborhood", "Tamarind Reserve"],
  ])("flags another community: %j", (text, excerpt) => {
    expect(placeFlags(text)).toEqual([
      {
        rule: "fact_check",
        excerpt,
        message: `The text names the community ${excerpt}; this listing is in Tradition.`,
      },
    ]);
  });

  it.each([
    "Welcome to the Tradition community!",
    "Just listed in Tradition, Port St. Lucie!",
    "A gated community with a resort-style pool.",
    "Our Beautiful New Community is growing.",
    "The Magnolia plan, in a Master-Planned Community.",
    "Now selling in Port St. Lucie, Port St. Lucie.",
    "Tradition's community pool is steps away.",
  ])("accepts the listing's own community and descriptions: %j", (text) => {
    expect(placeFlags(text)).toEqual([]);
  });

  it("handles Unicode community names", () => {
    const cafe = { ...CAFE, community: "Café Royale" };
    expect(placeFlags("Welcome to the Cafe Royale community.", cafe)).toEqual([]);
    expect(placeFlags("Just listed in Café Royale, Port St. Lucie.", cafe)).toEqual([]);
  });

  it("catches the agent's other communities and addresses anywhere, when known", () => {
    const known = { communities: ["Tamarind Reserve", "Tradition"], addresses: ["785 NE Tamarind Ave"] };
    expect(
      placeFlags("Homes like those at Tamarind Reserve sell fast.", CAFE, known).map((f) => f.message),
    ).toEqual(["The text names Tamarind Reserve, another community; this listing is in Tradition."]);
    // Without its suffix it is still read as an address (the known one is "Ave"), and flagged once.
    expect(placeFlags("Like 785 Northeast Tamarind.", CAFE, known).map((f) => f.excerpt)).toEqual([
      "785 Northeast Tamarind",
    ]);
    expect(placeFlags("Like 785 NE Tamarind Avenue.", CAFE, known)).toHaveLength(1);
  });

  it("keeps the clean copy of the other tests clean", () => {
    expect(
      check(
        "Just listed in Cypress Hollow, Clermont! 1234 Palm Breeze Dr: 4 bedrooms, 2.5 baths, 2,145 sq ft. Welcome to the Cypress Hollow community.",
      ),
    ).toEqual([]);
  });
});
