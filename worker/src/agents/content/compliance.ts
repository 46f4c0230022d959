// Advisory checks on the text that will be posted. They never block a draft: the flags are shown to the agent,
// who fixes the text or acknowledges them before it is posted.
import { bathCount, savingsCents } from "./facts";
import { CATEGORY_LABELS, findFairHousingPhrases } from "./fair-housing";
import type { AgentProfile, ComplianceFlag, ListingFacts } from "./types";

/** Case, Unicode forms, curly quotes and runs of spaces must not decide whether a phrase matches. */
function normalize(text: string): string {
  return text
    .replace(/\s*½/g, " 1/2") // before NFKC, which would turn "2½" into "21⁄2"
    .normalize("NFKC")
    .replace(/\u2044/g, "/")
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, " ");
}
/** Words only: "Sunshine Realty, LLC" and "sunshine realty LLC" are the same name. */
const words = (text: string) =>
  normalize(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}&]+/gu, " ")
    .trim();

/** What else the agent markets, when the caller knows it: naming one of these in this listing's copy is a slip. */
export type KnownPlaces = { communities?: string[]; addresses?: string[] };

/**
 * Every advisory flag for a text that is about to be shown or posted: drafts and the agent's own edits alike.
 * `known`: the agent's other listings' communities and addresses, so a mention of one is caught anywhere.
 */
export function checkCompliance(
  body: string,
  listing: ListingFacts,
  agent: AgentProfile,
  known: KnownPlaces = {},
): ComplianceFlag[] {
  const text = normalize(body);
  return [
    ...fairHousing(text),
    ...brokerage(text, agent),
    ...factCheck(text, listing),
    ...placeCheck(text, listing, known),
  ];
}

function fairHousing(text: string): ComplianceFlag[] {
  return findFairHousingPhrases(text).map(({ category, phrase }) => ({
    rule: "fair_housing",
    message: `"${phrase}" describes who should buy (${CATEGORY_LABELS[category]}); describe the home instead.`,
    excerpt: phrase,
  }));
}

// Florida Administrative Code 61J2-10.025: every advertisement shows the brokerage's licensed name.
function brokerage(text: string, agent: AgentProfile): ComplianceFlag[] {
  const name = words(agent.brokerageName);
  if (!name) {
    return [
      {
        rule: "fl_61j2_10_025",
        message: "Your profile has no brokerage name; Florida requires it in every advertisement.",
      },
    ];
  }
  if (` ${words(text)} `.includes(` ${name} `)) return [];
  return [
    {
      rule: "fl_61j2_10_025",
      message: `The brokerage name "${agent.brokerageName.trim()}" must appear in every advertisement (Florida rule 61J2-10.025).`,
    },
  ];
}

const WORD_NUMBERS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
};
const COUNT = "\\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten";
// Not the tail of a longer number ("2.5", "1,850", "$4") nor the 2 of "1/2".
const NOT_AFTER = "(?<![\\p{L}\\p{N}.,$])(?<!\\d/)";
const NOT_BEFORE_WORD = "(?![\\p{L}\\p{N}])";

const PRICE = new RegExp(
  `\\$\\s?(\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.(\\d+))?(?:\\s?(k|mm|m|million|thousand))?${NOT_BEFORE_WORD}`,
  "giu",
);
const PRICE_WORDS = new RegExp(
  `${NOT_AFTER}(\\d{1,3}(?:,\\d{3})+|\\d{4,})(?:\\.(\\d+))?\\s+(?:(k|million|thousand)\\s+)?dollars${NOT_BEFORE_WORD}`,
  "giu",
);
const BEDS = new RegExp(
  `${NOT_AFTER}(${COUNT})\\s*-?\\s*(?:bedrooms?|beds?|bdrms?|br|bd)${NOT_BEFORE_WORD}`,
  "giu",
);
const BATHS = new RegExp(
  `${NOT_AFTER}(\\d{1,2}(?:\\.5)?|\\d{1,2}\\s+1/2|${COUNT})\\s*-?\\s*(full\\s+|half\\s+)?(?:bathrooms?|baths?|ba)${NOT_BEFORE_WORD}`,
  "giu",
);
const SQFT = new RegExp(
  `${NOT_AFTER}(\\d{1,3}(?:,\\d{3})+|\\d{3,5})\\s*(\\+)?\\s*(?:sq\\.?\\s*ft\\.?|sqft|square\\s+f(?:ee|oo)t|sf)(?![\\p{L}\\p{N}])`,
  "giu",
);

