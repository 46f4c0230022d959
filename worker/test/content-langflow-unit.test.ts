import { beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { type FakeLlmControl, fakeLlmControl } from "../../tools/fake-llm/client.mjs";
import type { FakeLlmRequest } from "../../tools/fake-llm/server.mjs";
import { checkCompliance } from "../src/agents/content/compliance";
import {
  type AgentProfile,
  type ContentKind,
  type DraftRequest,
  GenerationError,
  type ListingFacts,
} from "../src/agents/content/types";
import { draftContent, type WriterConfig, writerConfigFromEnv } from "../src/agents/content/writer";

const LISTING: ListingFacts = {
  addressLine: "88 Heron Point Ln",
  city: "Groveland",
  state: "FL",
  zip: "34736",
  community: "Lake Sawyer Reserve",
  planName: "Cypress",
  priceCents: 41_999_000,
  previousPriceCents: 43_499_000,
  beds: 3,
  bathsFull: 2,
  bathsHalf: 0,
  sqft: 1870,
  garage: 2,
  status: "available",
  moveInDate: null,
  incentives: "",
  description: "Split floor plan with a covered lanai.",
  imageUrls: [],
  sourceUrl: null,
};
const AGENT: AgentProfile = {
  name: "Chris Walker",
  brokerageName: "Sunshine Coast Realty",
  phone: "(407) 555-0142",
  email: "chris@example.com",
  licenseNumber: "SL3456789",
};
const LANGFLOW_KEY = "lf-test-key";

let fake: FakeLlmControl;
beforeAll(async () => {
  fake = await fakeLlmControl(inject("fakeLlmUrl")).newInstance({ langflowApiKey: LANGFLOW_KEY });
});
beforeEach(async () => {
  await fake.reset();
});

const config = (options: { llm?: boolean; apiKey?: string } = {}): WriterConfig => ({
  llm:
    options.llm === false
      ? null
      : { baseUrl: fake.baseUrl, apiKey: "pk-test-key", provider: "@openai-test", model: "gpt-test-mini" },
  langflow: {
    url: fake.url,
    apiKey: options.apiKey ?? LANGFLOW_KEY,
    flyerFlowId: "flyer-flow-1",
    optimizeFlowId: "optimize-flow-1",
  },
});
const request = (kind: ContentKind): DraftRequest => ({
  kind,
  postType: "price_improvement",
  listing: LISTING,
  agent: AGENT,
  traceId: "trace-lf",
});
const flowInput = (r: FakeLlmRequest | undefined) =>
  JSON.parse((r?.body as { input_value?: string } | undefined)?.input_value ?? "{}") as Record<
    string,
    unknown
  >;

async function failure(promise: Promise<unknown>): Promise<GenerationError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GenerationError);
  return error as GenerationError;
}

