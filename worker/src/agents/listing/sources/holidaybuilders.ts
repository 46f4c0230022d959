// Holiday Builders (holidaybuilders.com). Only what is particular to the site lives here: the index path to
// try, and the data layer and `home-*` classes of the template tools/builder-site models. Everything else
// (JSON-LD, microdata, labelled pairs, sitemaps and index pages) is read generically, so a page in markup we
// have never seen still yields its fields; check these selectors against the live site.
import { COMMON_SITE_SHAPE, discoverListings, type SiteShape } from "../discovery";
import type { LayerValues } from "../extract/fields";
import { type Contents, extractListing, type SiteSelectors } from "../extract/page";
import { decodeEntities } from "../normalize";
import type { SourceAdapter } from "./adapter";
import { VOID_TAGS } from "./html";

const SHAPE: SiteShape = { ...COMMON_SITE_SHAPE, guessedIndexes: ["/quick-move-in"] };

/** `home-*` class -> field; other `home-*` classes are ignored. */
const CLASS_FIELDS: Record<string, keyof LayerValues> = {
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
const LABEL_PREFIX = "hb_";

/** Keys of the data layer (JSON in `data-home` on the main element, read by the site's analytics) -> field. */
const LAYER_FIELDS: [string, keyof LayerValues][] = [
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

/** Attribute values come raw from the rewriter: entities first, then JSON. A broken layer counts as none. */
function readLayer(layer: string | null): LayerValues {
  if (layer === null) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeEntities(layer));
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== "object") return {};
  const values: LayerValues = {};
  for (const [key, field] of LAYER_FIELDS) {
    const value = (parsed as Record<string, unknown>)[key];
    if (typeof value === "string" || typeof value === "number") values[field] = value;
  }
  return values;
}

const selectors: SiteSelectors = {
  // A tag selector: attribute-only selectors ("[data-home]") cost the matcher about 10 µs more per page.
  structured(rewriter) {
    let layer: string | null = null;
    let homeId: string | null = null;
    rewriter.on("main", {
      element(el) {
        if (layer !== null) return;
        layer = el.getAttribute("data-home");
        if (layer === null) homeId ??= el.getAttribute("data-home-id");
      },
    });
    return () => {
      const values = readLayer(layer);
      if (homeId && values.sourceKey === undefined) values.sourceKey = homeId;
      return values;
    };
  },
  // Containers are left out of the selector: they only hold other fields.
  selectors(rewriter, marks) {
    const images: string[] = [];
    rewriter.on('[class^="home-"]:not(main):not(.home-gallery):not(.home-hero)', {
      element(el) {
        const cls = (el.getAttribute("class") ?? "").split(/\s+/, 1)[0] ?? "";
        if (IMAGE_CLASSES.has(cls)) {
          const src = el.getAttribute("data-src") ?? el.getAttribute("src");
          if (src && !src.startsWith("data:")) images.push(src);
          return;
        }
        const field = CLASS_FIELDS[cls];
        if (field && !VOID_TAGS.has(el.tagName)) marks.wrap(el, `${LABEL_PREFIX}${field}`);
      },
    });
    return (contents: Contents) => {
      const values: LayerValues = { imageUrls: images };
      // The first element of a class wins.
      for (const { label, content } of contents) {
        if (!label.startsWith(LABEL_PREFIX)) continue;
        const field = label.slice(LABEL_PREFIX.length) as keyof LayerValues;
        values[field] ??= content;
      }
      return values;
    };
  },
};

export const holidayBuilders: SourceAdapter = {
  name: "holidaybuilders",
  isListingUrl: SHAPE.isListing,
  discover: (crawler) => discoverListings(crawler, SHAPE),
  extract: (html) => extractListing(html, selectors),
};