type Qualifier = "under" | "over" | "about" | null;
/** "under $400K", "over 2,000 sq ft", "about 2,100 sq ft": the number is a bound, not the fact itself. */
function qualifier(text: string, index: number): Qualifier {
  const before = text.slice(Math.max(0, index - 24), index).toLowerCase();
  if (/(under|less than|below|up to)\s*$/.test(before)) return "under";
  if (/(over|more than|above|at least)\s*$/.test(before)) return "over";
  if (/(about|approx\.?|approximately|around|nearly|almost|roughly|~)\s*$/.test(before)) return "about";
  return null;
}

function fits(value: number, fact: number, tolerance: number, q: Qualifier): boolean {
  if (q === "under") return fact <= value + tolerance;
  if (q === "over") return fact >= value - tolerance;
  if (q === "about") return Math.abs(fact - value) <= Math.max(tolerance, fact * 0.05);
  return Math.abs(fact - value) < tolerance;
}

const toNumber = (digits: string) => Number(digits.replaceAll(",", ""));
const count = (token: string) => WORD_NUMBERS[token.toLowerCase()] ?? Number(token);

/** Numbers the listing's own text states (an incentive's "$10,000", an HOA fee): quoting them is no error. */
function statedNumbers(listing: ListingFacts): Set<number> {
  const found =
    `${listing.incentives} ${listing.description}`.match(/\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?/g) ?? [];
  return new Set(found.map(toNumber));
}

function factCheck(text: string, listing: ListingFacts): ComplianceFlag[] {
  const flags: ComplianceFlag[] = [];
  const stated = statedNumbers(listing);
  const flag = (excerpt: string, message: string) =>
    flags.push({ rule: "fact_check", message, excerpt: excerpt.trim() });

  // Prices: the price, the previous price ("was $X"), the saving, or an amount the listing's text states.
  const prices = [listing.priceCents, listing.previousPriceCents]
    .filter((c): c is number => c !== null)
    .map((c) => Math.round(c / 100));
  const savings = savingsCents(listing);
  if (savings !== null) prices.push(Math.round(savings / 100));
  const listed =
    listing.priceCents === null
      ? "no price"
      : `$${Math.round(listing.priceCents / 100).toLocaleString("en-US")}`;
  for (const regex of [PRICE, PRICE_WORDS]) {
    for (const match of text.matchAll(regex)) {
      const [excerpt, whole = "", decimals = "", suffix = ""] = match;
      const multiplier = /^(k|thousand)$/i.test(suffix) ? 1_000 : suffix ? 1_000_000 : 1;
      const value = Number(`${toNumber(whole)}.${decimals || "0"}`) * multiplier;
      // "$389K" stands for anything that rounds or truncates to it.
      const tolerance = suffix ? multiplier / 10 ** decimals.length : 1;
      const q = qualifier(text, match.index);
      if (prices.some((p) => fits(value, p, tolerance, q))) continue;
      if (stated.has(value) || stated.has(toNumber(whole))) continue;
      flag(excerpt, `The text says ${excerpt.trim()}; the listing has ${listed}.`);
    }
  }

  for (const match of text.matchAll(BEDS)) {
    const [excerpt, token = ""] = match;
    const value = count(token);
    if (listing.beds === value || stated.has(value)) continue;
    flag(excerpt, `The text says ${excerpt.trim()}; the listing has ${listing.beds ?? "no"} bedrooms.`);
  }

  const half = listing.bathsHalf ?? 0;
  const total = listing.bathsFull === null ? null : listing.bathsFull + half / 2;
  const listedBaths = listing.bathsFull === null ? "no bath count" : `${bathCount(listing) ?? total} baths`;
  for (const match of text.matchAll(BATHS)) {
    const [excerpt, token = "", which = ""] = match;
    const value = token.includes("1/2") ? Number.parseInt(token, 10) + 0.5 : count(token);
    const kind = which.trim().toLowerCase();
    const fact = kind === "full" ? listing.bathsFull : kind === "half" ? half : total;
    if (fact === value) continue;
    flag(excerpt, `The text says ${excerpt.trim()}; the listing has ${listedBaths}.`);
  }

  for (const match of text.matchAll(SQFT)) {
    const [excerpt, digits = "", plus] = match;
    const value = toNumber(digits);
    const q = plus ? "over" : qualifier(text, match.index);
    if (listing.sqft !== null && fits(value, listing.sqft, 1, q)) continue;
    if (stated.has(value)) continue;
    const listedSqft =
      listing.sqft === null ? "no square footage" : `${listing.sqft.toLocaleString("en-US")} sq ft`;
    flag(excerpt, `The text says ${excerpt.trim()}; the listing has ${listedSqft}.`);
  }
  return flags;
}

