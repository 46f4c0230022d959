import { describe, expect, it } from "vitest";
import {
  decodeEntities,
  normalizeListing,
  parseMoveInDate,
  toPlainText,
} from "../src/agents/listing/normalize";
import type { NormalizedListing, RawListing } from "../src/agents/listing/types";

const manual: RawListing = {
  id: "manual-1",
  address: "1204 Lake Sawyer Loop, Davenport, Florida 33837",
  community: "Lakeshore Preserve",
  plan: "The Osprey",
  price: "$379,990",
  beds: "4",
  baths: 2.5,
  sqft: "2,140 sq. ft.",
  garage: "2-car",
  status: "Under Contract",
  moveIn: "Ready March 2027",
  incentives: "$10,000 toward closing costs with preferred lender",
  description: "  Open   plan,\n\n lanai & pool.  ",
  images: [
    "https://cdn.example.com/a.jpg",
    "https://cdn.example.com/a.jpg",
    "ftp://x/y.jpg",
    "/relative.jpg",
  ],
};

function ok(raw: RawListing, pageUrl: string | null = null): NormalizedListing {
  const result = normalizeListing(raw, pageUrl);
  if (!result.ok) throw new Error(`expected ok, got: ${result.error}`);
  return result.listing;
}

function error(raw: RawListing, pageUrl: string | null = null): string {
  const result = normalizeListing(raw, pageUrl);
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.listing)}`);
  return result.error;
}

describe("normalizeListing on manual-style input", () => {
  it("accepts strings and numbers and normalizes every field", () => {
    expect(ok(manual)).toEqual({
      sourceKey: "manual-1",
      sourceUrl: null,
      addressLine: "1204 Lake Sawyer Loop",
      city: "Davenport",
      state: "FL",
      zip: "33837",
      community: "Lakeshore Preserve",
      planName: "The Osprey",
      priceCents: 37_999_000,
      beds: 4,
      bathsFull: 2,
      bathsHalf: 1,
      sqft: 2140,
      garage: 2,
      status: "under_contract",
      moveInDate: "2027-03-01",
      incentives: "$10,000 toward closing costs with preferred lender",
      description: "Open plan, lanai & pool.",
      // Relative and non-http URLs are dropped when there is no page to resolve against; duplicates once.
      imageUrls: ["https://cdn.example.com/a.jpg"],
    });
  });

  it("takes separate address fields, explicit full/half baths and price in cents", () => {
    const listing = ok({
      sourceKey: "k",
      addressLine: "9 Coral Reef Ct",
      city: "Ocala",
      state: "fl",
      zip: "34476-1234",
      priceCents: 28_999_000,
      bathsFull: "3",
      bathsHalf: 0,
    });
    expect(listing).toMatchObject({ state: "FL", zip: "34476-1234", priceCents: 28_999_000 });
    expect(listing).toMatchObject({ bathsFull: 3, bathsHalf: 0, beds: null, sqft: null, garage: null });
  });

  it("reads 'Call for pricing' as no price, and bath counts written out in words", () => {
    const listing = ok({ ...manual, price: "Call for pricing", baths: "2 Full, 1 Half Baths" });
    expect(listing.priceCents).toBeNull();
    expect([listing.bathsFull, listing.bathsHalf]).toEqual([2, 1]);
    expect(ok({ ...manual, baths: "3½" })).toMatchObject({ bathsFull: 3, bathsHalf: 1 });
    expect(ok({ ...manual, baths: 3 })).toMatchObject({ bathsFull: 3, bathsHalf: 0 });
  });

  it("maps status words from pages, data attributes and schema.org", () => {
    const statusOf = (status: unknown) => ok({ ...manual, status }).status;
    expect(statusOf("Available")).toBe("available");
    expect(statusOf("Move-in Ready")).toBe("available");
    expect(statusOf("https://schema.org/InStock")).toBe("available");
    expect(statusOf("under-contract")).toBe("under_contract");
    expect(statusOf("Sale Pending")).toBe("under_contract");
    expect(statusOf("SOLD")).toBe("sold");
    expect(statusOf("https://schema.org/SoldOut")).toBe("sold");
    expect(statusOf(undefined)).toBe("available");
  });

  it("derives sourceKey and absolute URLs from the page URL when no id is given", () => {
    const { id: _id, ...withoutId } = manual;
    const listing = ok(withoutId, "https://www.holidaybuilders.com/homes/1204-lake-sawyer-loop#photos");
    expect(listing.sourceKey).toBe("1204-lake-sawyer-loop");
    expect(listing.sourceUrl).toBe("https://www.holidaybuilders.com/homes/1204-lake-sawyer-loop");
    expect(listing.imageUrls).toEqual([
      "https://cdn.example.com/a.jpg",
      "https://www.holidaybuilders.com/relative.jpg",
    ]);
  });

  it("caps images at 20", () => {
    const images = Array.from({ length: 30 }, (_, i) => `https://cdn.example.com/${i}.jpg`);
    expect(ok({ ...manual, images }).imageUrls).toHaveLength(20);
  });

  it("refuses bad values with a message naming every bad field", () => {
    const message = error({
      ...manual,
      price: "abc",
      beds: "three",
      baths: "lots",
      sqft: -5,
      status: "Coming Soon",
    });
    expect(message).toContain('price: "abc" is not a price');
    expect(message).toContain('beds: "three" is not a number');
    expect(message).toContain('baths: "lots" is not a number of bathrooms');
    expect(message).toContain("sqft: must be a whole number from 100 to 100000");
    expect(message).toContain('status: "Coming Soon" is not one of available, under contract, sold');
  });

  it("refuses out-of-range numbers, fractional beds and missing address parts", () => {
    expect(error({ ...manual, price: 12 })).toContain("price: must be between $1,000 and $100,000,000");
    expect(error({ ...manual, beds: 3.5 })).toContain("beds: must be a whole number from 0 to 20");
    expect(error({ ...manual, priceCents: 12.5 })).toContain("priceCents: must be a positive whole number");
    expect(error({ sourceKey: "k", addressLine: "1 Main St" })).toBe(
      "city: missing; state: missing; zip: missing",
    );
    expect(error({ ...manual, address: "1 Main St, Ocala, ZZ 34476" })).toContain(
      'state: "ZZ" is not a US state',
    );
    expect(error({ ...manual, address: "1 Main St", city: "Ocala", state: "FL", zip: "3447" })).toContain(
      'zip: "3447" is not a ZIP code',
    );
    expect(error({ address: "1 Main St, Ocala, FL 34476" })).toContain("sourceKey: missing");
    expect(error(manual, "not a url")).toContain("pageUrl:");
  });

  it("turns markup in every text field into inert plain text", () => {
    const listing = ok({
      ...manual,
      plan: "<img src=x onerror=alert(1)>The Osprey",
      community: "Caf&eacute; Lago &amp; Co",
      description:
        "Great home. <script>alert('xss')</script> &lt;script&gt;alert(2)&lt;/script&gt; Close to the lake.",
      incentives: '<b onmouseover="alert(3)">$7,500</b> off',
    });
    expect(listing.planName).toBe("The Osprey");
    expect(listing.community).toBe("Café Lago & Co");
    expect(listing.description).toBe("Great home. Close to the lake.");
    expect(listing.incentives).toBe("$7,500 off");
    for (const text of [listing.planName, listing.description, listing.incentives]) {
      expect(text).not.toMatch(/<[a-z!/?]/i);
    }
  });

  it("caps descriptions at 20,000 characters", () => {
    const listing = ok({ ...manual, description: "Lanai. ".repeat(5_000) });
    expect(listing.description.length).toBeLessThanOrEqual(20_000);
    expect(listing.description.length).toBeGreaterThan(19_990);
  });
});

