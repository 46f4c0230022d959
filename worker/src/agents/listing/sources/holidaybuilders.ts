// Holiday Builders (holidaybuilders.com). Written against tools/builder-site, which models the site's shape:
// sitemap + paginated quick move-in index + community pages; detail pages with JSON-LD, a JSON data layer in
// `data-home` on the main element and `home-*` classes. Check them against the live site before relying on it.
import type { Crawler } from "../crawler";
import { decodeEntities } from "../normalize";
import type { RawListing } from "../types";
import type { SourceAdapter } from "./adapter";
import { ContentMarks, type JsonLdNode, jsonLdNodes, jsonLdTypes, readLinks, readSitemap } from "./html";

const DETAIL_PATH = /^\/homes\/[^/]+\/?$/;
const COMMUNITY_PATH = /^\/communities\/[^/]+\/?$/;
const MAX_INDEX_PAGES = 100;
const MAX_CHILD_SITEMAPS = 20;

/** `home-*` class -> raw field; other `home-*` classes are ignored. */
const CLASS_FIELDS: Record<string, string> = {
  "home-plan": "planName",
  "home-community": "community",
  "home-address": "address",
  "home-status": "status",
  "home-price": "price",
  "home-beds": "beds",
  "home-baths": "baths",
  "home-sqft": "sqft",
  "home-garage": "garage",
  "home-move-in": "moveIn",
  "home-incentive": "incentives",
  "home-description": "description",
};
const IMAGE_CLASSES = new Set(["home-gallery__image", "home-hero__image"]);
// Elements without content, which cannot be wrapped.
const VOID_TAGS = new Set([
  "img",
  "br",
  "hr",
  "input",
  "meta",
  "link",
  "source",
  "area",
  "col",
  "embed",
  "wbr",
]);

/** Keys of the data layer (JSON in `data-home` on the main element, read by the site's analytics) -> raw field. */
const LAYER_FIELDS: [string, string][] = [
  ["id", "sourceKey"],
  ["community", "community"],
  ["plan", "planName"],
  ["status", "status"],
  ["price", "price"],
  ["beds", "beds"],
  ["baths", "baths"],
  ["sqft", "sqft"],
  ["garage", "garage"],
  ["address", "address"],
  ["moveIn", "moveIn"],
  ["incentive", "incentives"],
];

/** When the structured pass leaves one of these unknown (any name of a group will do), the visible text is read. */
const NEEDED = [
  ["sourceKey"],
  ["address", "addressLine"],
  ["planName"],
  ["community"],
  ["status"],
  ["beds"],
  ["baths", "bathsFull"],
  ["moveIn"],
  ["incentives"],
  ["description"],
];

const LISTING_TYPES = new Set([
  "SingleFamilyResidence",
  "House",
  "Residence",
  "Accommodation",
  "Apartment",
  "Product",
  "RealEstateListing",
]);

interface Structured {
  jsonLd: string[];
  /** Data-layer fields present on the page, empty ones included: "" incentive means none, not unknown. */
  data: Record<string, unknown>;
}

interface Visible {
  text: Record<string, string>;
  images: string[];
}

// Every call between the parser and JS (a handler, a getAttribute, a prepend) costs 5-25 µs here, more than
// parsing the page. So the common path makes about five: a marker per JSON-LD block and one attribute of one
// element; the class handler, a few calls per field, runs only when those leave a field unknown.

/** Pass 1: JSON-LD blocks and the data layer. */
async function readStructured(html: string): Promise<Structured> {
  const marks = new ContentMarks();
  let layer: string | null = null;
  let homeId: string | null = null;
  const output = await new HTMLRewriter()
    .on('script[type="application/ld+json"]', {
      element(el) {
        marks.markScript(el);
      },
    })
    // A tag selector: attribute-only selectors ("[data-home]") cost the matcher about 10 µs more per page.
    .on("main", {
      element(el) {
        if (layer !== null) return;
        layer = el.getAttribute("data-home");
        if (layer === null) homeId ??= el.getAttribute("data-home-id");
      },
    })
    .transform(new Response(html))
    .text();
  const data = readLayer(layer);
  if (homeId && data.sourceKey === undefined) data.sourceKey = homeId;
  return { jsonLd: marks.readScripts(output), data };
}

