// Layer 3: visible label/value pairs (dt/dd, th/td, "Label: value" text, aria-label), matched through
// synonym tables. It reads markup with patterns, not handlers: every handler call into JS costs 5-25 µs.
import { decodeEntities } from "../normalize";
import type { LayerValues, PageField } from "./fields";

/** Label (lower case, words only) -> field. Add a builder's wording here, not in an adapter. */
const SYNONYMS: Record<string, PageField> = {};
const synonyms = (field: PageField, labels: string[]) => {
  for (const label of labels) SYNONYMS[label] = field;
};
synonyms("community", ["community", "neighborhood", "neighbourhood", "subdivision", "community name"]);
synonyms("planName", ["plan", "floor plan", "floorplan", "model", "plan name", "model name", "home design"]);
synonyms("garage", ["garage", "car garage", "garages", "garage spaces", "garage size"]);
synonyms("moveIn", [
  "move in",
  "move in date",
  "available",
  "available date",
  "estimated move in",
  "est move in",
  "estimated completion",
  "completion",
  "completion date",
  "ready",
  "ready date",
]);
synonyms("status", ["status", "availability", "home status", "listing status"]);
synonyms("price", ["price", "starting at", "sale price", "list price", "priced from", "starting from"]);
synonyms("beds", ["beds", "bedrooms", "bed", "bedroom"]);
synonyms("baths", ["baths", "bathrooms", "bath", "bathroom"]);
synonyms("sqft", ["sq ft", "sqft", "square feet", "square footage", "living area", "heated sq ft"]);
synonyms("address", ["address", "street address", "home address"]);
synonyms("incentives", ["incentive", "incentives", "special offer", "promotion", "current incentive"]);
synonyms("sourceKey", ["home id", "listing id", "mls", "mls number"]);

/** A status shown on its own, as a badge: only these exact phrases count. */
const STATUS_BADGE =
  /^(?:available(?: now)?|under contract|contract pending|sale pending|pending|reserved|sold(?: out)?)$/i;
const STATUS_BADGE_MAX = "contract pending".length;

// Pages of one site repeat their labels, so lookups are remembered (bounded: cleared when full).
const labelCache = new Map<string, PageField | null>();

export function fieldForLabel(label: string): PageField | undefined {
  const cached = labelCache.get(label);
  if (cached !== undefined) return cached ?? undefined;
  const key = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
  const field = Object.hasOwn(SYNONYMS, key) ? SYNONYMS[key] : undefined;
  if (labelCache.size >= 4096) labelCache.clear();
  labelCache.set(label, field ?? null);
  return field;
}

// Hidden text, and site navigation and footers, whose "Available" or "Sold" links are no status.
const HIDDEN =
  /<(script|style|template|noscript|svg|head|nav|footer)\b[^>]*>[\s\S]*?<\/\1\s*>|<!--[\s\S]*?-->/gi;
// Elements that start a new line of visible text; inline ones (span, a, strong) keep a pair together.
const BLOCK =
  /<\/?(?:p|div|li|dt|dd|tr|td|th|h[1-6]|section|header|footer|aside|article|main|nav|ul|ol|dl|table|tbody|thead|figure|figcaption|button|br|hr)\b[^>]*>/gi;
const TAG = /<[^>]*>/g;

const SPACE = /[\s\u00a0]+/g;

/** Text without tags and entities, whitespace collapsed. */
const clean = (markup: string) => cleanText(markup.replace(TAG, " "));
const cleanText = (text: string) =>
  (text.includes("&") ? decodeEntities(text) : text).replace(SPACE, " ").trim();

/** The body's markup without scripts, styles and comments (the head holds no visible pairs). */
export function visibleMarkup(html: string): string {
  const body = html.search(/<body[\s>]/i);
  return (body >= 0 ? html.slice(body) : html).replace(HIDDEN, " ");
}

function pairsFromDl(markup: string, add: (label: string, value: string) => void) {
  for (const list of markup.matchAll(/<dl\b[^>]*>([\s\S]*?)<\/dl\s*>/gi)) {
    let label: string | null = null;
    for (const item of (list[1] ?? "").matchAll(/<(dt|dd)\b[^>]*>([\s\S]*?)(?=<\/?(?:dt|dd)\b|$)/gi)) {
      const text = clean(item[2] ?? "");
      if ((item[1] ?? "").toLowerCase() === "dt") label = text;
      else if (label !== null) {
        add(label, text);
        label = null;
      }
    }
  }
}

function pairsFromTables(markup: string, add: (label: string, value: string) => void) {
  if (!/<t[hd][\s>]/i.test(markup)) return;
  for (const row of markup.matchAll(/<tr\b[^>]*>([\s\S]*?)(?=<\/?tr\b|<\/table|$)/gi)) {
    const cells = [...(row[1] ?? "").matchAll(/<(th|td)\b[^>]*>([\s\S]*?)(?=<\/?t[hd]\b|$)/gi)];
    if (cells.length === 2) add(clean(cells[0]?.[2] ?? ""), clean(cells[1]?.[2] ?? ""));
  }
}

/**
 * Lines of visible text: "Garage: 2-car" pairs; a label on a line of its own ("Garage" or "Garage:") with
 * its value on the next; and a status shown alone ("Under Contract").
 */
function pairsFromLines(markup: string, add: (label: string, value: string) => void) {
  let pendingLabel: string | null = null;
  // Tags go in one pass over the page, not one per line: per-line regex calls were most of this layer's cost.
  for (const line of markup.replace(BLOCK, "\n").replace(TAG, " ").split("\n")) {
    // Most lines are indentation only; trim is far cheaper than the regex in cleanText.
    const trimmed = line.trim();
    if (!trimmed) continue;
    const text = cleanText(trimmed);
    if (!text) continue;
    const colon = text.indexOf(":");
    const label = colon > 0 ? text.slice(0, colon) : text;
    const value = colon > 0 ? text.slice(colon + 1).trim() : "";
    // A line that is a pair itself is no one else's value.
    const isPair = colon > 0 && label.length <= 32 && fieldForLabel(label) !== undefined;
    if (pendingLabel !== null) {
      const owner = pendingLabel;
      pendingLabel = null;
      if (!isPair) {
        add(owner, text);
        continue;
      }
    }
    if (text.length <= STATUS_BADGE_MAX && STATUS_BADGE.test(text)) add("status", text);
    else if (label.length <= 32 && value) add(label, value);
    else if (label.length <= 32 && fieldForLabel(label)) pendingLabel = label;
  }
}

/** Pairs read in pass 2 by the rewriter (aria-label), to be matched like the others. */
export type LabelPair = [label: string, value: string];

/** The label layer: the first pair for a field wins, in the order dl, table, aria-label, text lines. */
export function readLabels(markup: string, ariaPairs: readonly LabelPair[] = []): LayerValues {
  const values: LayerValues = {};
  const add = (label: string, value: string) => {
    const field = fieldForLabel(label);
    if (field && value && !(field in values)) values[field] = value;
  };
  if (markup.includes("<dl") || markup.includes("<DL")) pairsFromDl(markup, add);
  if (/<table/i.test(markup)) pairsFromTables(markup, add);
  for (const [label, value] of ariaPairs) add(label, clean(value));
  pairsFromLines(markup, add);
  return values;
}

/** aria-label="Garage: 2-car" is a pair by itself; aria-label="Garage" labels the element's text. */
export function splitAriaLabel(label: string): LabelPair | null {
  const colon = label.indexOf(":");
  if (colon > 0) return [label.slice(0, colon), label.slice(colon + 1).trim()];
  return null;
}
