// The printable flyer's layout limits, shared by the worker (content.flyer's verdict, the editor's warning)
// and the flyer page (which applies the scale as --flyer-scale). Pure: no DOM, no fonts loaded.
//
// The model. The flyer is one column on the page's content box (page minus FLYER_MARGIN_IN each side):
// headline band, photos, facts (price; beds, baths, sq ft, community), text (body paragraphs, then the
// bullets in a two-column grid), call to action, footer (agent, brokerage, QR, Equal Housing). Sections are
// FLYER_GAP_PT apart. Only the headline, body, bullets and call to action scale; the photos take what is
// left, at least FLYER_PHOTO_MIN_PT; the footer is a fixed FLYER_FOOTER_PT.
// A block's height is lines × font size × line height (unitless line heights: one line box per line).
// Lines come from greedy word wrap over per-character advance widths: Helvetica's AFM widths, which Arial
// and Liberation Sans share (the flyer's font stack is those three), times WIDTH_SAFETY for hinting and a
// wider fallback font, times BOLD_FACTOR for bold; a word wider than its column breaks anywhere (the CSS
// says overflow-wrap: anywhere). A hard line break starts a line. Characters outside the table count as
// wide (0.72 em, CJK and emoji 1 em). The text fits at a scale when the total is at most the page's
// content height less FLYER_RESERVE (2 %): the estimate errs long, so what fits here fits on paper.
// The largest scale of FLYER_SCALES that fits is used; when even the smallest does not, `overflows` names
// the part to shorten and about how many words.
import { LIMITS } from "db/rules";

export type FlyerPageSize = "letter" | "a4";

const PT_PER_IN = 72;
export const FLYER_MARGIN_IN = 0.375;
export const FLYER_PAGES = {
  letter: { label: "Letter", css: "letter", widthPt: 8.5 * PT_PER_IN, heightPt: 11 * PT_PER_IN },
  a4: { label: "A4", css: "A4", widthPt: (210 / 25.4) * PT_PER_IN, heightPt: (297 / 25.4) * PT_PER_IN },
} as const satisfies Record<FlyerPageSize, { label: string; css: string; widthPt: number; heightPt: number }>;

/** From full size down to 75 %: below that the body (11 pt) would be smaller than 8.25 pt. */
export const FLYER_SCALES = [1, 0.95, 0.9, 0.85, 0.8, 0.75] as const;

/** Type at scale 1, in points; the page's CSS uses the same numbers times --flyer-scale. */
export const FLYER_TYPE = {
  headline: { size: 26, lineHeight: 1.12, bold: true },
  body: { size: 11, lineHeight: 1.4, bold: false },
  bullet: { size: 10.5, lineHeight: 1.35, bold: false },
  callToAction: { size: 13, lineHeight: 1.3, bold: true },
  price: { size: 20, lineHeight: 1.2, bold: true },
  facts: { size: 11, lineHeight: 1.3, bold: false },
} as const;

export const FLYER_GAP_PT = 10;
/** Headline band padding (top and bottom each; left and right each). */
export const FLYER_HEADER_PAD_PT = { y: 10, x: 14 };
export const FLYER_PHOTO_MIN_PT = 120;
export const FLYER_FOOTER_PT = 108;
/** Between body paragraphs, in em of the body; between body and bullets, and between bullet rows, in pt × scale. */
export const FLYER_PARAGRAPH_GAP_EM = 0.45;
export const FLYER_BULLETS_GAP_PT = 6;
export const FLYER_BULLET_ROW_GAP_PT = 3;
export const FLYER_BULLET_COLUMN_GAP_PT = 18;
export const FLYER_BULLET_INDENT_PT = 12;
const FLYER_RESERVE = 0.02;
const WIDTH_SAFETY = 1.05;
const BOLD_FACTOR = 1.08;

// Helvetica AFM advance widths, in thousandths of an em.
const WIDTHS: Record<string, number> = {};
const assign = (chars: string, width: number) => {
  for (const char of chars) WIDTHS[char] = width;
};
assign("abdeghnopqu0123456789$#?_", 556);
assign("ckvsxyzJ", 500);
assign("ft!.,:;/|", 278);
assign("ijl", 222);
assign("r-()[]{}", 333);
assign("m", 833);
assign("w", 722);
assign("ABEKPSVXY&", 667);
assign("CDHNRU", 722);
assign("GOQ", 778);
assign("FTZ", 611);
assign("L", 556);
assign("M", 833);
assign("W", 944);
assign("I ", 278);
assign("*", 389);
assign("'", 191);
assign('"', 355);
assign("+=<>~", 584);
assign("%", 889);
assign("@", 1015);
assign("•", 350);
assign("’‘", 222);
assign("“”", 333);
assign("–", 556);
assign("—", 1000);

function charEm(char: string): number {
  const known = WIDTHS[char];
  if (known !== undefined) return known / 1000;
  const code = char.codePointAt(0) ?? 0;
  return code >= 0x2e80 ? 1 : 0.72;
}

