import { SITE_LISTING_STATUSES, type SiteListingStatus } from "db/rules";

export type ListingStatus = SiteListingStatus;

export const LISTING_STATUSES: readonly ListingStatus[] = SITE_LISTING_STATUSES;

export const MAX_TEXT_LENGTH = 20_000;
export const MAX_IMAGES = 20;

/** One home for sale, as the listing agent stores it. Every string is plain text (no HTML). */
export interface NormalizedListing {
  /** Stable id from the site (data-home-id, JSON-LD identifier/sku, else the URL slug); price changes keep it. */
  sourceKey: string;
  /** Absolute detail URL; null for manual uploads. */
  sourceUrl: string | null;
  addressLine: string;
  city: string;
  /** Two-letter code, upper case. */
  state: string;
  /** Five digits, or ZIP+4. */
  zip: string;
  community: string;
  planName: string;
  /** null for "Call for pricing". */
  priceCents: number | null;
  beds: number | null;
  /** "2.5 baths" -> 2 full, 1 half. */
  bathsFull: number | null;
  bathsHalf: number | null;
  sqft: number | null;
  garage: number | null;
  status: ListingStatus;
  /**
   * ISO yyyy-mm-dd when the site names a date; a month alone ("Ready March 2027") gives its first day.
   * null means ready now ("Move-in ready") or no date the parser understands.
   */
  moveInDate: string | null;
  incentives: string;
  description: string;
  /** Absolute http(s) URLs, deduplicated, at most MAX_IMAGES. */
  imageUrls: string[];
}

/** Loosely typed fields as found on a page or typed by a person (manual upload uses the same normalization). */
export interface RawListing {
  [field: string]: unknown;
}

export type NormalizeResult = { ok: true; listing: NormalizedListing } | { ok: false; error: string };
