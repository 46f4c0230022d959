// Deterministic repair of a model's parsed output before it is validated. A strict gateway cannot bind string
// lengths (strict mode refuses maxLength), so real models exceed them; what can be fixed without guessing is
// fixed here and reported as a short note, and only what cannot (wrong types, empty fields) goes back to the
// model. Pure functions: no I/O, same input, same output.
import { LIMITS } from "db/rules";
import { renderInstagram } from "./render";
import type { ContentKind } from "./types";

export type Repair = { value: unknown; repairs: string[] };

const HASHTAG = /^[\p{L}\p{N}_]{1,100}$/u;
const USERNAME = /^[A-Za-z0-9._]{1,30}$/;
/** Inline "#Tag" / "@user" in running text, as Instagram counts them. */
const INLINE_HASHTAG = /(^|\s)#([\p{L}\p{N}_]+)/gu;
const INLINE_MENTION = /(^|\s)@([A-Za-z0-9._]+)/g;

export const hashtagsInText = (text: string) => text.match(INLINE_HASHTAG)?.length ?? 0;
export const mentionsInText = (text: string) => text.match(INLINE_MENTION)?.length ?? 0;

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  bull: "•",
  middot: "·",
  copy: "©",
  reg: "®",
  trade: "™",
  deg: "°",
  frac12: "½",
};
const ENTITY = /&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});/gi;

