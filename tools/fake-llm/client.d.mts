import type { FakeLlmMode, FakeLlmRequest, FakeLlmStep } from "./server.mjs";

export interface FakeLlmControl {
  /** Origin of this instance. */
  url: string;
  /** OpenAI-compatible base URL (`${url}/v1`). */
  baseUrl: string;
  reset(): Promise<{ ok: true }>;
  script(steps: FakeLlmStep[]): Promise<{ ok: true; queued: number }>;
  pending(): Promise<FakeLlmStep[]>;
  /** Kept until `reset()`. */
  mode(mode: FakeLlmMode): Promise<Required<FakeLlmMode>>;
  requests(): Promise<FakeLlmRequest[]>;
  newInstance(options?: { langflowApiKey?: string }): Promise<FakeLlmControl>;
}

export function fakeLlmControl(base: string): FakeLlmControl;