// Street addresses and communities. A draft for "3115 Café Royale Ln" once advertised "785 NE Tamarind Ave": the
// model mixed up homes. Forms differ ("Ln"/"Lane", "NE"/"Northeast", "Café"/"Cafe"), so both sides are compared
// as canonical words.
const DIRECTIONS: Record<string, string> = {
  n: "north",
  s: "south",
  e: "east",
  w: "west",
  ne: "northeast",
  nw: "northwest",
  se: "southeast",
  sw: "southwest",
};
const SUFFIXES: Record<string, string> = {
  aly: "alley",
  ave: "avenue",
  av: "avenue",
  bnd: "bend",
  blvd: "boulevard",
  cir: "circle",
  cv: "cove",
  ct: "court",
  cres: "crescent",
  xing: "crossing",
  dr: "drive",
  expy: "expressway",
  grv: "grove",
  hwy: "highway",
  holw: "hollow",
  ln: "lane",
  lndg: "landing",
  lp: "loop",
  pkwy: "parkway",
  pass: "pass",
  path: "path",
  pl: "place",
  plz: "plaza",
  pt: "point",
  rd: "road",
  row: "row",
  run: "run",
  sq: "square",
  st: "street",
  ter: "terrace",
  trce: "trace",
  trl: "trail",
  walk: "walk",
  way: "way",
};
const SUFFIX_WORDS = new Set([...Object.keys(SUFFIXES), ...Object.values(SUFFIXES)]);
const DIRECTION_WORDS = [...Object.keys(DIRECTIONS), ...Object.values(DIRECTIONS)];
/** Words that follow a number without naming a street: "a 10 Minute Drive", "2 Car Garage Way" is rare. */
const NOT_STREET_NAMES = new Set(
  "minute minutes min mile miles hour hours second seconds step steps block blocks car cars story stories bedroom bedrooms bed beds bath baths year years day days week weeks month months acre acres foot feet sq ft percent and or the a an of to from at in with easy short quick".split(
    " ",
  ),
);

/**
 * Lower case, no accents, no punctuation, abbreviations spelled out, the same way on both sides of a
 * comparison: "785 NE Tamarind Ave." -> "785 northeast tamarind avenue", "Café" -> "cafe".
 */
export function canonicalAddress(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]+/gu, " ")
    .split(/\s+/)
    .filter(Boolean)
    .map((token) => DIRECTIONS[token] ?? SUFFIXES[token] ?? token)
    .join(" ");
}