function decodeEntities(text: string): string {
  return text.replace(ENTITY, (whole, name: string) => {
    if (name.startsWith("#")) {
      const code =
        name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
        ? String.fromCodePoint(code)
        : "";
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * A complete tag as a browser reads one (`<p>`, `</b>`, `<img src=x>`, `<!-- -->`, `<?xml ?>`): the name right
 * after "<". A lone "<" as in "< 5 minutes" or "3 <4" is text.
 */
export const HTML_TAG = /<(?:\/?[a-z][^<>]*|![^<>]*|\?[^<>]*)>/i;
const TAG = new RegExp(HTML_TAG.source, "gi");
const SCRIPT_OR_STYLE =
  /<\s*(script|style|noscript|template|iframe|object)\b[^>]*>[\s\S]*?(?:<\s*\/\s*\1\s*>|$)/gi;
const COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
const BLOCK_END = /<\s*(?:br|\/p|\/div|\/li|\/h[1-6]|\/tr)\b[^>]*>/gi;
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * Markup to plain text: entities decoded (so "&lt;script&gt;" is caught too), script/style elements removed
 * with their content, other tags removed, line breaks kept. `changed` says whether any markup was there.
 */
export function stripMarkup(input: string): { text: string; changed: boolean; removedScript: boolean } {
  let text = input;
  let removedScript = false;
  // Entity-encoded markup can be nested ("&amp;lt;b&amp;gt;"); a few rounds reach plain text.
  for (let round = 0; round < 3; round++) {
    const decoded = decodeEntities(text);
    const withoutScripts = decoded.replace(SCRIPT_OR_STYLE, () => {
      removedScript = true;
      return " ";
    });
    const next = withoutScripts.replace(COMMENT, " ").replace(BLOCK_END, "\n").replace(TAG, " ");
    if (next === text) break;
    text = next;
  }
  text = text.replace(CONTROL, "");
  return { text, changed: text !== input.replace(CONTROL, ""), removedScript };
}

/** Trims each line and the whole, keeps at most one blank line; no note, nothing is lost. */
function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t\u00a0]+/g, " ")
    .replace(/ *\n */g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * Shortens to at most `max` characters: at the last sentence end if that keeps most of the text, otherwise at
 * the last word boundary with an ellipsis. Never cuts inside a word unless one word is longer than `max`.
 */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max);
  const sentenceEnd = Math.max(...[...head.matchAll(/[.!?…](?=\s|$)/g)].map((m) => m.index + 1), -1);
  if (sentenceEnd >= max * 0.6) return head.slice(0, sentenceEnd).trimEnd();
  // The ellipsis takes the last character; a word that ends right there is kept whole.
  const limit = max - 1;
  const boundary = /\s/.test(text[limit] ?? "") ? limit : text.slice(0, limit).search(/\s\S*$/);
  const cut = boundary >= max * 0.4 ? text.slice(0, boundary) : text.slice(0, limit);
  return `${cut.replace(/[\s,;:–—-]+$/u, "")}…`;
}

const n = (count: number) => count.toLocaleString("en-US");
const plural = (count: number, one: string, many = `${one}s`) => `${n(count)} ${count === 1 ? one : many}`;

type Notes = string[];

/**
 * Plain, tidy text within `max`; `label` names the field in notes ("the caption", "bullet 2"). A one-line
 * field (headline, bullet, call to action) gets its line breaks, from `<br>` or `</h1>` say, as spaces.
 */
function repairText(
  value: unknown,
  label: string,
  max: number | null,
  notes: Notes,
  oneLine = false,
): unknown {
  if (typeof value !== "string") return value;
  const { text: plain, changed, removedScript } = stripMarkup(value);
  if (removedScript) notes.push(`Removed a script from ${label}`);
  else if (changed) notes.push(`Turned markup in ${label} into plain text`);
  const text = oneLine ? tidy(plain.replace(/\s*\n\s*/g, " ")) : tidy(plain);
  if (max === null || text.length <= max) return text;
  notes.push(`Shortened ${label} to ${n(max)} characters`);
  return shorten(text, max);
}

function toList(value: unknown): unknown {
  // Looser providers sometimes send "#a #b, #c" where a list belongs.
  if (typeof value === "string") return value.split(/[\s,]+/).filter(Boolean);
  return value;
}

type ListOptions = { what: "hashtag" | "mention"; max: number; limitLabel: string };

/** Hashtags: "#New Construction" -> "NewConstruction"; several in one string are split. */
function normalizeHashtag(raw: string): string[] {
  const plain = tidy(stripMarkup(raw).text);
  const parts = (plain.match(/#/g)?.length ?? 0) > 1 ? plain.split("#") : [plain];
  return parts
    .map((part) =>
      part
        .replace(/^#+/, "")
        .trim()
        .split(/\s+/)
        .map((word, i) => (i === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1)))
        .join("")
        // Punctuation is never part of a hashtag: "Café-Royale" and "St.Cloud" read the same without it.
        .replace(/[^\p{L}\p{N}_]/gu, ""),
    )
    .filter(Boolean);
}

/** Mentions: only "@" and spaces are removed; anything else would be guessing at someone's username. */
function normalizeMention(raw: string): string[] {
  const plain = tidy(stripMarkup(raw).text).replace(/^@+/, "").replace(/\s+/g, "");
  return plain ? [plain] : [];
}

function repairList(value: unknown, options: ListOptions & { alreadyUsed: number }, notes: Notes): unknown {
  const list = toList(value);
  if (!Array.isArray(list) || list.some((item) => typeof item !== "string")) return list;
  const { what, max, limitLabel, alreadyUsed } = options;
  const valid = what === "hashtag" ? HASHTAG : USERNAME;
  const normalize = what === "hashtag" ? normalizeHashtag : normalizeMention;
  let reformatted = 0;
  const invalid: string[] = [];
  const kept: string[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const raw of list as string[]) {
    const items = normalize(raw);
    if (items.length === 0 && raw.trim()) invalid.push(raw.trim());
    if (items.length && items.every((item) => valid.test(item)) && items.join(" ") !== raw.trim()) {
      reformatted++;
    }
    for (const item of items) {
      if (!valid.test(item)) {
        invalid.push(item);
        continue;
      }
      const key = item.toLowerCase();
      if (seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.add(key);
      kept.push(item);
    }
  }
  const sign = what === "hashtag" ? "#" : "@";
  if (reformatted) notes.push(`Removed "${sign}" and spaces from ${plural(reformatted, what)}`);
  if (invalid.length) {
    const shown = invalid
      .slice(0, 3)
      .map((item) => `"${item.slice(0, 40)}"`)
      .join(", ");
    notes.push(
      `Dropped ${plural(invalid.length, `invalid ${what}`)} (${shown}${invalid.length > 3 ? ", …" : ""})`,
    );
  }
  if (duplicates) notes.push(`Removed ${plural(duplicates, `duplicate ${what}`)}`);
  const room = Math.max(0, max - alreadyUsed);
  if (kept.length > room) {
    const inText = alreadyUsed ? `, counting the ${n(alreadyUsed)} in the caption` : "";
    notes.push(`Removed ${plural(kept.length - room, what)} over ${limitLabel}${inText}`);
    kept.length = room;
  }
  return kept;
}

/** "#Tag" beyond the limit inside the caption itself becomes the plain word "Tag". */
function capInline(
  caption: string,
  pattern: RegExp,
  max: number,
  what: string,
  limitLabel: string,
  notes: Notes,
) {
  let seen = 0;
  let changed = 0;
  const text = caption.replace(pattern, (whole, space: string, word: string) => {
    seen++;
    if (seen <= max) return whole;
    changed++;
    return `${space}${word}`;
  });
  if (changed)
    notes.push(`Turned ${plural(changed, what)} in the caption beyond ${limitLabel} into plain words`);
  return text;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function repairFacebook(value: Record<string, unknown>, notes: Notes) {
  return {
    ...value,
    text: repairText(value.text, "the post text", LIMITS.facebookText, notes),
    hashtags: repairList(
      value.hashtags,
      {
        what: "hashtag",
        max: LIMITS.facebookHashtags,
        limitLabel: `the ${LIMITS.facebookHashtags} allowed`,
        alreadyUsed: 0,
      },
      notes,
    ),
  };
}

function repairInstagram(value: Record<string, unknown>, notes: Notes) {
  const hashLimit = `Instagram's ${LIMITS.instagramHashtags}`;
  const mentionLimit = `Instagram's ${LIMITS.instagramMentions}`;
  let caption = repairText(value.caption, "the caption", null, notes);
  if (typeof caption === "string") {
    caption = capInline(caption, INLINE_HASHTAG, LIMITS.instagramHashtags, "hashtag", hashLimit, notes);
    caption = capInline(
      caption as string,
      INLINE_MENTION,
      LIMITS.instagramMentions,
      "mention",
      mentionLimit,
      notes,
    );
  }
  const text = typeof caption === "string" ? caption : "";
  const hashtags = repairList(
    value.hashtags,
    {
      what: "hashtag",
      max: LIMITS.instagramHashtags,
      limitLabel: hashLimit,
      alreadyUsed: hashtagsInText(text),
    },
    notes,
  );
  const mentions = repairList(
    value.mentions,
    {
      what: "mention",
      max: LIMITS.instagramMentions,
      limitLabel: mentionLimit,
      alreadyUsed: mentionsInText(text),
    },
    notes,
  );
  if (typeof caption === "string" && isStringList(hashtags) && isStringList(mentions)) {
    caption = fitCaption(caption, hashtags, mentions, notes);
  }
  return { ...value, caption, hashtags, mentions };
}

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === "string");

/** The rendered caption (text, hashtags, mentions) within 2,200: the tags give way first, then the text. */
function fitCaption(caption: string, hashtags: string[], mentions: string[], notes: Notes): string {
  const max = LIMITS.instagramCaption;
  const rendered = () => renderInstagram({ caption, hashtags, mentions }).length;
  if (rendered() <= max) return caption;
  // Tags may take at most half the room, so a long list cannot squeeze the caption to nothing.
  const footer = () => rendered() - caption.length;
  let dropped = 0;
  while (footer() > max / 2 && (hashtags.length || mentions.length)) {
    if (hashtags.length) hashtags.pop();
    else mentions.pop();
    dropped++;
  }
  if (dropped)
    notes.push(
      `Removed ${plural(dropped, "hashtag or mention", "hashtags and mentions")} to fit Instagram's ${n(max)} characters`,
    );
  if (rendered() <= max) return caption;
  const room = max - footer();
  notes.push(
    `Shortened the caption to ${n(room)} characters so it fits Instagram's ${n(max)} with its hashtags`,
  );
  return shorten(caption, room);
}

function repairFlyer(value: Record<string, unknown>, notes: Notes) {
  const headline = repairText(value.headline, "the headline", LIMITS.flyerHeadline, notes, true);
  const body = repairText(value.body, "the body", LIMITS.flyerBody, notes);
  let bullets: unknown = value.bullets;
  if (isStringList(bullets)) {
    let marked = 0;
    let empty = 0;
    let duplicates = 0;
    const seen = new Set<string>();
    // Each bullet's own notes count only if it is kept.
    const kept: { text: string; notes: Notes }[] = [];
    bullets.forEach((raw, i) => {
      const own: Notes = [];
      const unmarked = raw.replace(/^\s*(?:[•·▪●◦‣*–—-]|\d{1,2}[.)])\s+/u, "");
      if (unmarked !== raw) marked++;
      const text = repairText(unmarked, `bullet ${i + 1}`, LIMITS.flyerBullet, own, true) as string;
      if (!text) {
        empty++;
        return;
      }
      const key = text.toLowerCase();
      if (seen.has(key)) {
        duplicates++;
        return;
      }
      seen.add(key);
      kept.push({ text, notes: own });
    });
    const over = Math.max(0, kept.length - LIMITS.flyerBullets);
    kept.length -= over;
    notes.push(...kept.flatMap((bullet) => bullet.notes));
    if (marked) notes.push(`Removed bullet characters from ${plural(marked, "bullet")}`);
    if (empty) notes.push(`Removed ${plural(empty, "empty bullet")}`);
    if (duplicates) notes.push(`Removed ${plural(duplicates, "duplicate bullet")}`);
    if (over) notes.push(`Removed ${plural(over, "bullet")} over the flyer's ${LIMITS.flyerBullets}`);
    bullets = kept.map((bullet) => bullet.text);
  }
  const callToAction = repairText(
    value.callToAction,
    "the call to action",
    LIMITS.flyerCallToAction,
    notes,
    true,
  );
  return { ...value, headline, body, bullets, callToAction };
}

/**
 * Fixes what can be fixed in a parsed reply of `kind`: markup to plain text, whitespace, over-long text
 * (shortened at a word boundary), hashtags and mentions (normalized, invalid ones dropped, deduplicated, capped
 * at the platform's limits, counting those inside an Instagram caption), and the rendered Instagram caption's
 * 2,200 characters. Fields of the wrong type are left as they are, for validation to reject.
 */
export function repairContent(kind: ContentKind, value: unknown): Repair {
  if (!isRecord(value)) return { value, repairs: [] };
  const notes: Notes = [];
  const repaired =
    kind === "facebook_post"
      ? repairFacebook(value, notes)
      : kind === "instagram_caption"
        ? repairInstagram(value, notes)
        : repairFlyer(value, notes);
  return { value: repaired, repairs: notes };
}
