// The one client for Langflow's run API: POST {url}/api/v1/run/{flowId} with { input_value, input_type,
// output_type, tweaks } and an x-api-key header; the reply text is at outputs[0].outputs[0].results.message.
import { FAILURE_REASONS, reasonForStatus, UnusableDraftError } from "./types";

export interface LangflowConfig {
  url: string;
  apiKey?: string;
  flyerFlowId: string;
  optimizeFlowId: string;
}

const TIMEOUT_MS = 60_000;
const MAX_RETRIES = 2;

type RunResponse = {
  outputs?: {
    outputs?: {
      results?: { message?: LangflowMessage };
    }[];
  }[];
};
type LangflowMessage = {
  text?: unknown;
  data?: { text?: unknown; properties?: { source?: { source?: unknown } } };
  properties?: { source?: { source?: unknown } };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function retryDelayMs(response: Response | null, attempt: number): number {
  const header = response?.headers.get("retry-after");
  const seconds = header ? Number(header) : Number.NaN;
  if (Number.isFinite(seconds) && seconds >= 0 && seconds <= 30) return seconds * 1000;
  return 500 * 2 ** attempt;
}

/** Runs a flow once (with retries for 429/5xx/network) and returns its chat output text and model, if named. */
export async function runFlow(
  config: LangflowConfig,
  flowId: string,
  inputValue: string,
  fetchImpl: typeof fetch = fetch,
): Promise<{ text: string; model: string | null }> {
  const url = `${config.url.replace(/\/+$/, "")}/api/v1/run/${encodeURIComponent(flowId)}?stream=false`;
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (config.apiKey) headers["x-api-key"] = config.apiKey;
  const body = JSON.stringify({
    input_value: inputValue,
    input_type: "chat",
    output_type: "chat",
    tweaks: {},
  });
  for (let attempt = 0; ; attempt++) {
    let response: Response | null = null;
    let failure: string;
    try {
      response = await fetchImpl(url, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (response.ok) return readOutput(await response.text());
      failure = `Langflow answered ${response.status}: ${(await response.text()).slice(0, 300)}`;
      if (response.status !== 429 && response.status < 500) {
        throw new UnusableDraftError(reasonForStatus(response.status), failure, {
          retryable: false,
          status: response.status,
        });
      }
    } catch (error) {
      if (error instanceof UnusableDraftError) throw error;
      failure = `Could not reach Langflow: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (attempt >= MAX_RETRIES) {
      const status = response?.status ?? null;
      throw new UnusableDraftError(reasonForStatus(status), failure, { retryable: true, status });
    }
    await sleep(retryDelayMs(response, attempt));
  }
}

function readOutput(raw: string): { text: string; model: string | null } {
  let value: RunResponse;
  try {
    value = JSON.parse(raw) as RunResponse;
  } catch {
    throw new UnusableDraftError(FAILURE_REASONS.unreadable, "Langflow's reply is not JSON", {
      retryable: false,
    });
  }
  const message = value?.outputs?.[0]?.outputs?.[0]?.results?.message;
  const text = message?.text ?? message?.data?.text;
  if (typeof text !== "string") {
    throw new UnusableDraftError(
      FAILURE_REASONS.unreadable,
      "Langflow's reply has no chat output (outputs[0].outputs[0].results.message)",
      { retryable: false },
    );
  }
  const model = message?.properties?.source?.source ?? message?.data?.properties?.source?.source;
  return { text, model: typeof model === "string" && model ? model : null };
}
