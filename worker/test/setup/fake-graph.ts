import type { TestProject } from "vitest/node";
import { startFakeGraph } from "../../../tools/fake-graph/server.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    /** Origin of the fake Graph API + Facebook Login (tools/fake-graph): GRAPH_API_URL in the Worker. */
    graphFakeUrl: string;
  }
}

// Runs in Node, once per test run, on the port vitest.config.ts gave the Worker's GRAPH_API_URL.
export default async function setup(project: TestProject) {
  const fake = await startFakeGraph({ port: Number(process.env.GRAPH_FAKE_PORT ?? 0) });
  project.provide("graphFakeUrl", fake.url);
  return async () => {
    await fake.close();
  };
}
