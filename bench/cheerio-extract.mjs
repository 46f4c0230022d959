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

const AVAILABILITY = {
  instock: ["available", false],
  instoreonly: ["available", false],
  onlineonly: ["available", false],
  madetoorder: ["available", false],
  limitedavailability: ["available", true],
  preorder: ["available", true],
  presale: ["available", true],
  backorder: ["under contract", true],
  outofstock: ["sold", true],
  reserved: ["under contract", false],
  soldout: ["sold", false],
  discontinued: ["sold", false],
};
const availability = (value) =>
  typeof value === "string"
    ? AVAILABILITY[value.replace(/^(?:https?:\/\/schema\.org\/|schema:)/i, "").toLowerCase()]
    : undefined;
const first = (value) => (Array.isArray(value) ? value[0] : value);
const scalar = (value) => str(value) ?? str(first(value)?.value);

function fromJsonLd(blocks) {
  const all = nodes(blocks);
  const listing = all.find((n) => types(n).some((t) => LISTING_TYPES.has(t)));
  if (!listing) return null;
  const offers = all.filter((n) => types(n).includes("Offer") || types(n).includes("AggregateOffer"));
  const offer =
    first(listing.offers) ??
    offers.find((o) => listing["@id"] !== undefined && o.itemOffered?.["@id"] === listing["@id"]) ??
    offers[0];
  const address = first(listing.address);
  const images = [listing.image ?? []]
    .flat()
    .map((i) => (typeof i === "string" ? i : (i?.url ?? i?.contentUrl)));
  const full = scalar(listing.numberOfFullBathrooms);
  const half = scalar(listing.numberOfPartialBathrooms);
  const place = listing.containedInPlace ?? listing.containedIn;
  const size = first(listing.floorSize);
  const unit = `${size?.unitCode ?? ""} ${size?.unitText ?? ""}`;
  const sqftValue = str(size?.value);
  const meaning = availability(offer?.availability);
  return {
    values: {
      sourceKey: scalar(listing.identifier) ?? str(listing.sku),
      address:
        typeof address === "string"
          ? address
          : address
            ? {
                addressLine: str(address.streetAddress),
                city: str(address.addressLocality),
                state: str(address.addressRegion),
                zip: str(address.postalCode),
              }
            : undefined,
      community: str(place) ?? str(first(place)?.name),
      price: offer ? (scalar(offer.price) ?? scalar(offer.lowPrice)) : undefined,
      beds: scalar(listing.numberOfBedrooms),
      baths:
        full !== undefined || half !== undefined
          ? { bathsFull: full, bathsHalf: half }
          : scalar(listing.numberOfBathroomsTotal),
      sqft:
        sqftValue && /\bMTK\b|m²/i.test(unit)
          ? String(Math.round(Number(sqftValue.replace(/,/g, "")) * 10.7639))
          : sqftValue,
      status: meaning && !meaning[1] ? meaning[0] : undefined,
      description: str(listing.description),
      imageUrls: images.filter(Boolean),
    },
    ambiguous: meaning?.[1] ? meaning[0] : undefined,
  };
}

const FIELDS = [
  "sourceKey",
  "address",
  "community",
  "planName",
  "price",
  "beds",
  "baths",
  "sqft",
  "garage",
  "status",
  "moveIn",
  "incentives",
  "description",
  "imageUrls",
];
const known = (field, value) => {
  if (value === undefined || value === null) return false;
  if (typeof value === "string") return value.trim() !== "" || field === "incentives";
  if (typeof value === "number") return true;
  if (Array.isArray(value)) return value.length > 0;
  if (field === "address") return Boolean(value.addressLine);
  return value.bathsFull !== undefined || value.bathsHalf !== undefined;
};
const fill = (target, values) => {
  for (const field of FIELDS)
    if (!known(field, target[field]) && known(field, values[field])) target[field] = values[field];
  return target;
};

