import type { ListingFieldSource, ListingFieldSources } from "db";
import type { RawListing } from "../types";

/** What a page can tell about a home; each is filled by the first extraction layer that knows it. */
export const PAGE_FIELDS = [
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
] as const;
export type PageField = (typeof PAGE_FIELDS)[number];

/** The scraping layers, in the order they are asked. */
export type LayerName = Exclude<ListingFieldSource, "manual">;

export interface AddressParts {
  addressLine?: string;
  city?: string;
  state?: string;
  zip?: string;
}

export interface BathCounts {
  bathsFull?: unknown;
  bathsHalf?: unknown;
}

/**
 * What one layer read, unnormalized. `address` is AddressParts or one line ("1 Main St, Ocala, FL 34476");
 * `baths` is BathCounts or a total ("2.5"); `status` is plain words ("under contract"). A `""` incentive
 * means the page says there is none.
 */
export type LayerValues = Partial<Record<PageField, unknown>>;

/** The listing fields (NormalizedListing names) each page field turns into. */
const LISTING_FIELDS: Record<PageField, string[]> = {
  sourceKey: ["sourceKey"],
  address: ["addressLine", "city", "state", "zip"],
  community: ["community"],
  planName: ["planName"],
  price: ["priceCents"],
  beds: ["beds"],
  baths: ["bathsFull", "bathsHalf"],
  sqft: ["sqft"],
  garage: ["garage"],
  status: ["status"],
  moveIn: ["moveInDate"],
  incentives: ["incentives"],
  description: ["description"],
  imageUrls: ["imageUrls"],
};

/** RawListing key under which extraction hands its provenance to the scrape (normalizeListing ignores it). */
export const FIELD_SOURCES_KEY = "fieldSources";

function isKnown(field: PageField, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "string") return value.trim() !== "" || field === "incentives";
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.length > 0;
  if (field === "address") return isKnown("planName", (value as AddressParts).addressLine);
  if (field === "baths") {
    const counts = value as BathCounts;
    return counts.bathsFull !== undefined || counts.bathsHalf !== undefined;
  }
  return false;
}

/** A listing assembled layer by layer: a layer fills only the fields earlier layers left unknown. */
export class LayeredListing {
  // Indexed like PAGE_FIELDS: this runs on every page, so no per-field objects.
  private readonly values: unknown[] = new Array(PAGE_FIELDS.length);
  private readonly sources: (LayerName | undefined)[] = new Array(PAGE_FIELDS.length);
  private known = 0;
  private fallbackStatus: { value: string; layer: LayerName } | undefined;
  private foundAny = false;

  fill(values: LayerValues, layer: LayerName): this {
    for (let i = 0; i < PAGE_FIELDS.length; i++) {
      if (this.sources[i] !== undefined) continue;
      const field = PAGE_FIELDS[i] as PageField;
      const value = values[field];
      if (!isKnown(field, value)) continue;
      this.values[i] = value;
      this.sources[i] = layer;
      this.known++;
      // A status badge alone (a redesigned page, an error page) is no listing.
      if (field !== "status") this.foundAny = true;
    }
    return this;
  }

  /** An ambiguous status (LimitedAvailability, PreOrder, ...): used only if no later layer shows one. */
  fallback(status: string, layer: LayerName): this {
    this.fallbackStatus ??= { value: status, layer };
    return this;
  }

  missing(): PageField[] {
    return PAGE_FIELDS.filter((_, i) => this.sources[i] === undefined);
  }

  /** Whether `values` would leave no field unknown, without filling them. */
  completedBy(values: LayerValues): boolean {
    if (this.known === PAGE_FIELDS.length) return true;
    for (let i = 0; i < PAGE_FIELDS.length; i++) {
      const field = PAGE_FIELDS[i] as PageField;
      if (this.sources[i] === undefined && !isKnown(field, values[field])) return false;
    }
    return true;
  }

  /** The fields under RawListing names plus their provenance; null when no layer found anything. */
  toRaw(): RawListing | null {
    if (!this.foundAny) return null;
    const status = PAGE_FIELDS.indexOf("status");
    if (this.sources[status] === undefined && this.fallbackStatus) {
      this.values[status] = this.fallbackStatus.value;
      this.sources[status] = this.fallbackStatus.layer;
    }
    const raw: RawListing = {};
    const sources: ListingFieldSources = {};
    for (let i = 0; i < PAGE_FIELDS.length; i++) {
      const layer = this.sources[i];
      if (layer === undefined) continue;
      const field = PAGE_FIELDS[i] as PageField;
      const value = this.values[i];
      if ((field === "address" || field === "baths") && typeof value === "object" && value !== null) {
        Object.assign(raw, value);
      } else {
        raw[field] = value;
      }
      for (const name of LISTING_FIELDS[field]) sources[name] = layer;
    }
    raw[FIELD_SOURCES_KEY] = sources;
    return raw;
  }
}