const ADDRESS = new RegExp(
  // A house number that is not part of a price, a measure or a list ("$389,990", "2.5", "1,850").
  "(?<![\\p{L}\\p{N}$.,#/-])(\\d{1,6})(?![\\p{N}.,%/-])\\s+" +
    `((?:(?:${DIRECTION_WORDS.join("|")})\\.?\\s+)?` +
    // One to four name words, each starting with a capital or a digit ordinal ("5th").
    "(?:(?:\\p{Lu}[\\p{L}'’-]*|\\d{1,3}(?:st|nd|rd|th))\\.?\\s+){1,4}" +
    `(?:${[...SUFFIX_WORDS].join("|")})\\.?` +
    `(?:\\s+(?:${DIRECTION_WORDS.join("|")})\\.?)?)` +
    "(?![\\p{L}\\p{N}])",
  "giu",
);

// Without a suffix, a direction right after the number still says "address": "785 NE Tamarind".
const CAPITAL_DIRECTIONS =
  "N|S|E|W|NE|NW|SE|SW|North|South|East|West|Northeast|Northwest|Southeast|Southwest";
const DIRECTIONAL_ADDRESS = new RegExp(
  `(?<![\\p{L}\\p{N}$.,#/-])\\d{1,6}\\s+(?:${CAPITAL_DIRECTIONS})\\.?(?:\\s+\\p{Lu}[\\p{L}'’-]*){1,3}(?![\\p{L}\\p{N}])`,
  "gu",
);

/** Street addresses written in the text ("785 NE Tamarind Ave"); prices, square feet and years never match. */
export function findStreetAddresses(text: string): string[] {
  const found: string[] = [];
  const covered: [number, number][] = [];
  for (const match of text.matchAll(ADDRESS)) {
    const [whole, , street = ""] = match;
    const words = street.split(/\s+/);
    const name = words.filter((w) => !SUFFIX_WORDS.has(w.toLowerCase().replace(/\.$/, "")));
    if (name.every((w) => NOT_STREET_NAMES.has(w.toLowerCase().replace(/\.$/, "")))) continue;
    // A capital is required of a real name word; case-insensitive matching is only for the suffix.
    if (!name.some((w) => /^(\p{Lu}|\d)/u.test(w))) continue;
    if (NOT_STREET_NAMES.has(name[0]?.toLowerCase() ?? "")) continue;
    found.push(whole.trim().replace(/\.$/, ""));
    covered.push([match.index, match.index + whole.length]);
  }
  for (const match of text.matchAll(DIRECTIONAL_ADDRESS)) {
    const start = match.index;
    if (covered.some(([from, to]) => start < to && start + match[0].length > from)) continue;
    found.push(match[0].trim());
  }
  return found;
}

const sameAddress = (a: string, b: string) => {
  const x = canonicalAddress(a);
  const y = canonicalAddress(b);
  // "3115 Café Royale" written without its suffix, or the listing's line with a unit after it.
  return x === y || y.startsWith(`${x} `) || x.startsWith(`${y} `);
};

/** "the Cypress Hollow community", "Cypress Hollow's"; leading "the" and trailing generic words do not count. */
const canonicalPlace = (text: string) =>
  canonicalAddress(text)
    .replace(/^the /, "")
    .replace(/ (community|neighborhood|subdivision|development|s)$/, "")
    .trim();

// Case-sensitive regexes (a name starts with a capital), so the generic word is spelled both ways.
const COMMUNITY_WORDS = "[Cc]ommunity|[Nn]eighbou?rhood|[Ss]ubdivision|[Dd]evelopment";
// A name word starts with a capital; a period belongs only to "St." / "Mt." / "Ft." ("Port St. Lucie").
const NAME_WORD = "(?:[SMF][tT]\\.|\\p{Lu}[\\p{L}'’-]*)";
const NAME = `${NAME_WORD}(?:\\s+(?:of\\s+|at\\s+|the\\s+)?${NAME_WORD}){0,3}`;
const COMMUNITY_BEFORE = new RegExp(`(?<![\\p{L}])(${NAME})\\s+(?:${COMMUNITY_WORDS})(?![\\p{L}])`, "gu");
const COMMUNITY_AFTER = new RegExp(
  `(?<![\\p{L}])(?:${COMMUNITY_WORDS})\\s+(?:of|called|named)\\s+(?:the\\s+)?(${NAME})`,
  "gu",
);
/** Capitalized words that describe a community rather than name it: "a Gated Community", "Our New Neighborhood". */
const DESCRIPTIVE = new Set(
  "a an the this that our your its new gated beautiful friendly quiet family planned master-planned master growing amenity amenity-rich resort resort-style style golf lakefront waterfront private great vibrant active welcoming desirable sought-after popular brand whole entire local nearby same thriving charming peaceful lovely wonderful premier established new-construction construction welcome to in at of best top just listed now selling sold price improvement incentive home homes exclusive restricted safe walkable upscale quaint family-friendly lake lakeside gated adult active-adult 55+ thriving booming fantastic amazing perfect ideal cozy close-knit tight-knit great".split(
    " ",
  ),
);