/** The width of a run of text at a font size, in points, as the model estimates it. */
export function textWidthPt(text: string, sizePt: number, bold = false): number {
  let em = 0;
  for (const char of text) em += charEm(char);
  return em * sizePt * WIDTH_SAFETY * (bold ? BOLD_FACTOR : 1);
}

/** Lines a text takes in a column `widthPt` wide: greedy word wrap, hard breaks kept, long words split. */
export function wrapLines(text: string, widthPt: number, sizePt: number, bold = false): number {
  const space = textWidthPt(" ", sizePt, bold);
  let lines = 0;
  for (const hardLine of text.split("\n")) {
    lines += 1;
    let used = 0;
    for (const word of hardLine.split(/\s+/).filter(Boolean)) {
      const width = textWidthPt(word, sizePt, bold);
      if (used > 0 && used + space + width <= widthPt) {
        used += space + width;
        continue;
      }
      if (used > 0) lines += 1;
      if (width <= widthPt) {
        used = width;
        continue;
      }
      // overflow-wrap: anywhere: the word fills whole lines, the rest starts the next.
      let rest = 0;
      for (const char of word) {
        const w = textWidthPt(char, sizePt, bold);
        if (rest + w > widthPt) {
          lines += 1;
          rest = 0;
        }
        rest += w;
      }
      used = rest;
    }
  }
  return lines;
}

/** The flyer's words, as laid out: body paragraphs keep their line breaks. */
export interface FlyerCopy {
  headline: string;
  body: string;
  bullets: string[];
  callToAction: string;
}

export interface FlyerFixedText {
  /** "4 beds · 3 baths · 2,450 sq ft · Harbor Point": one facts line under the price. */
  facts: string;
  /** Whether the flyer shows photos (they take at least FLYER_PHOTO_MIN_PT). */
  hasPhotos: boolean;
}

export type FlyerPart = "headline" | "body" | "bullets" | "callToAction";
const PART_NAMES: Record<FlyerPart, string> = {
  headline: "the headline",
  body: "the body",
  bullets: "the bullets",
  callToAction: "the call to action",
};

export interface FlyerLayout {
  size: FlyerPageSize;
  /** The --flyer-scale the page applies: the largest of FLYER_SCALES that fits, else the smallest. */
  scale: number;
  overflows: boolean;
  /** When it overflows: the part to shorten, by about how many words, and the sentence for the editor. */
  overflow: { part: FlyerPart; words: number; message: string } | null;
  /** The estimated height at `scale` and the page's usable height, in points. */
  heightPt: number;
  availablePt: number;
}

type PartHeights = Record<FlyerPart, number> & { fixed: number };

const blockPt = (lines: number, type: { size: number; lineHeight: number }, scale: number) =>
  lines * type.size * scale * type.lineHeight;

function partHeights(copy: FlyerCopy, fixed: FlyerFixedText, widthPt: number, scale: number): PartHeights {
  const { headline, body, bullet, callToAction, price, facts } = FLYER_TYPE;
  const at = (type: { size: number }) => type.size * scale;
  const headlinePt = copy.headline
    ? blockPt(
        wrapLines(copy.headline, widthPt - 2 * FLYER_HEADER_PAD_PT.x, at(headline), true),
        headline,
        scale,
      ) +
      2 * FLYER_HEADER_PAD_PT.y
    : 0;
  const paragraphs = copy.body
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  const bodyPt =
    paragraphs.reduce(
      (sum, paragraph) => sum + blockPt(wrapLines(paragraph, widthPt, at(body)), body, scale),
      0,
    ) +
    Math.max(0, paragraphs.length - 1) * FLYER_PARAGRAPH_GAP_EM * at(body);
  const columnPt = (widthPt - FLYER_BULLET_COLUMN_GAP_PT) / 2 - FLYER_BULLET_INDENT_PT;
  let bulletsPt = 0;
  for (let i = 0; i < copy.bullets.length; i += 2) {
    const row = copy.bullets.slice(i, i + 2).map((b) => wrapLines(b, columnPt, at(bullet)));
    bulletsPt += blockPt(Math.max(...row), bullet, scale) + (i > 0 ? FLYER_BULLET_ROW_GAP_PT * scale : 0);
  }
  if (bulletsPt > 0 && bodyPt > 0) bulletsPt += FLYER_BULLETS_GAP_PT * scale;
  const ctaPt = copy.callToAction
    ? blockPt(wrapLines(copy.callToAction, widthPt, at(callToAction), true), callToAction, scale)
    : 0;
  const factsPt =
    price.size * price.lineHeight + blockPt(wrapLines(fixed.facts, widthPt, facts.size), facts, 1);
  const sections = [
    headlinePt,
    fixed.hasPhotos ? FLYER_PHOTO_MIN_PT : 0,
    factsPt,
    bodyPt + bulletsPt,
    ctaPt,
    FLYER_FOOTER_PT,
  ];
  const gaps = Math.max(0, sections.filter((h) => h > 0).length - 1) * FLYER_GAP_PT;
  return {
    headline: headlinePt,
    body: bodyPt,
    bullets: bulletsPt,
    callToAction: ctaPt,
    fixed: (fixed.hasPhotos ? FLYER_PHOTO_MIN_PT : 0) + factsPt + FLYER_FOOTER_PT + gaps,
  };
}

