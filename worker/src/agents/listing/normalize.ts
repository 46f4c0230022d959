import {
  type ListingStatus,
  MAX_IMAGES,
  MAX_TEXT_LENGTH,
  type NormalizedListing,
  type NormalizeResult,
  type RawListing,
} from "./types";

// HTML 4 names for U+00A0..U+00FF, in code point order.
const LATIN1_NAMES =
  "nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml";

const NAMED_ENTITIES: Record<string, number> = {
  amp: 38,
  lt: 60,
  gt: 62,
  quot: 34,
  apos: 39,
  OElig: 338,
  oelig: 339,
  Scaron: 352,
  scaron: 353,
  ensp: 8194,
  emsp: 8195,
  thinsp: 8201,
  zwnj: 8204,
  zwj: 8205,
  ndash: 8211,
  mdash: 8212,
  lsquo: 8216,
  rsquo: 8217,
  sbquo: 8218,
  ldquo: 8220,
  rdquo: 8221,
  bdquo: 8222,
  dagger: 8224,
  bull: 8226,
  hellip: 8230,
  prime: 8242,
  euro: 8364,
  trade: 8482,
};
LATIN1_NAMES.split(" ").forEach((name, i) => {
  NAMED_ENTITIES[name] = 160 + i;
});

const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{1,7}));/g;

function codePoint(n: number): string {
  const valid = n > 0 && n <= 0x10ffff && (n < 0xd800 || n > 0xdfff);
  return valid ? String.fromCodePoint(n) : "\uFFFD";
}

export function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(ENTITY, (whole, dec?: string, hex?: string, name?: string) => {
    if (dec) return codePoint(Number.parseInt(dec, 10));
    if (hex) return codePoint(Number.parseInt(hex, 16));
    const named = name ? NAMED_ENTITIES[name] : undefined;
    return named === undefined ? whole : String.fromCodePoint(named);
  });
}

const SCRIPT_BLOCK = /<(script|style|template|iframe|object|noscript)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi;
const COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
// A tag, or an unclosed tag at the end of the text; a `<` not followed by a letter, `/`, `!` or `?` stays.
const TAG = /<[a-zA-Z/!?][^<>]*(?:>|$)/g;
// Control characters and zero-width spaces become spaces, then whitespace collapses.
const CONTROL = /[\p{Cc}\u200B\uFEFF]/gu;

function stripMarkup(text: string): string {
  if (!text.includes("<")) return text;
  return text.replace(SCRIPT_BLOCK, " ").replace(COMMENT, " ").replace(TAG, " ");
}

/** Untrusted text -> plain text: markup removed (also markup that decoded entities spell), entities decoded. */
export function toPlainText(value: unknown, maxLength = MAX_TEXT_LENGTH): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string" && typeof value !== "number") return "";
  const decoded = decodeEntities(stripMarkup(String(value)));
  const text = stripMarkup(decoded).replace(CONTROL, " ").replace(/\s+/g, " ").trim();
  return truncate(text, maxLength);
}

function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  let cut = text.slice(0, maxLength);
  // Do not leave half of a surrogate pair at the end.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut.trimEnd();
}

const STATE_CODES = new Set(
  "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA PR RI SC SD TN TX UT VT VA WA WV WI WY".split(
    " ",
  ),
);
const STATE_NAMES: Record<string, string> = {
  alabama: "AL",
  alaska: "AK",
  arizona: "AZ",
  arkansas: "AR",
  california: "CA",
  colorado: "CO",
  connecticut: "CT",
  delaware: "DE",
  "district of columbia": "DC",
  florida: "FL",
  georgia: "GA",
  hawaii: "HI",
  idaho: "ID",
  illinois: "IL",
  indiana: "IN",
  iowa: "IA",
  kansas: "KS",
  kentucky: "KY",
  louisiana: "LA",
  maine: "ME",
  maryland: "MD",
  massachusetts: "MA",
  michigan: "MI",
  minnesota: "MN",
  mississippi: "MS",
  missouri: "MO",
  montana: "MT",
  nebraska: "NE",
  nevada: "NV",
  "new hampshire": "NH",
  "new jersey": "NJ",
  "new mexico": "NM",
  "new york": "NY",
  "north carolina": "NC",
  "north dakota": "ND",
  ohio: "OH",
  oklahoma: "OK",
  oregon: "OR",
  pennsylvania: "PA",
  "puerto rico": "PR",
  "rhode island": "RI",
  "south carolina": "SC",
  "south dakota": "SD",
  tennessee: "TN",
  texas: "TX",
  utah: "UT",
  vermont: "VT",
  virginia: "VA",
  washington: "WA",
  "west virginia": "WV",
  wisconsin: "WI",
  wyoming: "WY",
};

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

const STATUS_WORDS: [RegExp, ListingStatus][] = [
  [/^(sold|sold ?out|closed|off ?market)$/, "sold"],
  [/^(under ?contract|pending|sale ?pending|contract ?pending|reserved|backorder)$/, "under_contract"],
  [
    /^(available|available now|for sale|in ?stock|active|now selling|quick move ?in|move ?in ready|ready now|limited ?availability)$/,
    "available",
  ],
];