describe("Langflow flows", () => {
  it("drafts flyer text with the flyer flow, then optimizes the layout on the LLM", async () => {
    const result = await draftContent(config(), request("flyer_text"), { agentId: "a1" });
    expect(result.generator).toBe("langflow");
    expect(result.content.kind).toBe("flyer_text");
    expect(checkCompliance(result.body, LISTING, AGENT)).toEqual([]);

    const [flow, optimize] = await fake.requests();
    expect(flow?.path).toBe("/api/v1/run/flyer-flow-1");
    expect(flow?.headers["x-api-key"]).toBe(LANGFLOW_KEY);
    expect(flow?.body).toMatchObject({ input_type: "chat", output_type: "chat", tweaks: {} });
    expect(flowInput(flow)).toMatchObject({
      task: "draft",
      kind: "flyer_text",
      postType: "price_improvement",
      display: { price: "$419,990", previousPrice: "$434,990", savings: "$15,000" },
      agent: { brokerageName: "Sunshine Coast Realty" },
    });
    expect(optimize?.path).toBe("/v1/chat/completions");
  });

  it.each<ContentKind>(["facebook_post", "instagram_caption"])(
    "drafts a %s on the LLM and optimizes it with the optimize flow",
    async (kind) => {
      const result = await draftContent(config(), request(kind), { agentId: "a1" });
      expect(result.generator).toBe("langflow");
      expect(result.model).toBe("fake-langflow-model");
      // Tokens come from the LLM step; Langflow reports none.
      expect(result.promptTokens).toBeGreaterThan(0);

      const [draft, flow] = await fake.requests();
      expect(draft?.path).toBe("/v1/chat/completions");
      expect(flow?.path).toBe("/api/v1/run/optimize-flow-1");
      expect(flowInput(flow)).toMatchObject({ task: "optimize", kind, draft: expect.any(Object) });
    },
  );

  it("runs without an LLM: offline draft, then the optimize flow; flyers from the flyer flow alone", async () => {
    const post = await draftContent(config({ llm: false }), request("facebook_post"), { agentId: "a1" });
    expect(post.generator).toBe("langflow");
    const flyer = await draftContent(config({ llm: false }), request("flyer_text"), { agentId: "a1" });
    expect(flyer.generator).toBe("langflow");
    expect((await fake.requests()).map((r) => r.path)).toEqual([
      "/api/v1/run/optimize-flow-1",
      "/api/v1/run/flyer-flow-1",
    ]);
  });

  it("sends an invalid reply's error back to the flow once", async () => {
    await fake.script([{ content: "Here is your flyer!" }]);
    const result = await draftContent(config({ llm: false }), request("flyer_text"), { agentId: "a1" });
    expect(result.content.kind).toBe("flyer_text");
    const [, second] = await fake.requests();
    expect(flowInput(second).previousReplyError).toMatch(/not valid JSON/);
  });

  it("fails, not retryable, when the flow's reply is invalid twice", async () => {
    await fake.script([{ content: "nope" }, { content: JSON.stringify({ headline: "<h1>Hi</h1>" }) }]);
    const error = await failure(
      draftContent(config({ llm: false }), request("flyer_text"), { agentId: "a1" }),
    );
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/Langflow returned an invalid flyer_text twice/);
  });

  it("repairs a sloppy flow reply like the LLM's, and records the repairs", async () => {
    await fake.script([{ sloppy: true }]);
    const result = await draftContent(config({ llm: false }), request("flyer_text"), { agentId: "a1" });
    expect(result.content.kind).toBe("flyer_text");
    expect(result.body).not.toMatch(/<|script|&lt;/);
    expect(result.repairs).toContainEqual("Removed a script from the body");
    expect(result.repairs).toContainEqual("Shortened the headline to 80 characters");
    expect(await fake.requests()).toHaveLength(1);
  });

  it("retries 5xx and then reports a retryable error", async () => {
    await fake.script([{ status: 503 }, { status: 503 }, { status: 503 }]);
    const error = await failure(
      draftContent(config({ llm: false }), request("flyer_text"), { agentId: "a1" }),
    );
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(503);
    const requests = await fake.requests();
    expect(requests).toHaveLength(3);
    // Backoff: about 0.5 s, then 1 s.
    expect((requests[2]?.receivedAt ?? 0) - (requests[0]?.receivedAt ?? 0)).toBeGreaterThanOrEqual(1400);
  });

  it("honours Retry-After on a 429", async () => {
    await fake.script([{ status: 429, retryAfter: 1 }]);
    const result = await draftContent(config({ llm: false }), request("flyer_text"), { agentId: "a1" });
    expect(result.content.kind).toBe("flyer_text");
    const [first, second] = await fake.requests();
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it("does not retry a rejected API key", async () => {
    const error = await failure(
      draftContent(config({ llm: false, apiKey: "wrong" }), request("flyer_text"), { agentId: "a1" }),
    );
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(403);
    expect(error.reason).toBe("The writing service refused our credentials.");
    expect(await fake.requests()).toHaveLength(1);
  });
});

describe("writerConfigFromEnv", () => {
  const base = {
    LLM_BASE_URL: "https://api.portkey.ai/v1",
    LLM_MODEL: "gpt-4o-mini",
    PORTKEY_API_KEY: "",
    PORTKEY_PROVIDER: "@openai-prod",
    PORTKEY_CONFIG: "",
    LANGFLOW_URL: "",
    LANGFLOW_API_KEY: "",
    LANGFLOW_FLYER_FLOW_ID: "",
    LANGFLOW_OPTIMIZE_FLOW_ID: "",
  };
  const from = (vars: Partial<typeof base>) => writerConfigFromEnv({ ...base, ...vars } as unknown as Env);

  it("has no LLM without PORTKEY_API_KEY and no Langflow unless the URL and both flow ids are set", () => {
    expect(from({})).toEqual({ llm: null, langflow: null });
    expect(from({ LANGFLOW_URL: "https://lf.example", LANGFLOW_FLYER_FLOW_ID: "f" }).langflow).toBeNull();
  });

  it("reads the gateway and the flows", () => {
    const config = from({
      PORTKEY_API_KEY: "pk-live",
      LANGFLOW_URL: "https://lf.example",
      LANGFLOW_API_KEY: "lf-key",
      LANGFLOW_FLYER_FLOW_ID: "f",
      LANGFLOW_OPTIMIZE_FLOW_ID: "o",
    });
    expect(config.llm).toEqual({
      baseUrl: "https://api.portkey.ai/v1",
      apiKey: "pk-live",
      provider: "@openai-prod",
      config: undefined,
      model: "gpt-4o-mini",
    });
    expect(config.langflow).toEqual({
      url: "https://lf.example",
      apiKey: "lf-key",
      flyerFlowId: "f",
      optimizeFlowId: "o",
    });
  });
});
