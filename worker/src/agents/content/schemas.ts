// The shape each kind of content must have, twice: a JSON Schema for the model's structured output and a
// zod/mini schema that enforces the real limits. OpenAI strict mode refuses a schema with minLength/maxLength
// (and, for fine-tuned models, pattern, format, minItems, maxItems), so the JSON Schemas carry no bounds, only
// descriptions; a reply is repaired (repair.ts) and then validated here. Markup is stripped by the repair;
// the check below stays as the last line of defence.
import { LIMITS } from "db/rules";
import * as z from "zod/mini";
import { renderInstagram } from "./render";
import { HTML_TAG, hashtagsInText, mentionsInText, repairContent } from "./repair";
import type { ContentKind, DraftContent } from "./types";

export { LIMITS };

const plain = (label: string, max: number) =>
  z.string().check(
    z.trim(),
    z.minLength(1, `${label} must not be empty`),
    z.maxLength(max, `${label} must be at most ${max} characters`),
    z.refine((s) => !HTML_TAG.test(s), `${label} must be plain text without HTML tags`),
  );

const hashtag = z.string().check(
  z.overwrite((s) => s.trim().replace(/^#+/, "")),
  z.regex(/^[\p{L}\p{N}_]{1,100}$/u, "a hashtag is letters, digits and underscores only (no spaces)"),
);
const mention = z.string().check(
  z.overwrite((s) => s.trim().replace(/^@+/, "")),
  z.regex(/^[A-Za-z0-9._]{1,30}$/, "a mention is an Instagram username (letters, digits, . and _)"),
);

const facebookPost = z.object({
  text: plain("text", LIMITS.facebookText),
  hashtags: z
    .array(hashtag)
    .check(z.maxLength(LIMITS.facebookHashtags, `at most ${LIMITS.facebookHashtags} hashtags`)),
});

const instagramFields = z.object({
  caption: plain("caption", LIMITS.instagramCaption),
  hashtags: z
    .array(hashtag)
    .check(
      z.maxLength(LIMITS.instagramHashtags, `Instagram allows at most ${LIMITS.instagramHashtags} hashtags`),
    ),
  mentions: z
    .array(mention)
    .check(
      z.maxLength(LIMITS.instagramMentions, `Instagram allows at most ${LIMITS.instagramMentions} mentions`),
    ),
});
type InstagramFields = z.infer<typeof instagramFields>;
const instagramCaption = instagramFields.check(
  z.refine(
    (v: InstagramFields) => renderInstagram(v).length <= LIMITS.instagramCaption,
    `the caption with its hashtags and mentions must be at most ${LIMITS.instagramCaption} characters`,
  ),
  z.refine(
    (v: InstagramFields) => hashtagsInText(v.caption) + v.hashtags.length <= LIMITS.instagramHashtags,
    `Instagram allows at most ${LIMITS.instagramHashtags} hashtags, counting those inside the caption`,
  ),
  z.refine(
    (v: InstagramFields) => mentionsInText(v.caption) + v.mentions.length <= LIMITS.instagramMentions,
    `Instagram allows at most ${LIMITS.instagramMentions} mentions, counting those inside the caption`,
  ),
);

const flyerText = z.object({
  headline: plain("headline", LIMITS.flyerHeadline),
  body: plain("body", LIMITS.flyerBody),
  bullets: z
    .array(plain("bullet", LIMITS.flyerBullet))
    .check(z.maxLength(LIMITS.flyerBullets, `at most ${LIMITS.flyerBullets} bullets`)),
  callToAction: plain("callToAction", LIMITS.flyerCallToAction),
});

const SCHEMAS = {
  facebook_post: facebookPost,
  instagram_caption: instagramCaption,
  flyer_text: flyerText,
} as const;

const stringArray = (description: string) => ({ type: "array", items: { type: "string" }, description });

/** JSON Schemas for `response_format: { type: "json_schema", json_schema: { name: kind, strict: true, schema } }`. */
export const JSON_SCHEMAS: Record<ContentKind, Record<string, unknown>> = {
  facebook_post: {
    type: "object",
    additionalProperties: false,
    required: ["text", "hashtags"],
    properties: {
      text: {
        type: "string",
        description: `Post text, plain text, at most ${LIMITS.facebookText} characters, hashtags not included`,
      },
      hashtags: stringArray(`At most ${LIMITS.facebookHashtags} hashtags without the leading #`),
    },
  },
  instagram_caption: {
    type: "object",
    additionalProperties: false,
    required: ["caption", "hashtags", "mentions"],
    properties: {
      caption: {
        type: "string",
        description: `Caption, plain text; with hashtags and mentions at most ${LIMITS.instagramCaption} characters`,
      },
      hashtags: stringArray(`At most ${LIMITS.instagramHashtags} hashtags without the leading #`),
      mentions: stringArray(`At most ${LIMITS.instagramMentions} Instagram usernames without the leading @`),
    },
  },
  flyer_text: {
    type: "object",
    additionalProperties: false,
    required: ["headline", "body", "bullets", "callToAction"],
    properties: {
      headline: { type: "string", description: `At most ${LIMITS.flyerHeadline} characters` },
      body: {
        type: "string",
        description: `One or two short paragraphs, at most ${LIMITS.flyerBody} characters`,
      },
      bullets: stringArray(`At most ${LIMITS.flyerBullets} short feature bullets, no bullet characters`),
      callToAction: { type: "string", description: "Who to call: agent name, brokerage name, phone" },
    },
  },
};

export type Validation = { ok: true; content: DraftContent } | { ok: false; error: string };
/** A parsed reply: `repairs` are the notes of what was fixed before it validated (also when it still failed). */
export type ParsedReply = ({ ok: true; content: DraftContent } | { ok: false; error: string }) & {
  repairs: string[];
};

function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

/** Checks already-parsed output against the kind's limits; hashtags lose "#" and mentions lose "@". */
export function validateContent(kind: ContentKind, value: unknown): Validation {
  const result = z.safeParse(SCHEMAS[kind], value);
  if (!result.success) return { ok: false, error: describeIssues(result.error) };
  return { ok: true, content: { kind, ...result.data } as DraftContent };
}

/**
 * Parses a model's reply (a JSON object, possibly wrapped in a Markdown code fence by looser providers),
 * repairs what can be repaired, then validates it against the kind's limits.
 */
export function parseContent(kind: ContentKind, text: string | null | undefined): ParsedReply {
  const fail = (error: string): ParsedReply => ({ ok: false, error, repairs: [] });
  if (!text?.trim()) return fail("the reply was empty; reply with the JSON object only");
  const unfenced = text
    .trim()
    .replace(/^```(?:json)?\s*/i, "")
    .replace(/\s*```$/, "");
  let value: unknown;
  try {
    value = JSON.parse(unfenced);
  } catch (error) {
    return fail(`the reply is not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail("the reply must be one JSON object");
  }
  const repaired = repairContent(kind, value);
  return { ...validateContent(kind, repaired.value), repairs: repaired.repairs };
}
