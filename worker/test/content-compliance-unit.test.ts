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
