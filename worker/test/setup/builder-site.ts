import type { TestProject } from "vitest/node";
import { startBuilderSite } from "../../../tools/builder-site/server.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    /** Origin of the fake builder site (tools/builder-site); tests reach it with fetch. */
    builderSiteUrl: string;
  }
}

// Runs in Node, once per test run: one fake builder site for every test file.
export default async function setup(project: TestProject) {
  const site = await startBuilderSite({ count: 36, port: Number(process.env.BUILDER_SITE_PORT ?? 0) });
  project.provide("builderSiteUrl", site.url);
  return async () => {
    await site.close();
  };
}
