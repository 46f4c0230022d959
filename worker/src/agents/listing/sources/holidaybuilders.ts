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

/** Attribute values come raw (as from the rewriter): entities first, then JSON. A broken layer counts as none. */
function readLayer(layer: string): LayerValues {
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
  // Read from the string by extract/scan.ts (an HTMLRewriter pass only when the scan cannot be sure): the
  // first <main> with a data layer wins; before it, a <main> without one may still name the home.
  structured: {
    tags: ["main"],
    read(elements) {
      let homeId: string | undefined;
      for (const main of elements.get("main") ?? []) {
        const layer = main.get("data-home");
        if (layer === undefined) {
          homeId ??= main.get("data-home-id");
          continue;
        }
        const values = readLayer(layer);
        if (homeId && values.sourceKey === undefined) values.sourceKey = homeId;
        return values;
      }
      return homeId ? { sourceKey: homeId } : {};
    },
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
