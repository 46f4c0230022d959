import { env } from "cloudflare:workers";
import { agentListingSources, ingestionRuns } from "db";
import { eq, inArray } from "drizzle-orm";
import { inject } from "vitest";
import { type BuilderSiteControl, builderSiteControl } from "../../../tools/builder-site/client.mjs";
import type { BuilderSiteTheme } from "../../../tools/builder-site/server.mjs";
import { createDb } from "../../src/lib/db";
import { followSource } from "../../src/services/listing-sources";
import { signedUpBrowser } from "./http";

const sites: BuilderSiteControl[] = [];

/** Both fixture themes: the same extraction and change-detection tests run against each. */
export const BUILDER_THEMES = ["classic", "spec-list"] as const satisfies readonly BuilderSiteTheme[];

/** A private fake builder site for one test (its own port and state). */
export async function privateBuilderSite(count = 36, theme: BuilderSiteTheme = "classic") {
  const site = await builderSiteControl(inject("builderSiteUrl")).newInstance(count, theme);
  sites.push(site);
  return site;
}

/** Puts every site this file started back in normal mode without forced failures, so a later cron run over all sources is quick. */
export async function calmBuilderSites() {
  await Promise.all(sites.map((site) => Promise.all([site.setMode("normal"), site.setFailures({})])));
}

/** A signed-up agent whose only listing source is `siteUrl`. */
export async function agentFollowing(siteUrl: string, name = "Chris Agent") {
  const agent = await signedUpBrowser(name);
  const db = createDb(env.DB);
  await db.delete(agentListingSources).where(eq(agentListingSources.agentId, agent.agentId));
  const sourceId = await followSource(db, agent.agentId, siteUrl);
  return { ...agent, sourceId };
}

/** The Worker's env with a D1 binding that records every SQL statement it prepares. */
export function recordingEnv() {
  const statements: string[] = [];
  const DB = new Proxy(env.DB, {
    get(target, property) {
      if (property === "prepare") {
        return (query: string) => {
          statements.push(query);
          return target.prepare(query);
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const recorded = new Proxy(env, {
    get: (target, property) => (property === "DB" ? DB : Reflect.get(target, property)),
  });
  return { env: recorded as Env, statements };
}

export const writesTo = (statements: string[], table: string) =>
  statements.filter((query) =>
    new RegExp(`^\\s*(insert into|update|delete from)\\s+"${table}"`, "i").test(query),
  );

/** Waits until every source has a run and none is still running (the real queue's consumer at work). */
export async function runsFinished(sourceIds: string[], timeoutMs = 20_000) {
  const db = createDb(env.DB);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = await db
      .select({ sourceId: ingestionRuns.sourceId, status: ingestionRuns.status })
      .from(ingestionRuns)
      .where(inArray(ingestionRuns.sourceId, sourceIds));
    const running = runs.filter((run) => run.status === "running");
    if (running.length === 0 && new Set(runs.map((run) => run.sourceId)).size === sourceIds.length) return;
    if (Date.now() > deadline) throw new Error(`runs still going: ${JSON.stringify(running)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