/** Attribute values come raw from the rewriter: entities first, then JSON. A broken layer counts as none. */
function readLayer(layer: string | null): Record<string, unknown> {
  if (layer === null) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeEntities(layer));
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== "object") return {};
  const data: Record<string, unknown> = {};
  for (const [key, field] of LAYER_FIELDS) {
    if (key in parsed) data[field] = (parsed as Record<string, unknown>)[key];
  }
  return data;
}

/** Pass 2: visible text by `home-*` class (as markup, for normalizeListing to clean), and gallery images. */
async function readVisible(html: string): Promise<Visible> {
  const found: Visible = { text: {}, images: [] };
  const marks = new ContentMarks();
  const output = await new HTMLRewriter()
    // Containers are left out of the selector: they only hold other fields.
    .on('[class^="home-"]:not(main):not(.home-gallery):not(.home-hero)', {
      element(el) {
        const cls = (el.getAttribute("class") ?? "").split(/\s+/, 1)[0] ?? "";
        if (IMAGE_CLASSES.has(cls)) {
          const src = el.getAttribute("data-src") ?? el.getAttribute("src");
          if (src && !src.startsWith("data:")) found.images.push(src);
          return;
        }
        const field = CLASS_FIELDS[cls];
        if (field && !VOID_TAGS.has(el.tagName)) marks.wrap(el, field);
      },
    })
    .transform(new Response(html))
    .text();
  // The first element of a class wins.
  for (const { label, content } of marks.read(output)) found.text[label] ??= content;
  return found;
}

const str = (value: unknown): string | undefined =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;

function nodeImages(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.flatMap((item) => {
    if (typeof item === "string") return [item];
    if (item && typeof item === "object") {
      const url = str((item as JsonLdNode).url) ?? str((item as JsonLdNode).contentUrl);
      return url ? [url] : [];
    }
    return [];
  });
}

function offerOf(node: JsonLdNode, offers: JsonLdNode[]): JsonLdNode | undefined {
  const own = Array.isArray(node.offers) ? node.offers[0] : node.offers;
  if (own && typeof own === "object") return own as JsonLdNode;
  return offers[0];
}

/** The listing facts JSON-LD gives, under RawListing names. */
function fromJsonLd(blocks: string[]): RawListing | null {
  const nodes = jsonLdNodes(blocks);
  const listing = nodes.find((n) => jsonLdTypes(n).some((t) => LISTING_TYPES.has(t)));
  if (!listing) return null;
  const offers = nodes.filter((n) => jsonLdTypes(n).some((t) => t === "Offer" || t === "AggregateOffer"));
  const offer = offerOf(listing, offers);
  const address = (
    listing.address && typeof listing.address === "object" ? listing.address : {}
  ) as JsonLdNode;
  const floor = (
    listing.floorSize && typeof listing.floorSize === "object" ? listing.floorSize : {}
  ) as JsonLdNode;
  const floorValue = typeof floor.value === "number" ? floor.value : Number(str(floor.value));
  const sqft =
    floor.unitCode === "MTK" && Number.isFinite(floorValue) ? Math.round(floorValue * 10.7639) : floor.value;
  return {
    sourceKey: str(listing.identifier) ?? str(listing.sku),
    addressLine: str(address.streetAddress),
    city: str(address.addressLocality),
    state: str(address.addressRegion),
    zip: str(address.postalCode),
    price: offer ? (str(offer.price) ?? str(offer.lowPrice)) : undefined,
    availability: offer ? str(offer.availability) : undefined,
    beds: str(listing.numberOfBedrooms),
    bathsFull: str(listing.numberOfFullBathrooms),
    bathsHalf: str(listing.numberOfPartialBathrooms),
    baths: str(listing.numberOfBathroomsTotal),
    sqft: str(sqft),
    description: str(listing.description),
    imageUrls: nodeImages(listing.image),
  };
}

