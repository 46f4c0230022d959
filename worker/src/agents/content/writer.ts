// The content agent's writer: turns a listing into a Facebook post, an Instagram caption or flyer text.
// Two steps, like a chain: draft, then optimize for the platform. Where each step runs:
//   - LLM configured (PORTKEY_API_KEY): both steps are gateway calls with structured output.
//   - Langflow configured too: flyer_text is drafted by the flyer flow, and the social kinds are optimized by
//     the optimize flow; the other step stays on the LLM (or, with no LLM, the offline writer drafts and the
//     flyer flow's output is used as is).
//   - Neither: the offline writer (templates; no optimization step).
import type { ListingEvent } from "db";
import { type LangflowConfig, runFlow } from "./langflow";
import {
  addUsage,
  completeContent,
  createLlmClient,
  type LlmConfig,
  NO_USAGE,
  type StepResult,
  toGenerationError,
  type Usage,
} from "./llm";
import { OFFLINE_VERSION, writeOffline } from "./offline";
import { buildDraftMessages, buildOptimizeMessages, langflowInput, PROMPT_VERSION } from "./prompts/v1";
import { renderBody } from "./render";
import { JSON_SCHEMAS, parseContent } from "./schemas";
import {
  type DraftContent,
  type DraftRequest,
  type DraftResult,
  FAILURE_REASONS,
  GenerationError,
  type ListingFacts,
  type PostType,
  UnusableDraftError,
} from "./types";

export type { LangflowConfig, LlmConfig };
export { FAILURE_REASONS, GenerationError, UnusableDraftError };

export interface WriterConfig {
  llm: LlmConfig | null;
  langflow: LangflowConfig | null;
  /** For tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

const DEFAULT_BASE_URL = "https://api.portkey.ai/v1";
const DEFAULT_MODEL = "gpt-4o-mini";

/** llm is null without PORTKEY_API_KEY; langflow is null unless LANGFLOW_URL and both flow ids are set. */
export function writerConfigFromEnv(env: Env): WriterConfig {
  const read = (value: string | undefined) => (value ?? "").trim();
  const apiKey = read(env.PORTKEY_API_KEY);
  const url = read(env.LANGFLOW_URL);
  const flyerFlowId = read(env.LANGFLOW_FLYER_FLOW_ID);
  const optimizeFlowId = read(env.LANGFLOW_OPTIMIZE_FLOW_ID);
  return {
    llm: apiKey
      ? {
          baseUrl: read(env.LLM_BASE_URL) || DEFAULT_BASE_URL,
          apiKey,
          provider: read(env.PORTKEY_PROVIDER) || undefined,
          config: read(env.PORTKEY_CONFIG) || undefined,
          model: read(env.LLM_MODEL) || DEFAULT_MODEL,
        }
      : null,
    langflow:
      url && flyerFlowId && optimizeFlowId
        ? { url, apiKey: read(env.LANGFLOW_API_KEY) || undefined, flyerFlowId, optimizeFlowId }
        : null,
  };
}

/**
 * Which post a set of listing events calls for. One post per message, so the strongest occasion wins:
 *   listing is sold (whatever the events)  sold_out: a sold home is never advertised as for sale
 *   new_listing                            new_listing
 *   price_drop                             price_improvement
 *   new_incentive                          new_incentive
 *   status -> available (relisted)         now_selling
 *   status -> under_contract / off_market  now_selling: the copy then invites buyers to ask about the
 *                                          community and does not claim this home is available
 *   no events (a manual request)           new_listing
 */
export function postTypeFor(events: ListingEvent[], listing: ListingFacts): PostType {
  if (listing.status === "sold") return "sold_out";
  if (events.includes("new_listing")) return "new_listing";
  if (events.includes("price_drop")) return "price_improvement";
  if (events.includes("new_incentive")) return "new_incentive";
  if (events.includes("status_change")) return "now_selling";
  return "new_listing";
}

export async function draftContent(
  config: WriterConfig,
  request: DraftRequest,
  meta: { agentId: string },
): Promise<DraftResult> {
  const started = Date.now();
  const { llm, langflow } = config;
  if (!llm && !langflow) {
    const content = writeOffline(request);
    return {
      content,
      body: renderBody(content),
      repairs: [],
      generator: "offline",
      model: null,
      promptVersion: OFFLINE_VERSION,
      promptTokens: null,
      completionTokens: null,
      latencyMs: Date.now() - started,
    };
  }

  const client = llm ? createLlmClient(llm, config.fetch) : null;
  const context = {
    kind: request.kind,
    postType: request.postType,
    traceId: request.traceId,
    agentId: meta.agentId,
  };
  const social = request.kind !== "flyer_text";
  let usage: Usage = NO_USAGE;
  let usedLangflow = false;
  const repairs: string[] = [];

  let draft: DraftContent;
  if (!social && langflow) {
    const step = await langflowStep(config, langflow, langflow.flyerFlowId, "draft", request);
    ({ content: draft } = step);
    usage = addUsage(usage, step.usage);
    repairs.push(...step.repairs);
    usedLangflow = true;
  } else if (client && llm) {
    const step = await completeContent(client, llm.model, buildDraftMessages(request), context);
    ({ content: draft } = step);
    usage = addUsage(usage, step.usage);
    repairs.push(...step.repairs);
  } else {
    draft = writeOffline(request);
  }

  let content = draft;
  if (social && langflow) {
    const step = await langflowStep(config, langflow, langflow.optimizeFlowId, "optimize", request, draft);
    content = step.content;
    usage = addUsage(usage, step.usage);
    repairs.push(...step.repairs);
    usedLangflow = true;
  } else if (client && llm) {
    const step = await completeContent(client, llm.model, buildOptimizeMessages(request, draft), context);
    content = step.content;
    usage = addUsage(usage, step.usage);
    repairs.push(...step.repairs);
  }

  return {
    content,
    body: renderBody(content),
    // The optimize step starts from the repaired draft, so the same fix can be reported once per step.
    repairs: [...new Set(repairs)],
    generator: usedLangflow ? "langflow" : "llm",
    model: usage.model,
    promptVersion: PROMPT_VERSION,
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    latencyMs: Date.now() - started,
  };
}

/** A flow run whose reply must be the same JSON as the LLM's; an invalid reply is sent back once with the error. */
async function langflowStep(
  config: WriterConfig,
  langflow: LangflowConfig,
  flowId: string,
  task: "draft" | "optimize",
  request: DraftRequest,
  draft?: DraftContent,
): Promise<StepResult> {
  let validationError: string | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    const input = langflowInput(task, request, {
      draft,
      schema: JSON_SCHEMAS[request.kind],
      validationError,
    });
    let output: { text: string; model: string | null };
    try {
      output = await runFlow(langflow, flowId, input, config.fetch);
    } catch (error) {
      throw toGenerationError(error);
    }
    const result = parseContent(request.kind, output.text);
    if (result.ok) {
      return {
        content: result.content,
        usage: { model: output.model, promptTokens: null, completionTokens: null },
        repairs: result.repairs,
      };
    }
    validationError = result.error;
  }
  throw new UnusableDraftError(
    FAILURE_REASONS.unusable,
    `Langflow returned an invalid ${request.kind} twice: ${validationError}`,
    { retryable: false },
  );
}