/** Collects one message per bad field so a person sees every problem at once. */
class FieldErrors {
  readonly messages: string[] = [];
  add(field: string, message: string) {
    this.messages.push(`${field}: ${message}`);
  }
}

function first(raw: RawListing, names: string[]): unknown {
  for (const name of names) {
    const value = raw[name];
    if (value === undefined || value === null) continue;
    if (typeof value === "string" && value.trim() === "") continue;
    return value;
  }
  return undefined;
}

const show = (value: unknown) => JSON.stringify(typeof value === "string" ? toPlainText(value, 60) : value);

/** "$379,990", "2,140 Sq. Ft.", "3-Car Garage", 4 -> the first number; undefined when there is none. */
function leadingNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  const text = decodeEntities(value)
    .replace(/½/g, ".5")
    .replace(/(\d),(?=\d{3}\b)/g, "$1");
  const match = /-?\d+(?:\.\d+)?/.exec(text);
  return match ? Number(match[0]) : undefined;
}

function wholeNumber(
  raw: RawListing,
  names: string[],
  field: string,
  min: number,
  max: number,
  errors: FieldErrors,
): number | null {
  const value = first(raw, names);
  if (value === undefined) return null;
  const n = leadingNumber(value);
  if (n === undefined) {
    errors.add(field, `${show(value)} is not a number`);
    return null;
  }
  if (!Number.isInteger(n) || n < min || n > max) {
    errors.add(field, `must be a whole number from ${min} to ${max} (got ${show(value)})`);
    return null;
  }
  return n;
}

const PRICE_ON_REQUEST = /call|contact|request|inquire|tbd|coming soon|n\/a/i;

function priceCents(raw: RawListing, errors: FieldErrors): number | null {
  const cents = first(raw, ["priceCents"]);
  if (cents !== undefined) {
    const n = typeof cents === "string" ? Number(cents.trim()) : cents;
    if (typeof n !== "number" || !Number.isInteger(n) || n <= 0 || n > 10_000_000_000) {
      errors.add("priceCents", `must be a positive whole number of cents (got ${show(cents)})`);
      return null;
    }
    return n;
  }
  const value = first(raw, ["price", "listPrice"]);
  if (value === undefined) return null;
  const dollars = leadingNumber(value);
  if (dollars === undefined) {
    if (typeof value === "string" && PRICE_ON_REQUEST.test(value)) return null;
    errors.add("price", `${show(value)} is not a price`);
    return null;
  }
  if (dollars < 1_000 || dollars > 100_000_000) {
    errors.add("price", `must be between $1,000 and $100,000,000 (got ${show(value)})`);
    return null;
  }
  return Math.round(dollars * 100);
}

function baths(raw: RawListing, errors: FieldErrors): { full: number | null; half: number | null } {
  const full = wholeNumber(raw, ["bathsFull", "fullBaths"], "bathsFull", 0, 20, errors);
  const half = wholeNumber(raw, ["bathsHalf", "halfBaths"], "bathsHalf", 0, 10, errors);
  if (full !== null || half !== null) return { full: full ?? 0, half: half ?? 0 };
  const value = first(raw, ["baths", "bathrooms"]);
  if (value === undefined) return { full: null, half: null };
  if (typeof value === "string") {
    const fullText = /(\d+)\s*full/i.exec(value);
    const halfText = /(\d+)\s*half/i.exec(value);
    if (fullText || halfText) {
      return { full: Number(fullText?.[1] ?? 0), half: Number(halfText?.[1] ?? 0) };
    }
  }
  const n = leadingNumber(value);
  if (n === undefined || n < 0 || n > 20) {
    errors.add("baths", `${show(value)} is not a number of bathrooms`);
    return { full: null, half: null };
  }
  // Real-estate convention: the fraction stands for one half bath ("2.5" is 2 full + 1 half).
  const whole = Math.floor(n);
  return { full: whole, half: n > whole ? 1 : 0 };
}