const LABELS = {
  community: "community",
  neighborhood: "community",
  plan: "planName",
  "floor plan": "planName",
  model: "planName",
  garage: "garage",
  "car garage": "garage",
  "move in": "moveIn",
  available: "moveIn",
  "estimated move in": "moveIn",
  "estimated completion": "moveIn",
  status: "status",
  availability: "status",
  price: "price",
  "starting at": "price",
  "sale price": "price",
  beds: "beds",
  bedrooms: "beds",
  baths: "baths",
  bathrooms: "baths",
  "square feet": "sqft",
  "sq ft": "sqft",
  address: "address",
  "special offer": "incentives",
  incentive: "incentives",
  incentives: "incentives",
};
const labelField = (label) =>
  LABELS[
    label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, " ")
      .trim()
  ];
const BADGE =
  /^(?:available(?: now)?|under contract|contract pending|sale pending|pending|reserved|sold(?: out)?)$/i;

/** The label layer, the DOM way: dt/dd, th/td, aria-label, then "Label: value" lines and a badge. */
function labels($) {
  const values = {};
  const add = (label, value) => {
    const field = labelField(label);
    const text = value.replace(/\s+/g, " ").trim();
    if (field && text && values[field] === undefined) values[field] = text;
  };
  $("dt").each((_, el) => add($(el).text(), $(el).next("dd").text()));
  $("tr").each((_, el) => {
    const cells = $(el).children("th, td");
    if (cells.length === 2) add(cells.eq(0).text(), cells.eq(1).text());
  });
  $("[aria-label]").each((_, el) => {
    const label = $(el).attr("aria-label") ?? "";
    const colon = label.indexOf(":");
    if (colon > 0) add(label.slice(0, colon), label.slice(colon + 1));
    else add(label, $(el).text());
  });
  $("body p, body li, body div, body span").each((_, el) => {
    const node = $(el);
    if (node.children("p, li, div").length > 0) return;
    const text = node.text().replace(/\s+/g, " ").trim();
    const colon = text.indexOf(":");
    if (colon > 0 && colon <= 32) add(text.slice(0, colon), text.slice(colon + 1));
    else if (BADGE.test(text)) add("status", text);
  });
  return values;
}

function toRaw(values) {
  const { address, baths, ...rest } = values;
  const raw = { ...rest };
  if (address && typeof address === "object") Object.assign(raw, address);
  else if (address !== undefined) raw.address = address;
  if (baths && typeof baths === "object") Object.assign(raw, baths);
  else if (baths !== undefined) raw.baths = baths;
  return raw;
}

const HINTS = ["itemprop", "<dl", "<th", "aria-label"];

export function extractWithCheerio(html) {
  const $ = cheerio.load(html);
  const jsonLd = $('script[type="application/ld+json"]')
    .map((_, el) => $(el).text())
    .get();
  const data = {};
  const main = $("main").first();
  let layer = {};
  try {
    layer = JSON.parse(main.attr("data-home") ?? "{}") ?? {};
  } catch {}
  for (const [key, field] of LAYER_FIELDS) {
    if (typeof layer[key] === "string" || typeof layer[key] === "number") data[field] = layer[key];
  }
  if (data.sourceKey === undefined && main.attr("data-home-id")) data.sourceKey = main.attr("data-home-id");
  const ld = fromJsonLd(jsonLd);
  const values = fill({}, ld?.values ?? {});
  const quick = fill({ ...values }, data);
  if (FIELDS.every((field) => known(field, quick[field])) && !HINTS.some((hint) => html.includes(hint))) {
    return toRaw(quick);
  }

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
  fill(values, labels($));
  fill(values, data);
  fill(values, { ...text, imageUrls: images });
  if (!known("status", values.status) && ld?.ambiguous) values.status = ld.ambiguous;
  const found = FIELDS.some((field) => field !== "status" && known(field, values[field]));
  return found ? toRaw(values) : null;
}
