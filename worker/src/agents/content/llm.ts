// The one client for the LLM gateway (Portkey, OpenAI-compatible). Portkey headers: x-portkey-api-key, one of
// x-portkey-provider / x-portkey-config, and per request x-portkey-trace-id and x-portkey-metadata.
import OpenAI, { APIConnectionError, APIError } from "openai";
import { type ChatMessage, repairMessage } from "./prompts/v1";
import { JSON_SCHEMAS, parseContent } from "./schemas";
import {
  type ContentKind,
  type DraftContent,
  FAILURE_REASONS,
  type PostType,
  reasonForStatus,
  UnusableDraftError,
} from "./types";

export interface LlmConfig {
  baseUrl: string;
  apiKey: string;
  /** A Portkey provider slug ("@openai-prod"); ignored when `config` is set. */
  provider?: string;
  /** A saved Portkey config id (or config JSON). */
  config?: string;
  model: string;
}

export type Usage = { model: string | null; promptTokens: number | null; completionTokens: number | null };
/** `repairs`: what was fixed in the model's output before it validated (see repair.ts). */
export type StepResult = { content: DraftContent; usage: Usage; repairs: string[] };

export function createLlmClient(config: LlmConfig, fetchImpl?: typeof fetch): OpenAI {
  if (!config.apiKey || !config.baseUrl || !config.model) {
    throw new UnusableDraftError(
      FAILURE_REASONS.notConfigured,
      "The LLM gateway is not configured (API key, base URL and model are required)",
      { retryable: false },
    );
  }
  const defaultHeaders: Record<string, string> = { "x-portkey-api-key": config.apiKey };
  // Portkey takes one way of choosing the provider; a config (routing, fallbacks) wins over a bare slug.
  if (config.config) defaultHeaders["x-portkey-config"] = config.config;
  else if (config.provider) defaultHeaders["x-portkey-provider"] = config.provider;
  return new OpenAI({
    apiKey: config.apiKey,
    baseURL: config.baseUrl,
    // The SDK retries 408/409/429/5xx and connection errors with backoff, honouring Retry-After.
    maxRetries: 2,
    timeout: 30_000,
    fetch: fetchImpl,
    defaultHeaders,
  });
}

export function addUsage(total: Usage, next: Usage): Usage {
  const sum = (a: number | null, b: number | null) => (a === null && b === null ? null : (a ?? 0) + (b ?? 0));
  return {
    model: next.model ?? total.model,
    promptTokens: sum(total.promptTokens, next.promptTokens),
    completionTokens: sum(total.completionTokens, next.completionTokens),
  };
}

export const NO_USAGE: Usage = { model: null, promptTokens: null, completionTokens: null };

/** Maps the SDK's errors (after its own retries) to the writer's error. */
export function toGenerationError(error: unknown): UnusableDraftError {
  if (error instanceof UnusableDraftError) return error;
  if (error instanceof APIConnectionError) {
    return new UnusableDraftError(
      FAILURE_REASONS.unreachable,
      `Could not reach the LLM gateway: ${error.message}`,
      { retryable: true, cause: error },
    );
  }
  if (error instanceof APIError) {
    const status = error.status ?? null;
    const retryable = status === null || status === 408 || status === 409 || status === 429 || status >= 500;
    return new UnusableDraftError(
      reasonForStatus(status),
      `The LLM gateway answered ${status}: ${error.message}`,
      { retryable, status, cause: error },
    );
  }
  return new UnusableDraftError(FAILURE_REASONS.unreachable, `LLM call failed: ${String(error)}`, {
    retryable: false,
    cause: error,
  });
}

type CallContext = { kind: ContentKind; postType: PostType; traceId: string; agentId: string };

/**
 * One structured-output call. An invalid reply (not JSON, or outside the kind's limits) is answered once with
 * the validation error; a second invalid reply fails for good.
 */
export async function completeContent(
  client: OpenAI,
  model: string,
  messages: ChatMessage[],
  context: CallContext,
): Promise<StepResult> {
  const { kind } = context;
  const headers = {
    "x-portkey-trace-id": context.traceId,
    "x-portkey-metadata": JSON.stringify({
      _user: context.agentId,
      agent_id: context.agentId,
      kind,
      post_type: context.postType,
    }),
  };
  let usage = NO_USAGE;
  let conversation = messages;
  let lastError = "";
  for (let attempt = 0; attempt < 2; attempt++) {
    let completion: OpenAI.Chat.Completions.ChatCompletion;
    try {
      completion = await client.chat.completions.create(
        {
          model,
          messages: conversation,
          response_format: {
            type: "json_schema",
            json_schema: { name: kind, strict: true, schema: JSON_SCHEMAS[kind] },
          },
        },
        { headers },
      );
    } catch (error) {
      throw toGenerationError(error);
    }
    usage = addUsage(usage, {
      model: completion.model || null,
      promptTokens: completion.usage?.prompt_tokens ?? null,
      completionTokens: completion.usage?.completion_tokens ?? null,
    });
    const choice = completion.choices[0];
    if (choice?.message.refusal) {
      throw new UnusableDraftError(
        FAILURE_REASONS.refused,
        `The model declined to write this ${kind}: ${choice.message.refusal}`,
        { retryable: false },
      );
    }
    const reply = choice?.message.content ?? "";
    const result =
      choice?.finish_reason === "length"
        ? { ok: false as const, error: "the reply was cut off at the token limit; write a shorter one" }
        : parseContent(kind, reply);
    if (result.ok) return { content: result.content, usage, repairs: result.repairs };
    lastError = result.error;
    conversation = [...conversation, { role: "assistant", content: reply }, repairMessage(result.error)];
  }
  throw new UnusableDraftError(
    FAILURE_REASONS.unusable,
    `The model returned an invalid ${kind} twice: ${lastError}`,
    { retryable: false },
  );
}