function status(raw: RawListing, errors: FieldErrors): ListingStatus {
  const value = first(raw, ["status", "availability"]);
  if (value === undefined) return "available";
  const text = toPlainText(value, 100)
    .replace(/^https?:\/\/schema\.org\//i, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .replace(/[^a-z]+/g, " ")
    .trim();
  for (const [pattern, result] of STATUS_WORDS) if (pattern.test(text)) return result;
  errors.add("status", `${show(value)} is not one of available, under contract, sold`);
  return "available";
}

const isoDate = (y: number, m: number, d: number) => {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
};

/** ISO dates, US dates and "Month [day,] year" anywhere in the text; anything else -> null. */
export function parseMoveInDate(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const text = toPlainText(value, 200);
  const iso = /\b(\d{4})-(\d{2})-(\d{2})\b/.exec(text);
  if (iso) return isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const us = /\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/.exec(text);
  if (us) return isoDate(Number(us[3]), Number(us[1]), Number(us[2]));
  for (const named of text.matchAll(
    /\b([a-z]{3})[a-z]*\.?\s+(?:(\d{1,2})(?:st|nd|rd|th)?,?\s+)?(\d{4})\b/gi,
  )) {
    const month = MONTHS.indexOf((named[1] ?? "").toLowerCase());
    if (month >= 0) return isoDate(Number(named[3]), month + 1, Number(named[2] ?? 1));
  }
  return null;
}

function httpUrl(value: string, base: string | null): string | null {
  try {
    const url = new URL(decodeEntities(value.trim()), base ?? undefined);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    url.hash = "";
    return url.href;
  } catch {
    return null;
  }
}

function imageUrls(raw: RawListing, base: string | null): string[] {
  const value = first(raw, ["imageUrls", "images", "image"]);
  const list = Array.isArray(value) ? value : typeof value === "string" ? value.split(/[\s,]+/) : [];
  const urls = new Set<string>();
  for (const item of list) {
    if (typeof item !== "string" || !item.trim()) continue;
    const url = httpUrl(item, base);
    if (url) urls.add(url);
    if (urls.size >= MAX_IMAGES) break;
  }
  return [...urls];
}

const ADDRESS =
  /^(.+?),\s*([^,]+?),\s*([A-Za-z][A-Za-z .]*?)\.?\s+(\d{5}(?:-\d{4})?)(?:,?\s*(?:USA?|United States))?$/;

function address(raw: RawListing, errors: FieldErrors) {
  let line = toPlainText(first(raw, ["addressLine", "streetAddress", "street", "address"]), 200);
  let city = toPlainText(first(raw, ["city", "addressLocality"]), 100);
  let state = toPlainText(first(raw, ["state", "addressRegion"]), 50);
  let zip = toPlainText(first(raw, ["zip", "postalCode", "zipCode"]), 20);
  const whole = ADDRESS.exec(line);
  // A one-line address ("1 Main St, Ocala, FL 34476") fills whatever the other fields left empty.
  if (whole) {
    line = whole[1] ?? line;
    city ||= whole[2] ?? "";
    state ||= whole[3] ?? "";
    zip ||= whole[4] ?? "";
  }
  const stateCode = STATE_CODES.has(state.toUpperCase())
    ? state.toUpperCase()
    : STATE_NAMES[state.toLowerCase().replace(/\s+/g, " ")];
  if (!line) errors.add("addressLine", "missing");
  if (!city) errors.add("city", "missing");
  if (!state) errors.add("state", "missing");
  else if (!stateCode) errors.add("state", `${show(state)} is not a US state`);
  if (!zip) errors.add("zip", "missing");
  else if (!/^\d{5}(-\d{4})?$/.test(zip)) errors.add("zip", `${show(zip)} is not a ZIP code`);
  return { addressLine: line, city, state: stateCode ?? state, zip };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function sourceKey(raw: RawListing, pageUrl: string | null, errors: FieldErrors): string {
  const given = toPlainText(first(raw, ["sourceKey", "id", "homeId", "sku", "identifier"]), 200);
  if (given) return given;
  const slug = pageUrl ? new URL(pageUrl).pathname.split("/").filter(Boolean).pop() : undefined;
  if (slug) return safeDecode(slug);
  errors.add("sourceKey", "missing (give an id, or the page URL it came from)");
  return "";
}

/** Turns loosely typed fields (scraped or typed by a person) into a listing, or says which fields are wrong. */
export function normalizeListing(raw: RawListing, pageUrl: string | null): NormalizeResult {
  const errors = new FieldErrors();
  const page = pageUrl === null ? null : httpUrl(pageUrl, null);
  if (pageUrl !== null && page === null)
    errors.add("pageUrl", `${show(pageUrl)} is not an absolute http(s) URL`);
  const given = first(raw, ["sourceUrl", "url"]);
  const sourceUrl = page ?? (typeof given === "string" ? httpUrl(given, null) : null);
  const bath = baths(raw, errors);
  const listing: NormalizedListing = {
    sourceKey: sourceKey(raw, page, errors),
    sourceUrl,
    ...address(raw, errors),
    community: toPlainText(first(raw, ["community", "communityName"]), 200),
    planName: toPlainText(first(raw, ["planName", "plan"]), 200),
    priceCents: priceCents(raw, errors),
    beds: wholeNumber(raw, ["beds", "bedrooms"], "beds", 0, 20, errors),
    bathsFull: bath.full,
    bathsHalf: bath.half,
    sqft: wholeNumber(raw, ["sqft", "squareFeet"], "sqft", 100, 100_000, errors),
    garage: wholeNumber(raw, ["garage", "garageSpaces"], "garage", 0, 10, errors),
    status: status(raw, errors),
    moveInDate: parseMoveInDate(first(raw, ["moveInDate", "moveIn"])),
    incentives: toPlainText(first(raw, ["incentives", "incentive"])),
    description: toPlainText(first(raw, ["description"])),
    imageUrls: imageUrls(raw, sourceUrl),
  };
  if (errors.messages.length > 0) return { ok: false, error: errors.messages.join("; ") };
  return { ok: true, listing };
}
