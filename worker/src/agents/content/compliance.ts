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

export function checkCompliance(body: string, listing: ListingFacts, agent: AgentProfile): ComplianceFlag[] {
  const text = normalize(body);
  return [...fairHousing(text), ...brokerage(text, agent), ...factCheck(text, listing)];
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
