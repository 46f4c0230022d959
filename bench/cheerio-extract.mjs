// The same extraction as worker/src/agents/listing/sources/holidaybuilders.ts, written the usual Node way:
// cheerio.load builds a DOM, then selectors read it. Only the benchmark uses it.
import * as cheerio from "cheerio";

const CLASS_FIELDS = {
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
const LAYER_FIELDS = [
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
]);

const str = (v) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);
const types = (node) => [node["@type"]].flat().filter((t) => typeof t === "string");
const pick = (...values) => values.find((v) => v !== undefined && v !== null && v !== "");

function nodes(blocks) {
  const out = [];
  const visit = (value) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") {
      if (Array.isArray(value["@graph"])) visit(value["@graph"]);
      else out.push(value);
    }
  };
  for (const block of blocks) {
    try {
      visit(JSON.parse(block));
    } catch {}
  }
  return out;
}

function fromJsonLd(blocks) {
  const all = nodes(blocks);
  const listing = all.find((n) => types(n).some((t) => LISTING_TYPES.has(t)));
  if (!listing) return null;
  const offer = [listing.offers].flat()[0] ?? all.find((n) => types(n).includes("Offer"));
  const address = listing.address ?? {};
  const images = [listing.image ?? []]
    .flat()
    .map((i) => (typeof i === "string" ? i : (i?.url ?? i?.contentUrl)));
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
    sqft: str(listing.floorSize?.value),
    description: str(listing.description),
    imageUrls: images.filter(Boolean),
  };
}

function merge(ld, data, text, images) {
  if (!ld && Object.keys(data).length === 0 && Object.keys(text).length === 0) return null;
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
    imageUrls: [...(ld?.imageUrls ?? []), ...images],
  };
}

export function extractWithCheerio(html) {
  const $ = cheerio.load(html);
  const jsonLd = $('script[type="application/ld+json"]')
    .map((_, el) => $(el).text())
    .get();
  const data = {};
  const main = $("[data-home], [data-home-id]").first();
  let layer = {};
  try {
    layer = JSON.parse(main.attr("data-home") ?? "{}") ?? {};
  } catch {}
  for (const [key, field] of LAYER_FIELDS) if (key in layer) data[field] = layer[key];
  if (data.sourceKey === undefined && main.attr("data-home-id")) data.sourceKey = main.attr("data-home-id");
  const ld = fromJsonLd(jsonLd);
  const quick = merge(ld, data, {}, []);
  const known = (field) => field in data || (quick?.[field] !== undefined && quick?.[field] !== "");
  if (quick && NEEDED.every((names) => names.some(known)) && quick.imageUrls.length > 0) return quick;

  const text = {};
  const images = [];
  $('[class^="home-"]:not(main):not(.home-gallery):not(.home-hero)').each((_, el) => {
    const node = $(el);
    const cls = (node.attr("class") ?? "").split(/\s+/, 1)[0];
    if (IMAGE_CLASSES.has(cls)) {
      const src = node.attr("data-src") ?? node.attr("src");
      if (src && !src.startsWith("data:")) images.push(src);
      return;
    }
    const field = CLASS_FIELDS[cls];
    if (field && text[field] === undefined) text[field] = node.text();
  });
  return merge(ld, data, text, images);
}
