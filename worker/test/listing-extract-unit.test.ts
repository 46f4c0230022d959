import { beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { type BuilderSiteControl, builderSiteControl } from "../../tools/builder-site/client.mjs";
import type { BuilderHome } from "../../tools/builder-site/server.mjs";
import { normalizeListing } from "../src/agents/listing/normalize";
import { getAdapter } from "../src/agents/listing/sources";
import { readLinks, readSitemap } from "../src/agents/listing/sources/html";
import type { NormalizedListing } from "../src/agents/listing/types";

const ORIGIN = "https://www.holidaybuilders.com";
const THEMES = ["classic", "spec-list"] as const;
const adapter = getAdapter("holidaybuilders");
if (!adapter) throw new Error("holidaybuilders adapter is not registered");

async function extract(html: string, pageUrl: string): Promise<NormalizedListing> {
  const raw = await adapter?.extract(html, pageUrl);
  if (!raw) throw new Error("nothing extracted");
  const result = normalizeListing(raw, pageUrl);
  if (!result.ok) throw new Error(result.error);
  return result.listing;
}

const jsonLdPage = `<!doctype html><html><head>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"BreadcrumbList","itemListElement":[]}</script>
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
 {"@type":"SingleFamilyResidence","@id":"${ORIGIN}/homes/x#residence","identifier":"HB-20001","name":"The Osprey at Lakeshore Preserve",
  "address":{"@type":"PostalAddress","streetAddress":"1204 Lake Sawyer Loop","addressLocality":"Davenport","addressRegion":"FL","postalCode":"33837"},
  "numberOfBedrooms":4,"numberOfBathroomsTotal":3,"numberOfFullBathrooms":2,"numberOfPartialBathrooms":1,
  "floorSize":{"@type":"QuantitativeValue","value":2140,"unitCode":"FTK"},
  "image":["/images/a.jpg",{"@type":"ImageObject","url":"https://cdn.example.com/b.jpg"}],
  "description":"Bright &amp; open."},
 {"@type":"Offer","price":379990,"priceCurrency":"USD","availability":"https://schema.org/InStock"}]}</script>
</head><body>
<main class="home-detail" data-home-id="HB-20001" data-home="{&quot;id&quot;:&quot;HB-20001&quot;,&quot;status&quot;:&quot;under-contract&quot;,&quot;garage&quot;:3}">
<h1 class="home-plan">The Osprey</h1><a class="home-community" href="/communities/lakeshore-preserve">Lakeshore Preserve</a>
<p class="home-price">$999,990</p><p class="home-move-in">Ready March 2027</p>
<div class="home-incentive"><strong>Limited time:</strong> $10,000 toward closing costs</div>
<div class="home-gallery"><img class="home-gallery__image" src="/images/a.jpg"><img class="home-gallery__image" src="images/c.jpg"></div>
</main></body></html>`;

const selectorOnlyPage = `<!doctype html><html><head><title>x</title></head><body>
<main class="home-detail" data-home-id="HB-20002">
<h1 class="home-plan">The Pi&ntilde;on</h1>
<p><a class="home-community" href="/communities/cafe-lago">Caf&eacute; Lago at Solivita</a></p>
<p class="home-address">9 Coral Reef Ct, Kissimmee, FL 34759</p>
<span class="home-status home-status--available">Available</span>
<p class="home-price">Call for pricing</p>
<ul><li class="home-beds">5 Beds</li><li class="home-baths">3 Full, 1 Half Baths</li><li class="home-garage">3-Car Garage</li></ul>
<p class="home-move-in">Move-in ready</p>
<div class="home-gallery"><img class="home-gallery__image lazyload" src="data:image/gif;base64,R0lGOD" data-src="/images/p1.jpg">
<img class="home-gallery__image lazyload" src="data:image/gif;base64,R0lGOD" data-src="/images/p2.jpg?w=800&amp;h=600"></div>
<section class="home-description"><p>First paragraph.</p>
<p>Second &amp; last.</p></section>
</main></body></html>`;

const xssPage = `<!doctype html><html><head>
<script type="application/ld+json">{"@type":"Product","sku":"HB-20003","name":"<img src=x onerror=alert(1)>",
"description":"Great home. <script>alert('xss')<\\/script> Close to the lake.","offers":{"@type":"Offer","price":"330990.00"}}</script>
</head><body><main class="home-detail" data-home-id="HB-20003" data-home='{"plan":"&lt;img src=x onerror=alert(1)&gt;","incentive":"<b onmouseover=\\"alert(2)\\">$7,500</b> toward closing costs"}'>
<p class="home-address">1 Main St, Ocala, FL 34476</p>
<h1 class="home-plan">&lt;img src=x onerror=alert(1)&gt;</h1>
<div class="home-incentive">&lt;b onmouseover=&quot;alert(2)&quot;&gt;$7,500&lt;/b&gt; toward closing costs</div>
<section class="home-description"><p>&lt;script&gt;alert('xss')&lt;/script&gt;</p></section>
</main></body></html>`;

describe("holidaybuilders extraction on fixture pages", () => {
  it("uses JSON-LD first; the data layer and the page's classes fill only what it lacks", async () => {
    const raw = await adapter?.extract(jsonLdPage, `${ORIGIN}/homes/1204-lake-sawyer-loop`);
    const listing = await extract(jsonLdPage, `${ORIGIN}/homes/1204-lake-sawyer-loop`);
    expect(listing).toEqual({
      sourceKey: "HB-20001",
      sourceUrl: `${ORIGIN}/homes/1204-lake-sawyer-loop`,
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
      garage: 3,
      // InStock is exact, so the data layer's "under-contract" is not asked.
      status: "available",
      moveInDate: "2027-03-01",
      incentives: "Limited time: $10,000 toward closing costs",
      description: "Bright & open.",
      imageUrls: [`${ORIGIN}/images/a.jpg`, "https://cdn.example.com/b.jpg"],
    });
    expect(raw?.fieldSources).toMatchObject({
      sourceKey: "json_ld",
      addressLine: "json_ld",
      priceCents: "json_ld",
      status: "json_ld",
      bathsFull: "json_ld",
      garage: "selector",
      community: "selector",
      planName: "selector",
      moveInDate: "selector",
      incentives: "selector",
      imageUrls: "json_ld",
    });
  });

  it("reads a page without JSON-LD through its classes: no price, half baths, no sqft, entities, lazy images", async () => {
    const listing = await extract(selectorOnlyPage, `${ORIGIN}/homes/9-coral-reef-ct`);
    expect(listing).toMatchObject({
      sourceKey: "HB-20002",
      addressLine: "9 Coral Reef Ct",
      city: "Kissimmee",
      zip: "34759",
      planName: "The Piñon",
      community: "Café Lago at Solivita",
      priceCents: null,
      beds: 5,
      bathsFull: 3,
      bathsHalf: 1,
      sqft: null,
      garage: 3,
      status: "available",
      moveInDate: null,
      description: "First paragraph. Second & last.",
    });
    expect(listing.imageUrls).toEqual([`${ORIGIN}/images/p1.jpg`, `${ORIGIN}/images/p2.jpg?w=800&h=600`]);
  });

  it("turns script and HTML payloads in JSON-LD, attributes and text into inert text", async () => {
    const listing = await extract(xssPage, `${ORIGIN}/homes/1-main-st`);
    expect(listing.planName).toBe("");
    expect(listing.description).toBe("Great home. Close to the lake.");
    expect(listing.incentives).toBe("$7,500 toward closing costs");
    expect(listing.priceCents).toBe(33_099_000);
    expect(JSON.stringify(listing)).not.toMatch(/<[a-z!/?]|onerror|onmouseover/i);
  });

  it("finds nothing on a page without listing markup", async () => {
    const page = `<html><body><div class="pdp"><h2 class="pdp__name">The Osprey</h2><div class="pdp__cost">$379,990</div></div></body></html>`;
    expect(await adapter?.extract(page, `${ORIGIN}/homes/x`)).toBeNull();
  });

  it("survives broken JSON-LD and falls back to the page", async () => {
    const page = selectorOnlyPage.replace(
      "<title>x</title>",
      `<script type="application/ld+json">{"@type": "House",</script>`,
    );
    expect((await extract(page, `${ORIGIN}/homes/9`)).beds).toBe(5);
  });
});

describe("page helpers", () => {
  it("reads sitemaps and sitemap indexes, with entities and CDATA", () => {
    expect(
      readSitemap(`<?xml version="1.0"?><urlset><url><loc> ${ORIGIN}/homes/a?x=1&amp;y=2 </loc></url>
<url><loc><![CDATA[${ORIGIN}/homes/b]]></loc></url></urlset>`),
    ).toEqual({ pages: [`${ORIGIN}/homes/a?x=1&y=2`, `${ORIGIN}/homes/b`], sitemaps: [] });
    expect(
      readSitemap(`<sitemapindex><sitemap><loc>${ORIGIN}/homes.xml</loc></sitemap></sitemapindex>`),
    ).toEqual({
      pages: [],
      sitemaps: [`${ORIGIN}/homes.xml`],
    });
  });

  it("reads links and the rel=next page, resolved against the page", async () => {
    const page = `<head><link rel="next" href="?page=3"></head><body><a href="/homes/a">A</a>
<a href="b#photos">B</a><a rel="nofollow next" href="?page=9">Next</a><a href="mailto:x@y.z">mail</a></body>`;
    expect(await readLinks(page, `${ORIGIN}/quick-move-in?page=2`)).toEqual({
      links: [`${ORIGIN}/homes/a`, `${ORIGIN}/b#photos`, `${ORIGIN}/quick-move-in?page=9`, "mailto:x@y.z"],
      next: `${ORIGIN}/quick-move-in?page=3`,
    });
  });
});

describe("holidaybuilders extraction paths", () => {
  it("needs nothing but JSON-LD and the data layer on a current page; an ambiguous availability defers", async () => {
    const layer = JSON.stringify({
      id: "HB-30001",
      community: "Heron Bay",
      plan: "The Heron",
      status: "sold",
      price: null,
      garage: 3,
      address: "5 Egret Landing Dr, Kissimmee, FL 34746",
      moveIn: "Move-in ready",
      incentive: "",
    });
    // LimitedAvailability is ambiguous: the site's own status decides.
    const page = `<html><head><script type="application/ld+json">{"@type":"Product","image":"/a.jpg",
"description":"Lake view.","offers":{"@type":"Offer","availability":"https://schema.org/LimitedAvailability"}}</script></head>
<body><main data-home-id="HB-30001" data-home='${layer.replaceAll("&", "&amp;")}'><h1>The Heron</h1></main></body></html>`;
    expect(await extract(page, `${ORIGIN}/homes/5-egret`)).toMatchObject({
      sourceKey: "HB-30001",
      addressLine: "5 Egret Landing Dr",
      city: "Kissimmee",
      zip: "34746",
      community: "Heron Bay",
      planName: "The Heron",
      priceCents: null,
      status: "sold",
      garage: 3,
      moveInDate: null,
      incentives: "",
      description: "Lake view.",
      imageUrls: [`${ORIGIN}/a.jpg`],
    });
  });

  it("reads nested field elements and ignores marker look-alikes in page text", async () => {
    const page = `<main data-home-id="HB-30002"><p class="home-address">9 Coral Reef Ct, Ocala, FL 34476</p>
<div class="home-incentive">Save <span class="home-price">$5,000</span> now \u0001fake:price\u0002</div>
<p class="home-price">$312,990</p></main>`;
    const listing = await extract(page, `${ORIGIN}/homes/9-coral`);
    expect(listing.incentives).toBe("Save $5,000 now fake:price");
    // The first home-price element wins, even inside another field.
    expect(listing.priceCents).toBe(500_000);
  });
});

describe.each(THEMES)("holidaybuilders extraction on the fake site's pages (%s theme)", (theme) => {
  let site: BuilderSiteControl;
  let homes: BuilderHome[];

  beforeAll(async () => {
    site = await builderSiteControl(inject("builderSiteUrl")).newInstance(36, theme);
  });

  beforeEach(async () => {
    await site.reset(36);
    homes = await site.homes();
  });

  async function page(home: BuilderHome): Promise<{ html: string; url: string }> {
    const url = `${site.url}${home.path}`;
    const response = await fetch(url);
    expect(response.status).toBe(200);
    return { html: await response.text(), url };
  }

  const edge = (name: string) => {
    const home = homes.find((h) => h.edgeCase === name);
    if (!home) throw new Error(`no ${name} home in the seed`);
    return home;
  };

  it("extracts every seeded home exactly as the site shows it (classic: in all four markup variants)", async () => {
    expect(new Set(homes.map((h) => h.markup))).toEqual(
      new Set(["jsonld-residence", "jsonld-product", "jsonld-house", "html"]),
    );
    expect(new Set(homes.map((h) => h.status))).toEqual(new Set(["Available", "Under Contract", "Sold"]));
    for (const home of homes) {
      const { html, url } = await page(home);
      const listing = await extract(html, url);
      const context = `${home.slug} (${home.markup})`;
      expect(listing.sourceKey, context).toBe(home.id);
      expect(listing.sourceUrl, context).toBe(url);
      expect([listing.addressLine, listing.city, listing.state, listing.zip], context).toEqual([
        home.address,
        home.city,
        "FL",
        home.zip,
      ]);
      expect(listing.community, context).toBe(home.communityName);
      expect(listing.priceCents, context).toBe(home.price === null ? null : home.price * 100);
      expect(listing.beds, context).toBe(home.beds);
      expect([listing.bathsFull, listing.bathsHalf], context).toEqual([
        Math.floor(home.baths),
        home.baths % 1 ? 1 : 0,
      ]);
      expect(listing.sqft, context).toBe(home.sqft);
      expect(listing.garage, context).toBe(home.garage);
      expect(listing.status, context).toBe(home.status.toLowerCase().replace(" ", "_"));
      expect(listing.moveInDate === null, context).toBe(home.moveIn === "Move-in ready");
      expect(listing.imageUrls, context).toEqual(home.images.map((src) => `${site.url}${src}`));
      if (!home.edgeCase) {
        expect(listing.planName, context).toBe(home.planName);
        expect(listing.description, context).toBe(home.description.replace(/\s+/g, " "));
        // The legacy template shows the offer after a "Limited time:" label; the data layer has it bare.
        const label =
          theme === "classic" && home.markup === "html" && home.incentives ? "Limited time: " : "";
        expect(listing.incentives, context).toBe(`${label}${home.incentives}`);
      }
    }
  });

  it("keeps unicode names intact", async () => {
    const home = edge("unicode");
    const listing = await extract(...(Object.values(await page(home)) as [string, string]));
    expect(listing.community).toBe("Café Lago at Solivita");
    expect(listing.planName).toBe("The Piñon");
  });

  it("reads Call for pricing, half baths, missing square feet and a month-only move-in date", async () => {
    const priceless = await page(edge("call-for-pricing"));
    expect((await extract(priceless.html, priceless.url)).priceCents).toBeNull();
    const legacy = await page(edge("half-baths-html-only"));
    if (theme === "classic") {
      expect(legacy.html).not.toContain('application/ld+json">{"@context":"https://schema.org","@graph');
    }
    expect(await extract(legacy.html, legacy.url)).toMatchObject({ bathsFull: 2, bathsHalf: 1 });
    const noSqft = await page(edge("missing-sqft"));
    expect((await extract(noSqft.html, noSqft.url)).sqft).toBeNull();
    const future = await page(edge("future-move-in"));
    expect((await extract(future.html, future.url)).moveInDate).toBe("2027-03-01");
  });

  it("caps the 20 KB description at 20,000 characters of plain text", async () => {
    const home = edge("long-description");
    expect(home.description.length).toBeGreaterThan(20_000);
    const { html, url } = await page(home);
    const listing = await extract(html, url);
    expect(listing.description.length).toBeLessThanOrEqual(20_000);
    expect(listing.description.length).toBeGreaterThan(19_900);
    expect(listing.description.startsWith("Feature 1: ")).toBe(true);
  });

  it("turns the seeded script and HTML payloads into inert text", async () => {
    const { html, url } = await page(edge("xss"));
    expect(html).toContain("&lt;script&gt;");
    const listing = await extract(html, url);
    expect(listing.planName).toBe("");
    expect(listing.description).toBe('Great home. Close to the lake & "trails".');
    expect(listing.incentives).toBe("$7,500 toward closing costs");
    expect(JSON.stringify(listing)).not.toMatch(/<[a-z!/?]|onerror|onmouseover/i);
  });

  it("shows patched values and keeps the sourceKey when the price changes", async () => {
    const home = homes[10] as BuilderHome;
    const before = await extract(...(Object.values(await page(home)) as [string, string]));
    await site.patchHome(home.slug, { price: 379_990, status: "Under Contract", incentives: "Free pool" });
    const after = await extract(...(Object.values(await page(home)) as [string, string]));
    expect(after.sourceKey).toBe(before.sourceKey);
    expect(after).toMatchObject({
      priceCents: 37_999_000,
      status: "under_contract",
      incentives: "Free pool",
    });
  });

  it("reads Under Contract as under_contract and says where every field came from", async () => {
    const home = edge("under-contract");
    const { html, url } = await page(home);
    const raw = await adapter?.extract(html, url);
    expect((await extract(html, url)).status).toBe("under_contract");
    if (theme === "spec-list") {
      // JSON-LD says only LimitedAvailability, so the badge decides; the spec list gives what JSON-LD lacks.
      expect(html).toContain("https://schema.org/LimitedAvailability");
      expect(raw?.fieldSources).toMatchObject({
        status: "label",
        community: "json_ld",
        planName: "label",
        garage: "label",
        moveInDate: "label",
        sqft: "json_ld",
        bathsFull: "json_ld",
        sourceKey: "json_ld",
      });
    } else {
      expect(raw?.fieldSources).toMatchObject({
        status: "json_ld",
        planName: "selector",
        garage: "selector",
      });
    }
  });

  it("finds nothing on redesigned pages", async () => {
    await site.setMode("redesign");
    const { html, url } = await page(homes[0] as BuilderHome);
    expect(await adapter?.extract(html, url)).toBeNull();
  });
});
