import { describe, expect, it } from "vitest";
import { COMMON_SITE_SHAPE } from "../src/agents/listing/discovery";
import { ITEM_AVAILABILITY } from "../src/agents/listing/extract/jsonld";
import { extractListing } from "../src/agents/listing/extract/page";
import { normalizeListing } from "../src/agents/listing/normalize";
import type { NormalizedListing, RawListing } from "../src/agents/listing/types";

const URL_ = "https://builder.example/available-homes/lakeside/12-egret-ct";
const ADDRESS = `"address":{"@type":"PostalAddress","streetAddress":"12 Egret Ct","addressLocality":"Ocala","addressRegion":"FL","postalCode":"34476"}`;

const ld = (body: string) => `<script type="application/ld+json">${body}</script>`;
const page = (head: string, body = "") =>
  `<!doctype html><html><head><title>x</title>${head}</head><body>${body}</body></html>`;

async function read(html: string): Promise<{ listing: NormalizedListing; raw: RawListing }> {
  const raw = await extractListing(html);
  if (!raw) throw new Error("nothing extracted");
  const result = normalizeListing(raw, URL_);
  if (!result.ok) throw new Error(result.error);
  return { listing: result.listing, raw };
}

const offerPage = (availability: string, body = "") =>
  page(
    ld(
      `{"@context":"https://schema.org","@type":"SingleFamilyResidence",${ADDRESS},"offers":{"@type":"Offer","price":"301990","availability":"https://schema.org/${availability}"}}`,
    ),
    body,
  );

describe("JSON-LD layer: schema.org ItemAvailability", () => {
  it("maps all twelve values", () => {
    expect(Object.keys(ITEM_AVAILABILITY).sort()).toEqual(
      [
        "BackOrder",
        "Discontinued",
        "InStock",
        "InStoreOnly",
        "LimitedAvailability",
        "MadeToOrder",
        "OnlineOnly",
        "OutOfStock",
        "PreOrder",
        "PreSale",
        "Reserved",
        "SoldOut",
      ].sort(),
    );
  });

  it.each([
    ["InStock", "available"],
    ["InStoreOnly", "available"],
    ["OnlineOnly", "available"],
    ["MadeToOrder", "available"],
    ["Reserved", "under_contract"],
    ["SoldOut", "sold"],
    ["Discontinued", "sold"],
    // Ambiguous ones, with nothing visible to defer to, fall back to their nearest meaning.
    ["LimitedAvailability", "available"],
    ["PreOrder", "available"],
    ["PreSale", "available"],
    ["BackOrder", "under_contract"],
    ["OutOfStock", "sold"],
  ])("%s alone reads as %s", async (availability, status) => {
    const { listing, raw } = await read(offerPage(availability));
    expect(listing.status).toBe(status);
    expect(raw.fieldSources).toMatchObject({ status: "json_ld" });
  });

  it.each(["LimitedAvailability", "PreOrder", "PreSale", "BackOrder", "OutOfStock"])(
    "an ambiguous %s defers to the visible status badge",
    async (availability) => {
      const badge = `<div class="badge badge--uc">Under Contract</div>`;
      const { listing, raw } = await read(offerPage(availability, badge));
      expect(listing.status).toBe("under_contract");
      expect(raw.fieldSources).toMatchObject({ status: "label" });
    },
  );

  it("an exact value is not overridden by page text", async () => {
    const { listing } = await read(offerPage("SoldOut", "<p>Status: Available</p>"));
    expect(listing.status).toBe("sold");
  });

  it("reads containedInPlace, floorSize in square metres, full/partial baths and a PropertyValue id", async () => {
    const html = page(
      ld(`[{"@context":"https://schema.org","@type":"SingleFamilyResidence","@id":"#h",${ADDRESS},
"identifier":{"@type":"PropertyValue","propertyID":"id","value":"LOT-77"},
"containedInPlace":{"@type":"Place","name":"Lakeside Reserve"},"numberOfBedrooms":3,
"numberOfBathroomsTotal":3,"numberOfFullBathrooms":2,"numberOfPartialBathrooms":1,
"floorSize":{"@type":"QuantitativeValue","value":150,"unitCode":"MTK"}},
{"@type":"Offer","itemOffered":{"@id":"#h"},"price":"329,990","availability":"https://schema.org/InStock"}]`),
    );
    const { listing } = await read(html);
    expect(listing).toMatchObject({
      sourceKey: "LOT-77",
      community: "Lakeside Reserve",
      beds: 3,
      bathsFull: 2,
      bathsHalf: 1,
      sqft: 1615,
      priceCents: 32_999_000,
    });
  });

  it("reads a decimal numberOfBathroomsTotal as full and half baths", async () => {
    const html = page(
      ld(
        `{"@type":"House",${ADDRESS},"numberOfBathroomsTotal":2.5,"floorSize":{"value":"2,140","unitText":"sq ft"}}`,
      ),
    );
    expect((await read(html)).listing).toMatchObject({ bathsFull: 2, bathsHalf: 1, sqft: 2140 });
  });
});

