export interface FakeLlmOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** When set, the Langflow route requires this x-api-key. */
  langflowApiKey?: string | null;
}

export interface FakeLlm {
  /** Origin without a trailing slash; the OpenAI-compatible base URL is `${url}/v1`. */
  url: string;
  close(): Promise<void>;
}

/** One queued behaviour for the next model request (chat completion or Langflow run). */
export interface FakeLlmStep {
  /** Wait this long before answering (also combined with the other fields). */
  delayMs?: number;
  /** Answer with this HTTP error status (OpenAI-shaped error body; Langflow: { detail }). */
  status?: number;
  /** Retry-After header (seconds) for an error status. */
  retryAfter?: number;
  message?: string;
  code?: string;
  /** Reply with this assistant content (chat) or chat output text (Langflow) instead of the default. */
  content?: string;
  /** Reply with this raw JSON body. */
  body?: unknown;
  /** Close the connection without answering. */
  drop?: boolean;
  model?: string;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  finishReason?: string;
  refusal?: string;
  /** Answer this request with `sloppyContent` (over-limit, markup) instead of the default. */
  sloppy?: boolean;
}

/** `POST /__control/mode`: which strict-mode subset is enforced, and the style of unscripted replies. */
export interface FakeLlmMode {
  /** "strict" (default): OpenAI's documented subset; "fine_tuned": also no pattern, format, bounds, min/maxItems. */
  schemaProfile?: "strict" | "fine_tuned";
  /** "tidy" (default): valid content; "sloppy": `sloppyContent` for every unscripted reply. */
  style?: "tidy" | "sloppy";
}

/** A request as `GET /__control/requests` reports it (control requests are not recorded). */
export interface FakeLlmRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: unknown;
  /** Server clock, epoch milliseconds. */
  receivedAt: number;
}

export function defaultContent(kind: string, payload: unknown): Record<string, unknown>;
export function sloppyContent(kind: string, payload: unknown): Record<string, unknown>;
/** Why OpenAI would refuse this strict `json_schema` (`{ name, strict, schema }`), in its wording; null if not. */
export function strictSchemaError(jsonSchema: unknown, profile?: "strict" | "fine_tuned"): string | null;
export function startFakeLlm(options?: FakeLlmOptions): Promise<FakeLlm>;
