import { LISTING_STATUSES, SITE_LISTING_STATUSES } from "db/rules";
import * as z from "zod/mini";
import { text } from "./common";

const cents = z.int().check(z.minimum(0, "Must be 0 or more"), z.maximum(100_000_000_00, "Too large"));

export const listInput = z.object({
  cursor: z.optional(z.string().check(z.maxLength(200))),
  limit: z._default(z.int().check(z.minimum(1), z.maximum(100)), 24),
  status: z.optional(z.enum(LISTING_STATUSES)),
  community: z.optional(text(120, 0, "Community")),
  minPriceCents: z.optional(cents),
  maxPriceCents: z.optional(cents),
  minBeds: z.optional(z.int().check(z.minimum(0), z.maximum(20))),
  sort: z._default(z.enum(["newest", "price_asc", "price_desc"]), "newest"),
});

export const listingIdInput = z.object({ id: z.string().check(z.minLength(1), z.maxLength(64)) });

export const ingestionRunsInput = z.object({
  cursor: z.optional(z.string().check(z.maxLength(200))),
  limit: z._default(z.int().check(z.minimum(1), z.maximum(50)), 20),
});

export const ingestionRunIdInput = z.object({ id: z.string().check(z.minLength(1), z.maxLength(64)) });

const httpUrl = z.string().check(
  z.trim(),
  z.maxLength(2048, "Image URL is too long"),
  z.refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === "https:" || url.protocol === "http:";
    } catch {
      return false;
    }
  }, "Image URLs must start with http:// or https://"),
);

export const manualListingInput = z.object({
  addressLine: text(200, 1, "Address"),
  city: text(100, 1, "City"),
  state: z._default(
    z.string().check(z.trim(), z.toUpperCase(), z.regex(/^[A-Z]{2}$/, "Use the two-letter state code")),
    "FL",
  ),
  zip: z.string().check(z.trim(), z.regex(/^\d{5}(-\d{4})?$/, "Enter a 5-digit ZIP code")),
  community: z._default(text(120, 0, "Community"), ""),
  planName: z._default(text(120, 0, "Plan name"), ""),
  priceCents: z.nullable(cents),
  beds: z.nullable(
    z.int().check(z.minimum(0, "Beds must be 0 or more"), z.maximum(20, "Beds must be 20 or fewer")),
  ),
  baths: z.nullable(
    z
      .number()
      .check(
        z.minimum(0, "Baths must be 0 or more"),
        z.maximum(20, "Baths must be 20 or fewer"),
        z.multipleOf(0.5, "Use whole or half baths, like 2.5"),
      ),
  ),
  sqft: z.nullable(
    z
      .int()
      .check(z.minimum(100, "Square feet looks too small"), z.maximum(50_000, "Square feet looks too large")),
  ),
  garage: z.nullable(z.int().check(z.minimum(0), z.maximum(10, "Garage must be 10 cars or fewer"))),
  status: z._default(z.enum(SITE_LISTING_STATUSES), "available"),
  moveInDate: z.nullable(z.iso.date("Use a date like 2027-03-01")),
  incentives: z._default(text(2000, 0, "Incentives"), ""),
  description: z._default(text(20_000, 0, "Description"), ""),
  imageUrls: z._default(z.array(httpUrl).check(z.maxLength(20, "At most 20 images")), []),
});

export type ListInput = z.infer<typeof listInput>;
export type ManualListingInput = z.infer<typeof manualListingInput>;
export type IngestionRunsInput = z.infer<typeof ingestionRunsInput>;