function communityNames(text: string, city: string): string[] {
  const names: string[] = [];
  for (const regex of [COMMUNITY_BEFORE, COMMUNITY_AFTER]) {
    for (const match of text.matchAll(regex)) names.push(match[1] ?? "");
  }
  // "Just listed in Tamarind Reserve, Clermont": the place named right before the listing's city.
  if (city) {
    const escaped = city.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const before = new RegExp(`(?<![\\p{L}])(?:in|at)\\s+(${NAME}),\\s+${escaped}(?![\\p{L}])`, "gu");
    for (const match of text.matchAll(before)) names.push(match[1] ?? "");
  }
  return names
    .map((name) => {
      const words = name.trim().split(/\s+/);
      while (words.length && DESCRIPTIVE.has(words[0]?.toLowerCase() ?? "")) words.shift();
      return words.join(" ");
    })
    .filter((name) => name && !name.split(/\s+/).every((w) => DESCRIPTIVE.has(w.toLowerCase())));
}

function placeCheck(text: string, listing: ListingFacts, known: KnownPlaces): ComplianceFlag[] {
  const flags: ComplianceFlag[] = [];
  const own = `${listing.description} ${listing.incentives}`;
  const ownAddresses = [listing.addressLine, ...findStreetAddresses(own)].filter(Boolean);
  const seen = new Set<string>();
  const flag = (excerpt: string, message: string) => {
    const key = canonicalAddress(excerpt);
    if (seen.has(key)) return;
    seen.add(key);
    flags.push({ rule: "fact_check", message, excerpt });
  };
  const listedAt = listing.addressLine
    ? `this listing is at ${listing.addressLine}`
    : "this listing has no address";

  for (const address of findStreetAddresses(text)) {
    if (ownAddresses.some((own) => sameAddress(address, own))) continue;
    flag(address, `The text names the address ${address}; ${listedAt}.`);
  }
  for (const address of known.addresses ?? []) {
    if (!address.trim() || ownAddresses.some((own) => sameAddress(address, own))) continue;
    if (containsPlace(text, address))
      flag(address, `The text names ${address}, another listing; ${listedAt}.`);
  }

  const community = canonicalPlace(listing.community);
  const allowed = [listing.community, listing.city, listing.planName, listing.state, listing.addressLine]
    .map(canonicalPlace)
    .filter(Boolean);
  const inCommunity = listing.community
    ? `this listing is in ${listing.community}`
    : "this listing names no community";
  const isOwn = (name: string) => {
    const place = canonicalPlace(name);
    return allowed.some((a) => a === place || a.includes(place) || place.includes(a));
  };
  for (const name of communityNames(text, listing.city)) {
    if (isOwn(name) || (community && canonicalPlace(own).includes(canonicalPlace(name)))) continue;
    flag(name, `The text names the community ${name}; ${inCommunity}.`);
  }
  for (const name of known.communities ?? []) {
    if (!name.trim() || isOwn(name)) continue;
    if (containsPlace(text, name)) flag(name, `The text names ${name}, another community; ${inCommunity}.`);
  }
  return flags;
}

/** Whole-word, accent- and abbreviation-insensitive containment. */
const containsPlace = (text: string, place: string) =>
  ` ${canonicalAddress(text)} `.includes(` ${canonicalAddress(place)} `);
