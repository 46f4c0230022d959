// Layer 1: schema.org JSON-LD (a residence or product node and its Offer), read generically.
import type { SiteListingStatus } from "db";
import { type JsonLdNode, jsonLdNodes, jsonLdTypes } from "../sources/html";
import type { AddressParts, LayerValues } from "./fields";

const LISTING_TYPES = new Set([
  "SingleFamilyResidence",
  "House",
  "Residence",
  "Accommodation",
  "Apartment",
  "ApartmentComplex",
  "Product",
  "RealEstateListing",
]);
const OFFER_TYPES = new Set(["Offer", "AggregateOffer"]);

/**
 * Every schema.org ItemAvailability value. An ambiguous one says little about a home (a builder may put
 * LimitedAvailability on an Under Contract home): the visible status decides, this is only the fallback.
 */
export const ITEM_AVAILABILITY: Record<string, { status: SiteListingStatus; ambiguous: boolean }> = {
  InStock: { status: "available", ambiguous: false },
  InStoreOnly: { status: "available", ambiguous: false },
  OnlineOnly: { status: "available", ambiguous: false },
  MadeToOrder: { status: "available", ambiguous: false },
  LimitedAvailability: { status: "available", ambiguous: true },
  PreOrder: { status: "available", ambiguous: true },
  PreSale: { status: "available", ambiguous: true },
  BackOrder: { status: "under_contract", ambiguous: true },
  OutOfStock: { status: "sold", ambiguous: true },
  Reserved: { status: "under_contract", ambiguous: false },
  SoldOut: { status: "sold", ambiguous: false },
  Discontinued: { status: "sold", ambiguous: false },
};
const AVAILABILITY_BY_NAME = new Map(
  Object.entries(ITEM_AVAILABILITY).map(([name, value]) => [name.toLowerCase(), value]),
);

/** "https://schema.org/LimitedAvailability", "schema:SoldOut", "InStock" -> its meaning; undefined if unknown. */
export function readAvailability(value: unknown) {
  if (typeof value !== "string") return undefined;
  const name = value
    .trim()
    .replace(/^(?:https?:\/\/schema\.org\/|schema:)/i, "")
    .toLowerCase();
  return AVAILABILITY_BY_NAME.get(name);
}

/** Status as plain words normalizeListing reads ("under_contract" -> "under contract"). */
export const statusWords = (status: SiteListingStatus) => status.replace("_", " ");

const str = (value: unknown): string | undefined =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
const obj = (value: unknown): JsonLdNode | undefined => {
  const first = Array.isArray(value) ? value[0] : value;
  return first && typeof first === "object" ? (first as JsonLdNode) : undefined;
};

/** A string, a number, or a PropertyValue's value. */
const scalar = (value: unknown): string | undefined => str(value) ?? str(obj(value)?.value);

function images(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.flatMap((item) => {
    if (typeof item === "string") return [item];
    const url = str(obj(item)?.url) ?? str(obj(item)?.contentUrl);
    return url ? [url] : [];
  });
}

/** The place a home is in: `containedInPlace` (or the older `containedIn`), as a name. */
function community(node: JsonLdNode): string | undefined {
  const place = node.containedInPlace ?? node.containedIn;
  return str(place) ?? str(obj(place)?.name);
}

/** floorSize in square feet; square metres (MTK, "m²") converted. */
function squareFeet(value: unknown): string | undefined {
  const size = obj(value);
  if (!size) return str(value);
  const amount = str(size.value);
  if (amount === undefined) return undefined;
  const unit = `${str(size.unitCode) ?? ""} ${str(size.unitText) ?? ""}`;
  if (!/\bMTK\b|m²|sq(?:uare)? ?m/i.test(unit)) return amount;
  const metres = Number(amount.replace(/,/g, ""));
  return Number.isFinite(metres) ? String(Math.round(metres * 10.7639)) : undefined;
}

function address(value: unknown): AddressParts | string | undefined {
  if (typeof value === "string") return value;
  const node = obj(value);
  if (!node) return undefined;
  return {
    addressLine: str(node.streetAddress),
    city: str(node.addressLocality),
    state: str(node.addressRegion),
    zip: str(node.postalCode),
  };
}

function offerFor(listing: JsonLdNode, nodes: JsonLdNode[]): JsonLdNode | undefined {
  const own = obj(listing.offers);
  if (own) return own;
  const offers = nodes.filter((n) => jsonLdTypes(n).some((t) => OFFER_TYPES.has(t)));
  const id = listing["@id"];
  return offers.find((offer) => id !== undefined && obj(offer.itemOffered)?.["@id"] === id) ?? offers[0];
}

function baths(node: JsonLdNode) {
  const full = scalar(node.numberOfFullBathrooms);
  const half = scalar(node.numberOfPartialBathrooms);
  if (full !== undefined || half !== undefined) return { bathsFull: full, bathsHalf: half };
  return scalar(node.numberOfBathroomsTotal) ?? scalar(node.numberOfBathrooms);
}

export interface JsonLdRead {
  values: LayerValues;
  /** Set when the offer's availability is ambiguous: plain status words for the fallback. */
  ambiguousStatus?: string;
}

/** The home's facts JSON-LD gives; null when no block describes a residence or product. */
export function readJsonLd(blocks: readonly string[]): JsonLdRead | null {
  if (blocks.length === 0) return null;
  const nodes = jsonLdNodes(blocks);
  const listing = nodes.find((n) => jsonLdTypes(n).some((t) => LISTING_TYPES.has(t)));
  if (!listing) return null;
  // A RealEstateListing usually describes its home in `about` or `mainEntity`.
  const home = obj(listing.about) ?? obj(listing.mainEntity) ?? listing;
  const offer = offerFor(listing, nodes) ?? (home === listing ? undefined : offerFor(home, nodes));
  const availability = readAvailability(offer?.availability);
  const values: LayerValues = {
    sourceKey: scalar(home.identifier) ?? scalar(listing.identifier) ?? str(home.sku) ?? str(listing.sku),
    address: address(home.address),
    community: community(home) ?? community(listing),
    price: offer ? (scalar(offer.price) ?? scalar(offer.lowPrice)) : undefined,
    beds: scalar(home.numberOfBedrooms),
    baths: baths(home),
    sqft: squareFeet(home.floorSize),
    status: availability && !availability.ambiguous ? statusWords(availability.status) : undefined,
    description: str(home.description) ?? str(listing.description),
    imageUrls: images(home.image ?? listing.image),
  };
  return {
    values,
    ambiguousStatus: availability?.ambiguous ? statusWords(availability.status) : undefined,
  };
}
