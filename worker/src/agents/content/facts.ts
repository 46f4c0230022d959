import type { listings } from "db";
import type { ListingFacts } from "./types";

type ListingRow = typeof listings.$inferSelect;

/** The writer's view of a stored listing. */
export function listingFacts(
  row: Pick<
    ListingRow,
    | "addressLine"
    | "city"
    | "state"
    | "zip"
    | "community"
    | "planName"
    | "priceCents"
    | "previousPriceCents"
    | "beds"
    | "bathsFull"
    | "bathsHalf"
    | "sqft"
    | "garage"
    | "status"
    | "moveInDate"
    | "incentives"
    | "description"
    | "imageUrls"
    | "sourceUrl"
  >,
): ListingFacts {
  return {
    addressLine: row.addressLine,
    city: row.city,
    state: row.state,
    zip: row.zip,
    community: row.community,
    planName: row.planName,
    priceCents: row.priceCents,
    previousPriceCents: row.previousPriceCents,
    beds: row.beds,
    bathsFull: row.bathsFull,
    bathsHalf: row.bathsHalf,
    sqft: row.sqft,
    garage: row.garage,
    status: row.status,
    moveInDate: row.moveInDate,
    incentives: row.incentives,
    description: row.description,
    imageUrls: row.imageUrls,
    sourceUrl: row.sourceUrl,
  };
}

const group = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** "$389,990" (whole dollars: builder prices have no cents). */
export const formatUsd = (cents: number) => `$${group(Math.round(cents / 100))}`;
export const formatBeds = (beds: number) => plural(beds, "bedroom", "bedrooms");
export const formatSqft = (sqft: number) => `${group(sqft)} sq ft`;

/** 2 full + 1 half -> 2.5; other half-bath counts cannot be written as one number. */
export function bathCount(listing: Pick<ListingFacts, "bathsFull" | "bathsHalf">): number | null {
  if (listing.bathsFull === null) return null;
  const half = listing.bathsHalf ?? 0;
  return half === 1 ? listing.bathsFull + 0.5 : half === 0 ? listing.bathsFull : null;
}

/** "2.5 baths", "1 bath", or "2 full and 2 half baths". */
export function formatBaths(listing: Pick<ListingFacts, "bathsFull" | "bathsHalf">): string | null {
  if (listing.bathsFull === null) return null;
  const count = bathCount(listing);
  if (count !== null) return `${count} ${count === 1 ? "bath" : "baths"}`;
  return `${listing.bathsFull} full and ${listing.bathsHalf} half baths`;
}

/** "March 2027": the day is dropped because a month-only date is stored as its first day. */
export function formatMoveIn(iso: string | null): string | null {
  const match = iso && /^(\d{4})-(\d{2})/.exec(iso);
  if (!match) return null;
  const month = MONTHS[Number(match[2]) - 1];
  return month ? `${month} ${match[1]}` : null;
}

/** The drop in price, when the listing records one. */
export function savingsCents(
  listing: Pick<ListingFacts, "priceCents" | "previousPriceCents">,
): number | null {
  const { priceCents, previousPriceCents } = listing;
  if (priceCents === null || previousPriceCents === null || previousPriceCents <= priceCents) return null;
  return previousPriceCents - priceCents;
}

/** Scraped text is plain already; this also drops any markup and control characters that slipped through. */
export function plainText(value: string, max = 600): string {
  const text = value
    .replace(/<[^>]*>/g, " ")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

/** Ready-made phrases for every fact, so prompts and templates write numbers the same way. */
export function displayFacts(listing: ListingFacts) {
  const savings = savingsCents(listing);
  return {
    price: listing.priceCents === null ? null : formatUsd(listing.priceCents),
    previousPrice:
      savings === null || listing.previousPriceCents === null ? null : formatUsd(listing.previousPriceCents),
    savings: savings === null ? null : formatUsd(savings),
    beds: listing.beds === null ? null : formatBeds(listing.beds),
    baths: formatBaths(listing),
    sqft: listing.sqft === null ? null : formatSqft(listing.sqft),
    garage: listing.garage ? `${listing.garage}-car garage` : null,
    moveIn: formatMoveIn(listing.moveInDate),
  };
}
export type DisplayFacts = ReturnType<typeof displayFacts>;
