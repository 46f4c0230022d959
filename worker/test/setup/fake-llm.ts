import type { TestProject } from "vitest/node";
import { startFakeLlm } from "../../../tools/fake-llm/server.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    /** Origin of the fake LLM gateway + Langflow (tools/fake-llm); tests make their own instance from it. */
    fakeLlmUrl: string;
  }
}

// Runs in Node, once per test run.
export default async function setup(project: TestProject) {
  const fake = await startFakeLlm();
  project.provide("fakeLlmUrl", fake.url);
  return async () => {
    await fake.close();
  };
}
