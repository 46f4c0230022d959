import { encodeHexLowerCase } from "@oslojs/encoding";
import type { ListingEvent, ListingFieldChange } from "db";
import type { NormalizedListing } from "./types";

/** The fields that make up a listing's content; a change in any of them is a change to the listing. */
export const CONTENT_FIELDS = [
  "addressLine",
  "city",
  "state",
  "zip",
  "community",
  "planName",
  "priceCents",
  "beds",
  "bathsFull",
  "bathsHalf",
  "sqft",
  "garage",
  "status",
  "moveInDate",
  "incentives",
  "description",
  "imageUrls",
  "sourceUrl",
] as const satisfies readonly (keyof NormalizedListing)[];

/** A listing's content as scraped, or as stored (where it may also be off the market). */
export type ListingContent = Omit<Pick<NormalizedListing, (typeof CONTENT_FIELDS)[number]>, "status"> & {
  status: NormalizedListing["status"] | "off_market";
};

export async function contentHash(listing: ListingContent): Promise<string> {
  const canonical = JSON.stringify(CONTENT_FIELDS.map((field) => listing[field]));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical));
  return encodeHexLowerCase(new Uint8Array(digest));
}

export function diffContent(
  before: ListingContent,
  after: ListingContent,
): Record<string, ListingFieldChange> {
  const changes: Record<string, ListingFieldChange> = {};
  for (const field of CONTENT_FIELDS) {
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) {
      changes[field] = { from: before[field], to: after[field] };
    }
  }
  return changes;
}

/** The marketing events in a change: a price drop, a new status, or a new (non-empty) incentive. */
export function eventsOf(before: ListingContent, after: ListingContent): ListingEvent[] {
  const events: ListingEvent[] = [];
  if (before.status !== after.status) events.push("status_change");
  if (before.priceCents !== null && after.priceCents !== null && after.priceCents < before.priceCents) {
    events.push("price_drop");
  }
  if (after.incentives && after.incentives !== before.incentives) events.push("new_incentive");
  return events;
}
