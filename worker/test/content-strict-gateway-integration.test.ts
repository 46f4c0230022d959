// Against a gateway that enforces OpenAI's strict structured-output subset and a model that ignores every soft
// limit (tools/fake-llm "sloppy" style), every kind still drafts for every listing: the writer repairs what
// it can and records each repair on the piece.
import { env } from "cloudflare:workers";
import { CONTENT_KINDS, LIMITS } from "db/rules";
import { beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { type FakeLlmControl, fakeLlmControl } from "../../tools/fake-llm/client.mjs";
import { checkCompliance } from "../src/agents/content/compliance";
import { draftForMessage } from "../src/agents/content/consumer";
import { listingFacts } from "../src/agents/content/facts";
import { renderBody } from "../src/agents/content/render";
import { JSON_SCHEMAS, validateContent } from "../src/agents/content/schemas";
import type { ContentKind, DraftContent } from "../src/agents/content/types";
import { draftContent } from "../src/agents/content/writer";
import { agentWithListings, piecesOf } from "./helpers/content";

/** The profile agentWithListings gives its agent; compliance reads only the brokerage name. */
const AGENT = {
  name: "Chris Morgan",
  brokerageName: "Sunshine Realty",
  phone: "(407) 555-0100",
  email: "",
  licenseNumber: "",
};

let fake: FakeLlmControl;
beforeAll(async () => {
  fake = await fakeLlmControl(inject("fakeLlmUrl")).newInstance();
});
beforeEach(async () => {
  await fake.reset();
});

/** The Worker's env with the LLM pointed at this test's fake gateway. */
function llmEnv(): Env {
  const vars: Partial<Record<keyof Env, string>> = {
    PORTKEY_API_KEY: "pk-test",
    PORTKEY_PROVIDER: "@openai-test",
    LLM_BASE_URL: fake.baseUrl,
    LLM_MODEL: "gpt-strict",
  };
  return new Proxy(env, {
    get: (target, key) => (key in vars ? vars[key as keyof Env] : Reflect.get(target, key)),
  });
}

async function complete(schema: Record<string, unknown>, name = "facebook_post") {
  const response = await fetch(`${fake.baseUrl}/chat/completions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-portkey-api-key": "pk-test",
      "x-portkey-provider": "@openai-test",
    },
    body: JSON.stringify({
      model: "gpt-strict",
      messages: [{ role: "user", content: "Write it." }],
      response_format: { type: "json_schema", json_schema: { name, strict: true, schema } },
    }),
  });
  return { status: response.status, body: (await response.json()) as { error?: Record<string, unknown> } };
}

const object = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: "object",
  additionalProperties: false,
  required: Object.keys(properties),
  properties,
  ...extra,
});

describe("the strict fake gateway", () => {
  it("refuses a schema with maxLength, in OpenAI's error shape", async () => {
    const { status, body } = await complete(object({ text: { type: "string", maxLength: 140 } }));
    expect(status).toBe(400);
    expect(body.error).toEqual({
      message:
        "Invalid schema for response_format 'facebook_post': In context=('properties', 'text'), 'maxLength' is not permitted.",
      type: "invalid_request_error",
      param: "response_format",
      code: null,
    });
  });

  it.each([
    ["minLength", object({ text: { type: "string", minLength: 1 } }), "'minLength' is not permitted"],
    ["default", object({ text: { type: "string", default: "" } }), "'default' is not permitted"],
    ["allOf", object({ text: { allOf: [{ type: "string" }] } }), "'allOf' is not permitted"],
    [
      "uniqueItems",
      object({ tags: { type: "array", items: { type: "string" }, uniqueItems: true } }),
      "'uniqueItems'",
    ],
    [
      "an optional property",
      { type: "object", additionalProperties: false, required: [], properties: { text: { type: "string" } } },
      "Missing 'text'",
    ],
    [
      "extra keys allowed",
      { type: "object", required: ["text"], properties: { text: { type: "string" } } },
      "'additionalProperties' is required to be supplied and to be false",
    ],
    [
      "a nested object without additionalProperties",
      object({ item: { type: "object", required: [], properties: {} } }),
      "In context=('properties', 'item'), 'additionalProperties'",
    ],
    [
      "an unknown format",
      object({ when: { type: "string", format: "uri" } }),
      "'format' 'uri' is not supported",
    ],
    ["a root anyOf", { anyOf: [object({ a: { type: "string" } })] }, "must not be 'anyOf'"],
  ])("refuses %s", async (_label, schema, message) => {
    const { status, body } = await complete(schema as Record<string, unknown>);
    expect(status).toBe(400);
    expect(String(body.error?.message)).toContain(message);
  });

  it("accepts pattern and minItems, but not for a fine-tuned model", async () => {
    const schema = object({
      handle: { type: "string", pattern: "^[a-z]+$" },
      tags: { type: "array", items: { type: "string" }, maxItems: 3 },
    });
    expect((await complete(schema)).status).toBe(200);
    await fake.mode({ schemaProfile: "fine_tuned" });
    const { status, body } = await complete(schema);
    expect(status).toBe(400);
    expect(String(body.error?.message)).toContain("'pattern' is not permitted");
  });

  it.each(CONTENT_KINDS)("accepts the schema the writer sends for %s, under both subsets", async (kind) => {
    expect((await complete(JSON_SCHEMAS[kind], kind)).status).toBe(200);
    await fake.mode({ schemaProfile: "fine_tuned" });
    expect((await complete(JSON_SCHEMAS[kind], kind)).status).toBe(200);
  });

  it("a writer schema with maxLength would fail the draft as a refused request, not a crash", async () => {
    const original = JSON_SCHEMAS.flyer_text;
    JSON_SCHEMAS.flyer_text = { ...original, properties: { headline: { type: "string", maxLength: 80 } } };
    try {
      const agent = await agentWithListings(1);
      const [listing] = agent.listings;
      if (!listing) throw new Error("no listing");
      const error = await draftContent(
        {
          llm: { baseUrl: fake.baseUrl, apiKey: "pk", provider: "@openai-test", model: "gpt-strict" },
          langflow: null,
        },
        {
          kind: "flyer_text",
          postType: "new_listing",
          listing: listingFacts(listing),
          agent: { name: "Chris", brokerageName: "Sunshine Realty", phone: "", email: "", licenseNumber: "" },
          traceId: "t",
        },
        { agentId: agent.agentId },
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({
        reason: "The writing service refused the request.",
        retryable: false,
        status: 400,
        detail: expect.stringContaining("'maxLength' is not permitted"),
      });
    } finally {
      JSON_SCHEMAS.flyer_text = original;
    }
  });
});

function withinLimits(content: DraftContent) {
  const body = renderBody(content);
  expect(body).not.toMatch(/<\/?[a-z!]/i);
  expect(body).not.toMatch(/script|alert|display:none|&lt;|&gt;|&amp;/i);
  switch (content.kind) {
    case "facebook_post":
      expect(content.text.length).toBeLessThanOrEqual(LIMITS.facebookText);
      expect(content.hashtags.length).toBeLessThanOrEqual(LIMITS.facebookHashtags);
      break;
    case "instagram_caption": {
      expect(body.length).toBeLessThanOrEqual(LIMITS.instagramCaption);
      const inline = content.caption.match(/(^|\s)#[\p{L}\p{N}_]+/gu)?.length ?? 0;
      expect(inline + content.hashtags.length).toBeLessThanOrEqual(LIMITS.instagramHashtags);
      expect(content.mentions).toEqual(["HolidayBuilders", "sunshine.realty"]);
      break;
    }
    case "flyer_text":
      expect(content.headline.length).toBeLessThanOrEqual(LIMITS.flyerHeadline);
      expect(content.body.length).toBeLessThanOrEqual(LIMITS.flyerBody);
      expect(content.bullets.length).toBeLessThanOrEqual(LIMITS.flyerBullets);
      for (const bullet of content.bullets) {
        expect(bullet.length).toBeLessThanOrEqual(LIMITS.flyerBullet);
        expect(bullet).not.toMatch(/^•/);
      }
      expect(content.callToAction.length).toBeLessThanOrEqual(LIMITS.flyerCallToAction);
      break;
  }
  for (const tag of "hashtags" in content ? content.hashtags : []) expect(tag).toMatch(/^[\p{L}\p{N}_]+$/u);
}

const EXPECTED_REPAIRS: Record<ContentKind, RegExp[]> = {
  facebook_post: [
    /^Removed a script from the post text$/,
    /^Shortened the post text to 3,000 characters$/,
    /^Removed "#" and spaces from \d+ hashtags$/,
    /^Dropped 1 invalid hashtag \("!!!"\)$/,
    /^Removed \d+ duplicate hashtags$/,
    /^Removed \d+ hashtags over the 10 allowed$/,
  ],
  instagram_caption: [
    /^Removed a script from the caption$/,
    /^Removed "@" and spaces from 3 mentions$/,
    /^Dropped 1 invalid mention \("notahandle!"\)$/,
    /^Removed 1 duplicate mention$/,
    /^Removed \d+ hashtags over Instagram's 30, counting the 2 in the caption$/,
    /^Shortened the caption to [\d,]+ characters so it fits Instagram's 2,200 with its hashtags$/,
  ],
  flyer_text: [
    /^Turned markup in the headline into plain text$/,
    /^Shortened the headline to 80 characters$/,
    /^Removed a script from the body$/,
    /^Shortened the body to 1,200 characters$/,
    /^Shortened bullet \d+ to 140 characters$/,
    /^Removed bullet characters from \d+ bullets$/,
    /^Removed 1 empty bullet$/,
    /^Removed 1 duplicate bullet$/,
    /^Removed \d+ bullets? over the flyer's 8$/,
    /^Turned markup in the call to action into plain text$/,
    /^Shortened the call to action to 200 characters$/,
  ],
};

describe("drafting through the strict gateway with a model that ignores soft limits", () => {
  it("drafts all three kinds for every listing, repaired, checked and with the repairs recorded", {
    timeout: 60_000,
  }, async () => {
    await fake.mode({ schemaProfile: "fine_tuned", style: "sloppy" });
    const agent = await agentWithListings(4);
    expect(agent.listings.length).toBe(4);
    const llm = llmEnv();
    for (const listing of agent.listings) {
      await draftForMessage(llm, {
        type: "manual_request",
        key: `manual:${crypto.randomUUID()}`,
        agentId: agent.agentId,
        listingId: listing.id,
        kinds: [...CONTENT_KINDS],
        postType: "new_listing",
      });
      const pieces = await piecesOf(agent.agentId, listing.id);
      expect(pieces.map((p) => `${p.kind}:${p.status}`).sort()).toEqual([
        "facebook_post:pending_approval",
        "flyer_text:pending_approval",
        "instagram_caption:pending_approval",
      ]);
      for (const piece of pieces) {
        const content = piece.structured as DraftContent;
        expect(validateContent(piece.kind, content)).toMatchObject({ ok: true });
        withinLimits(content);
        expect(piece.body).toBe(renderBody(content));
        // The listing's own address and community, in the model's words, raise no fact-check flag.
        expect(piece.body).toContain(listing.addressLine);
        expect(piece.complianceFlags.filter((f) => f.rule === "fact_check")).toEqual([]);
        expect(checkCompliance(piece.body, listingFacts(listing), AGENT)).toEqual(piece.complianceFlags);
        const repairs = (piece as { repairs?: string[] }).repairs ?? [];
        for (const pattern of EXPECTED_REPAIRS[piece.kind]) {
          expect(repairs, `${piece.kind} notes`).toContainEqual(expect.stringMatching(pattern));
        }
      }
    }
    // Two calls per piece (draft, optimize), none of them a second try: everything was repairable.
    const calls = (await fake.requests()).filter((r) => r.path === "/v1/chat/completions");
    expect(calls).toHaveLength(agent.listings.length * CONTENT_KINDS.length * 2);
  });

  it("a reply with nothing usable left is sent back once; the second good one drafts", async () => {
    const agent = await agentWithListings(1);
    const [listing] = agent.listings;
    if (!listing) throw new Error("no listing");
    await fake.script([{ content: JSON.stringify({ text: "<script>alert(1)</script>", hashtags: [] }) }]);
    await draftForMessage(llmEnv(), {
      type: "manual_request",
      key: `manual:${crypto.randomUUID()}`,
      agentId: agent.agentId,
      listingId: listing.id,
      kinds: ["facebook_post"],
      postType: "new_listing",
    });
    const [piece] = await piecesOf(agent.agentId, listing.id);
    expect(piece?.status).toBe("pending_approval");
    const calls = await fake.requests();
    expect(calls).toHaveLength(3); // draft, its second try, optimize
    const retry = (calls[1]?.body as { messages: { content: string }[] } | undefined)?.messages.at(
      -1,
    )?.content;
    expect(retry).toMatch(/text must not be empty/);
  });
});