describe("microdata layer", () => {
  it("reads itemprop values and fills only what JSON-LD left unknown", async () => {
    const html = page(
      ld(`{"@type":"SingleFamilyResidence",${ADDRESS},"numberOfBedrooms":4}`),
      `<div itemscope itemtype="https://schema.org/SingleFamilyResidence">
<span itemprop="numberOfBedrooms">9</span>
<div itemprop="containedInPlace">Heron Bay</div>
<span itemprop="floorSize">1,980 sq ft</span>
<div itemprop="offers" itemscope itemtype="https://schema.org/Offer"><meta itemprop="price" content="315990">
<link itemprop="availability" href="https://schema.org/Reserved"></div>
<img itemprop="image" src="/img/front.jpg"></div>`,
    );
    const { listing, raw } = await read(html);
    expect(listing).toMatchObject({
      beds: 4,
      community: "Heron Bay",
      sqft: 1980,
      priceCents: 31_599_000,
      status: "under_contract",
      imageUrls: ["https://builder.example/img/front.jpg"],
    });
    expect(raw.fieldSources).toMatchObject({
      beds: "json_ld",
      community: "microdata",
      priceCents: "microdata",
      status: "microdata",
      imageUrls: "microdata",
    });
  });
});

describe("label layer", () => {
  it("reads dt/dd, th/td, 'Label: value' text and aria-label, through synonyms", async () => {
    const html = page(
      "",
      `<h1>12 Egret Ct</h1>
<dl><dt>Neighborhood</dt><dd><a href="/n/lakeside">Lakeside Reserve</a></dd><dt>Model</dt><dd>The Osprey</dd></dl>
<table><tr><th>Car garage</th><td>3</td></tr><tr><th>Estimated completion</th><td>June 2027</td></tr></table>
<ul><li><strong>Address:</strong> 12 Egret Ct, Ocala, FL 34476</li><li>Sale price: $344,990</li>
<li>Availability: Pending</li></ul>
<span aria-label="Bedrooms">4</span><span aria-label="Bathrooms: 2.5"></span>
<p class="promo"><b>Special offer:</b> Free blinds &amp; fridge</p>`,
    );
    const { listing, raw } = await read(html);
    expect(listing).toMatchObject({
      addressLine: "12 Egret Ct",
      city: "Ocala",
      community: "Lakeside Reserve",
      planName: "The Osprey",
      garage: 3,
      moveInDate: "2027-06-01",
      priceCents: 34_499_000,
      status: "under_contract",
      beds: 4,
      bathsFull: 2,
      bathsHalf: 1,
      incentives: "Free blinds & fridge",
    });
    expect(Object.values(raw.fieldSources as object).every((source) => source === "label")).toBe(true);
  });

  it.each([
    ["Community", "community", "Lakeside"],
    ["Plan", "planName", "The Heron"],
    ["Floor plan", "planName", "The Heron"],
    ["Garage", "garage", 2],
    ["Move-in", "moveInDate", "2027-01-01"],
    ["Available", "moveInDate", "2027-01-01"],
    ["Status", "status", "sold"],
    ["Price", "priceCents", 30_000_000],
    ["Starting at", "priceCents", 30_000_000],
  ] as const)("the label %s fills %s", async (label, field, expected) => {
    const value =
      field === "moveInDate"
        ? "January 2027"
        : field === "status"
          ? "Sold"
          : field === "priceCents"
            ? "$300,000"
            : field === "garage"
              ? "2-car"
              : String(expected);
    const html = page(
      "",
      `<p>Address: 12 Egret Ct, Ocala, FL 34476</p><dl><dt>${label}</dt><dd>${value}</dd></dl>`,
    );
    expect((await read(html)).listing[field]).toBe(expected);
  });

  it("reads a label on a line of its own with its value on the next", async () => {
    const html = page(
      "",
      `<div class="badge">Available</div><div class="price">$329,990</div>
<ul class="facts"><li><h4>Community</h4><p>Heron Bay</p></li><li><strong>Garage:</strong><br>2-car</li>
<li><span>Address:</span><br>12 Egret Ct, Ocala, FL 34476</li>
<li><h4>Plan</h4></li><li>Special offer: Free blinds</li></ul>`,
    );
    const { listing } = await read(html);
    expect(listing).toMatchObject({
      status: "available",
      community: "Heron Bay",
      garage: 2,
      addressLine: "12 Egret Ct",
      moveInDate: null,
      // An empty label does not swallow the next pair.
      planName: "",
      incentives: "Free blinds",
    });
  });

  it("ignores labels in scripts, styles and comments, and pairs it does not know", async () => {
    const html = page(
      "",
      `<p>Address: 12 Egret Ct, Ocala, FL 34476</p><!-- Garage: 9 --><script>var s = "Community: Fake";</script>
<p>Builder license: CBC1259830</p>`,
    );
    const { listing } = await read(html);
    expect(listing.garage).toBeNull();
    expect(listing.community).toBe("");
  });

  it("takes no status from navigation or footer links, and reads aria-label pairs on images", async () => {
    const html = offerPage(
      "LimitedAvailability",
      `<nav><ul><li><a href="/available">Available</a></li></ul></nav>
<div class="badge">Pending</div><img src="/g.jpg" aria-label="Garage: 3-car" alt="">
<footer><p>Sold</p></footer>`,
    );
    const { listing, raw } = await read(html);
    expect(listing).toMatchObject({ status: "under_contract", garage: 3 });
    expect(raw.fieldSources).toMatchObject({ status: "label", garage: "label" });
  });

  it("a status badge alone is no listing", async () => {
    expect(await extractListing(page("", `<div class="tag">Available</div>`))).toBeNull();
  });
});

describe("common builder URL shapes", () => {
  const at = (path: string) => new URL(path, "https://builder.example");
  it.each([
    ["/homes/12-egret-ct", true, false],
    ["/homes/12-egret-ct/print", false, false],
    ["/available-homes/lakeside/12-egret-ct", true, false],
    ["/quick-move-in/12-egret-ct", true, false],
    ["/quick-move-in", false, true],
    ["/quick-move-in/page/2", false, true],
    ["/available-homes", false, true],
    ["/communities/heron-bay", false, true],
    ["/neighborhoods/heron-bay", false, true],
    ["/about-us", false, false],
  ])("%s: listing %s, index %s", (path, listing, index) => {
    expect(COMMON_SITE_SHAPE.isListing(at(path))).toBe(listing);
    expect(COMMON_SITE_SHAPE.isIndex(at(path))).toBe(index);
  });
});
