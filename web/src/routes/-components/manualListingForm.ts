import { type ManualListingInput, manualListingInput } from "worker/schemas/listings";
import type { Schema } from "../../lib/form";
import { parseDollars } from "../../lib/listings";

export const EMPTY_LISTING_FORM = {
  addressLine: "",
  city: "",
  state: "FL",
  zip: "",
  community: "",
  planName: "",
  price: "",
  beds: "",
  baths: "",
  sqft: "",
  garage: "",
  status: "available",
  moveInDate: "",
  incentives: "",
  description: "",
  imageUrls: "",
};

export type ListingFormValues = typeof EMPTY_LISTING_FORM;
type FormField = keyof ListingFormValues;
type Issue = { path: PropertyKey[]; message: string };

/** Server field names that differ from the form's ("imageUrls.2" is a line of the image field). */
export function formFieldOf(key: string): string {
  if (key === "priceCents") return "price";
  if (key.startsWith("imageUrls.")) return "imageUrls";
  return key;
}

function parseNumber(text: string, whole: boolean): number | null | undefined {
  const cleaned = text.replace(/,/g, "").trim();
  if (cleaned === "") return null;
  return (whole ? /^\d+$/ : /^\d+(\.\d+)?$/).test(cleaned) ? Number(cleaned) : undefined;
}

/**
 * The form's text fields -> the upload input, validated by the worker's own `manualListingInput`: dollars
 * become cents, empty numbers null, image URLs one per line. Issues are reported under the form's field names.
 */
export const listingFormSchema: Schema<ManualListingInput> = {
  safeParse(input) {
    const values = input as ListingFormValues;
    const issues: Issue[] = [];
    const fail = (field: FormField, message: string) => {
      issues.push({ path: [field], message });
      return null;
    };

    const priceCents = parseDollars(values.price);
    const number = (field: "beds" | "sqft" | "garage" | "baths", whole: boolean, message: string) => {
      const value = parseNumber(values[field], whole);
      return value === undefined ? fail(field, message) : value;
    };
    const imageLines = values.imageUrls
      .split(/\r?\n/)
      .map((text, index) => ({ url: text.trim(), line: index + 1 }))
      .filter((entry) => entry.url !== "");

    const candidate = {
      addressLine: values.addressLine,
      city: values.city,
      state: values.state,
      zip: values.zip,
      community: values.community,
      planName: values.planName,
      priceCents:
        priceCents === undefined
          ? fail("price", "Enter a price in dollars, like 389,990, or leave it empty for Call for pricing")
          : priceCents,
      beds: number("beds", true, "Enter beds as a whole number"),
      baths: number("baths", false, "Enter baths as a number, like 2 or 2.5"),
      sqft: number("sqft", true, "Enter square feet as a whole number, like 2,145"),
      garage: number("garage", true, "Enter garage spaces as a whole number"),
      status: values.status,
      moveInDate: values.moveInDate.trim() || null,
      incentives: values.incentives,
      description: values.description,
      imageUrls: imageLines.map((entry) => entry.url),
    };

    const parsed = manualListingInput.safeParse(candidate);
    if (parsed.success && issues.length === 0) return { success: true, data: parsed.data };
    const failedFields = new Set(issues.map((issue) => issue.path[0]));
    for (const issue of parsed.success ? [] : parsed.error.issues) {
      const [first, index] = issue.path;
      const field = formFieldOf(String(first));
      // A field the conversion above already rejected went to the schema as null: its message stands.
      if (failedFields.has(field)) continue;
      const line = first === "imageUrls" && typeof index === "number" ? imageLines[index]?.line : undefined;
      issues.push({ path: [field], message: line ? `Line ${line}: ${issue.message}` : issue.message });
    }
    return { success: false, error: { issues } };
  },
};
