import { LIMITS } from "db/rules";

// Apart from lib/content, whose statuses and search parsing the router needs in the entry: only the
// pages that show or edit a draft's text load these.

// ——— Previews: the structured draft when there is one, else the plain text split into its parts ———

export type FacebookParts = { text: string; hashtags: string[] };
export type InstagramParts = { caption: string; hashtags: string[]; mentions: string[] };
export type FlyerParts = { headline: string; body: string; bullets: string[]; callToAction: string };

const isString = (value: unknown): value is string => typeof value === "string";
const stringList = (value: unknown): string[] | null =>
  Array.isArray(value) && value.every(isString) ? value : null;
/** Stored without the leading "#" / "@"; tolerate either. */
const bare = (tags: string[]) => tags.map((tag) => tag.replace(/^[#@]+/, "")).filter(Boolean);

type Structured = Record<string, unknown> | null;

export function facebookParts(structured: Structured, body: string): FacebookParts {
  const text = structured?.text;
  const hashtags = stringList(structured?.hashtags);
  if (isString(text) && hashtags) return { text, hashtags: bare(hashtags) };
  return { text: body, hashtags: [] };
}

export function instagramParts(structured: Structured, body: string): InstagramParts {
  const caption = structured?.caption;
  const hashtags = stringList(structured?.hashtags);
  const mentions = stringList(structured?.mentions);
  if (isString(caption) && hashtags && mentions) {
    return { caption, hashtags: bare(hashtags), mentions: bare(mentions) };
  }
  return { caption: body, hashtags: [], mentions: [] };
}

const BULLET = /^\s*[•\-*]\s+/;

export function flyerParts(structured: Structured, body: string): FlyerParts {
  const { headline, body: text, callToAction } = structured ?? {};
  const bullets = stringList(structured?.bullets);
  if (isString(headline) && isString(text) && isString(callToAction) && bullets) {
    return { headline, body: text, bullets, callToAction };
  }
  // Edited text has no parts: the first paragraph is the headline, bullet lines the bullets, the last
  // paragraph (of three or more) the call to action.
  const blocks = body
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .filter(Boolean);
  const listed: string[] = [];
  const prose: string[] = [];
  for (const block of blocks.slice(1)) {
    const lines = block.split("\n");
    if (lines.every((line) => BULLET.test(line)))
      listed.push(...lines.map((line) => line.replace(BULLET, "")));
    else prose.push(block);
  }
  const last = prose.length >= 2 ? prose.pop() : undefined;
  return { headline: blocks[0] ?? "", body: prose.join("\n\n"), bullets: listed, callToAction: last ?? "" };
}

/** What Instagram accepts in one caption. */
export const INSTAGRAM_LIMITS = {
  characters: LIMITS.instagramCaption,
  hashtags: LIMITS.instagramHashtags,
  mentions: LIMITS.instagramMentions,
} as const;

/** Hashtags and mentions, for showing them link-coloured; the rest stays plain text. */
export const TAG_OR_MENTION = /((?<![\p{L}\p{N}_&#@.])[#@][\p{L}\p{N}_]+(?:\.[\p{L}\p{N}_]+)*)/u;

// Counted as `content.update` counts them.
export { countHashtags, countMentions } from "db/rules";

/** Characters as people count them (an emoji is one). */
export function characterCount(text: string): number {
  return [...text].length;
}