describe("text helpers", () => {
  it("decodes named and numeric entities and leaves unknown ones", () => {
    expect(decodeEntities("Pi&ntilde;on &#233; &#xE9; &amp;amp; &bogus; &#0;")).toBe(
      "Piñon é é &amp; &bogus; \uFFFD",
    );
  });

  it("removes unclosed tags and comments but keeps a lone less-than sign", () => {
    expect(toPlainText("price < $300k <!-- hidden --> <img src=x onerror=alert(1)")).toBe("price < $300k");
    expect(toPlainText(42)).toBe("42");
    expect(toPlainText({ toString: () => "<b>x</b>" })).toBe("");
  });

  it("parses move-in dates", () => {
    expect(parseMoveInDate("Ready March 2027")).toBe("2027-03-01");
    expect(parseMoveInDate("Est. completion Sept. 15, 2027")).toBe("2027-09-15");
    expect(parseMoveInDate("Phase 2 closes June 2027")).toBe("2027-06-01");
    expect(parseMoveInDate("2027-01-31")).toBe("2027-01-31");
    expect(parseMoveInDate("03/15/2027")).toBe("2027-03-15");
    expect(parseMoveInDate("02/30/2027")).toBeNull();
    expect(parseMoveInDate("Move-in ready")).toBeNull();
    expect(parseMoveInDate(undefined)).toBeNull();
  });
});