/** JSON-LD first, then the data layer, then visible text; status prefers what the page shows. */
function merge(structured: Structured, visible: Visible | null): RawListing | null {
  const ld = fromJsonLd(structured.jsonLd);
  const data = structured.data;
  const text = visible?.text ?? {};
  const found = ld !== null || Object.keys(data).length > 0 || Object.keys(text).length > 0;
  if (!found) return null;
  const pick = (...values: unknown[]) => values.find((v) => v !== undefined && v !== null && v !== "");
  return {
    sourceKey: pick(data.sourceKey, ld?.sourceKey),
    addressLine: ld?.addressLine,
    city: ld?.city,
    state: ld?.state,
    zip: ld?.zip,
    address: pick(data.address, text.address),
    community: pick(data.community, text.community),
    planName: pick(data.planName, text.planName),
    price: pick(ld?.price, data.price, text.price),
    beds: pick(ld?.beds, data.beds, text.beds),
    baths: pick(ld?.baths, data.baths, text.baths),
    bathsFull: ld?.bathsFull,
    bathsHalf: ld?.bathsHalf,
    sqft: pick(ld?.sqft, data.sqft, text.sqft),
    garage: pick(data.garage, text.garage),
    status: pick(data.status, text.status, ld?.availability),
    moveIn: pick(data.moveIn, text.moveIn),
    incentives: pick(data.incentives, text.incentives),
    description: pick(ld?.description, text.description),
    imageUrls: [...((ld?.imageUrls as string[] | undefined) ?? []), ...(visible?.images ?? [])],
  };
}

/** Whether the structured pass alone answered every field the visible text could add. */
function structuredIsEnough(structured: Structured, raw: RawListing | null): boolean {
  if (!raw) return false;
  const known = (field: string) =>
    field in structured.data || (raw[field] !== undefined && raw[field] !== "");
  return NEEDED.every((names) => names.some(known)) && (raw.imageUrls as string[]).length > 0;
}

function classify(crawler: Crawler, link: string, homes: Set<string>, communities: Set<string>) {
  const url = crawler.resolve(link);
  if (!url) return;
  if (DETAIL_PATH.test(url.pathname)) {
    homes.add(`${url.origin}${url.pathname.replace(/\/$/, "")}`);
  } else if (COMMUNITY_PATH.test(url.pathname)) {
    communities.add(`${url.origin}${url.pathname.replace(/\/$/, "")}`);
  }
}

async function discover(crawler: Crawler): Promise<string[]> {
  const homes = new Set<string>();
  const communities = new Set<string>();
  const add = (link: string) => classify(crawler, link, homes, communities);

  const sitemap = await crawler.get("/sitemap.xml");
  if (sitemap) {
    const entries = readSitemap(sitemap.body);
    entries.pages.forEach(add);
    const children = entries.sitemaps.slice(0, MAX_CHILD_SITEMAPS);
    await crawler.map(children, async (child) => {
      const page = await crawler.get(child);
      if (page) readSitemap(page.body).pages.forEach(add);
    });
  }

  // The quick move-in index catches homes a stale sitemap misses; follow rel="next" until it ends.
  const seen = new Set<string>();
  let next: string | null = new URL("/quick-move-in", crawler.origin).href;
  while (next && !seen.has(next) && seen.size < MAX_INDEX_PAGES) {
    seen.add(next);
    const page = await crawler.get(next);
    if (!page) break;
    const found = await readLinks(page.body, page.url);
    found.links.forEach(add);
    next = found.next;
  }

  if (communities.size === 0) {
    const home = await crawler.get("/");
    if (home) (await readLinks(home.body, home.url)).links.forEach(add);
  }
  await crawler.map([...communities], async (community) => {
    const page = await crawler.get(community);
    if (page) (await readLinks(page.body, page.url)).links.forEach(add);
  });
  return [...homes];
}

export const holidayBuilders: SourceAdapter = {
  name: "holidaybuilders",
  discover,
  async extract(html) {
    const structured = await readStructured(html);
    const quick = merge(structured, null);
    if (structuredIsEnough(structured, quick)) return quick;
    return merge(structured, await readVisible(html));
  },
};