const total = (h: PartHeights) => h.fixed + h.headline + h.body + h.bullets + h.callToAction;

/** The type scale that fits the flyer's text on one page of `size`, or which part to shorten. */
export function layoutFlyer(copy: FlyerCopy, fixed: FlyerFixedText, size: FlyerPageSize): FlyerLayout {
  const page = FLYER_PAGES[size];
  const widthPt = page.widthPt - 2 * FLYER_MARGIN_IN * PT_PER_IN;
  const availablePt = (page.heightPt - 2 * FLYER_MARGIN_IN * PT_PER_IN) * (1 - FLYER_RESERVE);
  for (const scale of FLYER_SCALES) {
    const heightPt = total(partHeights(copy, fixed, widthPt, scale));
    if (heightPt <= availablePt)
      return { size, scale, overflows: false, overflow: null, heightPt, availablePt };
  }
  const scale = FLYER_SCALES[FLYER_SCALES.length - 1] ?? 1;
  const heights = partHeights(copy, fixed, widthPt, scale);
  const heightPt = total(heights);
  const excessPt = heightPt - availablePt;
  // The tallest part is the one to shorten; words ≈ the excess in lines × characters per line ÷ 6.
  const parts: FlyerPart[] = ["body", "bullets", "callToAction", "headline"];
  const part = parts.reduce((best, p) => (heights[p] > heights[best] ? p : best), "body" as FlyerPart);
  const type = part === "bullets" ? FLYER_TYPE.bullet : part === "body" ? FLYER_TYPE.body : FLYER_TYPE[part];
  const lineWidthPt = part === "bullets" ? (widthPt - FLYER_BULLET_COLUMN_GAP_PT) / 2 : widthPt;
  const charsPerLine = lineWidthPt / textWidthPt("n", type.size * scale, type.bold);
  const lines = Math.ceil(excessPt / (type.size * scale * type.lineHeight));
  const words = Math.max(1, Math.ceil((lines * charsPerLine) / 6));
  return {
    size,
    scale,
    overflows: true,
    overflow: {
      part,
      words,
      message: `This text is too long for one page: shorten ${PART_NAMES[part]} by ~${words} words.`,
    },
    heightPt,
    availablePt,
  };
}

const BULLET = /^\s*[•*-]\s+/;
const isString = (value: unknown): value is string => typeof value === "string";

/**
 * The flyer's parts: the writer's `structured` fields when present, else the edited text split as
 * `contentLimitCounts` (db/rules) counts it — the first paragraph is the headline, the last (of two or
 * more) the call to action, bullet lines in between the bullets, other lines the body.
 */
export function flyerCopy(structured: Record<string, unknown> | null, body: string): FlyerCopy {
  const s = structured ?? {};
  if (
    isString(s.headline) &&
    isString(s.body) &&
    isString(s.callToAction) &&
    Array.isArray(s.bullets) &&
    s.bullets.every(isString)
  ) {
    return { headline: s.headline, body: s.body, bullets: s.bullets, callToAction: s.callToAction };
  }
  const parts = body
    .split(/\n\s*\n/)
    .map((part) => part.trim())
    .filter(Boolean);
  const middle = parts.slice(1, parts.length > 1 ? -1 : 1);
  const bullets: string[] = [];
  const paragraphs: string[] = [];
  for (const part of middle) {
    const lines = part.split("\n");
    bullets.push(...lines.filter((line) => BULLET.test(line)).map((line) => line.replace(BULLET, "").trim()));
    const text = lines.filter((line) => !BULLET.test(line)).join("\n");
    if (text.trim()) paragraphs.push(text.trim());
  }
  return {
    headline: parts[0] ?? "",
    body: paragraphs.join("\n\n"),
    bullets,
    callToAction: parts.length > 1 ? (parts.at(-1) ?? "") : "",
  };
}

/** The QR code's payload: the listing's page on the builder site, an absolute http(s) URL, nothing added. */
export function flyerQrPayload(listingUrl: string | null | undefined): string | null {
  if (!listingUrl) return null;
  let url: URL;
  try {
    url = new URL(listingUrl.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  if (url.username || url.password) return null;
  return url.href;
}

/** The limits the layout is designed against (the editor enforces them; see flyer-layout-unit.test.ts). */
export const FLYER_LIMITS = {
  headline: LIMITS.flyerHeadline,
  body: LIMITS.flyerBody,
  bullets: LIMITS.flyerBullets,
  bullet: LIMITS.flyerBullet,
  callToAction: LIMITS.flyerCallToAction,
} as const;
