import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { LISTING_STATUSES, type ListingStatus } from "db/rules";
import type { AppRouter } from "worker/router";

type Outputs = inferRouterOutputs<AppRouter>["listings"];
type ListInput = inferRouterInputs<AppRouter>["listings"]["list"];
type CardOutput = Omit<Outputs["list"]["items"][number], "imageUrls">;
type DetailOutput = Outputs["get"];

// Interfaces, not aliases, so web's declarations can name them without reaching into worker internals.
/** One listing as `listings.list` returns it. */
export interface ListingCard extends CardOutput {}
/** One listing with its photos, description and change history, as `listings.get` returns it. */
export interface ListingDetail extends DetailOutput {}
export type ListingChange = ListingDetail["history"][number];
export { LISTING_STATUSES, SITE_LISTING_STATUSES } from "db/rules";
export type { ListingStatus };
export type ListingSort = NonNullable<ListInput["sort"]>;

export const STATUS_LABELS: Record<ListingStatus, string> = {
  available: "Available",
  under_contract: "Under contract",
  sold: "Sold",
  off_market: "Off market",
};

export const SORT_LABELS: Record<ListingSort, string> = {
  newest: "Newest",
  price_asc: "Price low–high",
  price_desc: "Price high–low",
};

/**
 * The list's filters as they sit in the URL (prices in whole dollars). Every key is always present so no raw,
 * unvalidated value from the URL gets through; undefined ones are left out of the URL.
 */
export type ListingsSearch = {
  status?: ListingStatus;
  community?: string;
  minPrice?: number;
  maxPrice?: number;
  minBeds?: number;
  sort?: Exclude<ListingSort, "newest">;
};

const MAX_PRICE_DOLLARS = 100_000_000;

function wholeNumber(value: unknown, max: number): number | undefined {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= max ? n : undefined;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return allowed.find((option) => option === value);
}

export function parseListingsSearch(search: Record<string, unknown>): ListingsSearch {
  const community =
    typeof search.community === "string" || typeof search.community === "number"
      ? String(search.community).trim().slice(0, 120)
      : "";
  return {
    status: oneOf(search.status, LISTING_STATUSES),
    community: community || undefined,
    minPrice: wholeNumber(search.minPrice, MAX_PRICE_DOLLARS),
    maxPrice: wholeNumber(search.maxPrice, MAX_PRICE_DOLLARS),
    minBeds: wholeNumber(search.minBeds, 20),
    sort: oneOf(search.sort, ["price_asc", "price_desc"]),
  };
}

export function hasFilters(search: ListingsSearch): boolean {
  return (
    search.status !== undefined ||
    search.community !== undefined ||
    search.minPrice !== undefined ||
    search.maxPrice !== undefined ||
    search.minBeds !== undefined
  );
}

/** The `listings.list` input (without cursor) for the filters in the URL. */
export function listInputOf(search: ListingsSearch) {
  return {
    status: search.status,
    community: search.community,
    minPriceCents: search.minPrice === undefined ? undefined : search.minPrice * 100,
    maxPriceCents: search.maxPrice === undefined ? undefined : search.maxPrice * 100,
    minBeds: search.minBeds,
    sort: search.sort ?? "newest",
  } satisfies Omit<ListInput, "cursor">;
}

/**
 * Dollars as typed ("389,990", "$389,990.50") -> cents; "" -> null (no price); undefined when it is not an
 * amount of money.
 */
export function parseDollars(text: string): number | null | undefined {
  const cleaned = text.replace(/[$,\s]/g, "");
  if (cleaned === "") return null;
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return undefined;
  return Math.round(Number(cleaned) * 100);
}

/** A link to the builder's page only when it is a real web address (scraped values are untrusted). */
export function externalUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}
