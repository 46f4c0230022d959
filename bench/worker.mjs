// Bench worker: runs listing-agent code inside workerd for bench/ingest.mjs. One route per measurement;
// add full-run timings (e.g. "/scrape/first-run", "/scrape/unchanged") as new entries in `routes`.
import { runListingAgent } from "../worker/src/agents/listing/agent";
import { normalizeListing } from "../worker/src/agents/listing/normalize";
import { getAdapter } from "../worker/src/agents/listing/sources";
import { createDb } from "../worker/src/lib/db";
import { followSource } from "../worker/src/services/listing-sources";

/** Pages posted by the runner, kept in the isolate between requests. */
let pages = [];

const adapterFor = (url) => {
  const adapter = getAdapter(url.searchParams.get("adapter") ?? "holidaybuilders");
  if (!adapter) throw new Error("unknown adapter");
  return adapter;
};

/**
 * ?markup=structured|legacy picks the classic theme's pages with or without the data layer, spec-list the
 * second theme's pages (JSON-LD plus a labelled spec list); default every classic page.
 */
function selectPages(url) {
  const markup = url.searchParams.get("markup");
  const classic = pages.filter((page) => page.theme !== "spec-list");
  if (markup === "structured") return classic.filter((page) => page.html.includes("data-home="));
  if (markup === "legacy") return classic.filter((page) => !page.html.includes("data-home="));
  if (markup === "spec-list") return pages.filter((page) => page.theme === "spec-list");
  return classic;
}

/** Runs the selected pages through `work` `rounds` times; reports in-isolate wall time. */
async function timed(url, work) {
  const selected = selectPages(url);
  const rounds = Number(url.searchParams.get("rounds") ?? 1);
  const started = performance.now();
  let produced = 0;
  for (let round = 0; round < rounds; round++) {
    for (const page of selected) if (await work(page)) produced++;
  }
  const ms = performance.now() - started;
  const msPerPage = selected.length > 0 ? ms / (selected.length * rounds) : null;
  return { loaded: pages.length, pages: selected.length, rounds, ms, msPerPage, produced };
}

/** The listing agent's env for the bench: real D1, queue sends (content, notifications) counted but dropped. */
const benchEnv = (env, sent) => {
  const queue = {
    sendBatch: async (messages) => {
      sent.count += [...messages].length;
    },
  };
  return { ...env, CONTENT_QUEUE: queue, NOTIFICATION_QUEUE: queue };
};

const routes = {
  /** Applies the project's migrations (once) and makes a fresh agent follow `siteUrl` alone. */
  "POST /ingest/setup": async (request, _url, env) => {
    const { siteUrl, statements } = await request.json();
    const existing = await env.DB.prepare(
      "select count(*) as n from sqlite_master where name = 'rltr_mktg_agents'",
    ).first("n");
    if (!existing) for (const statement of statements) await env.DB.prepare(statement).run();
    const agentId = crypto.randomUUID();
    await env.DB.prepare("delete from rltr_mktg_agent_listing_sources").run();
    await env.DB.prepare(
      "insert into rltr_mktg_agents (id, email, password_hash, name) values (?, ?, 'x', 'Bench')",
    )
      .bind(agentId, `${agentId}@bench.test`)
      .run();
    await followSource(createDb(env.DB), agentId, siteUrl);
    return Response.json({ agentId });
  },
  /** One full listing-agent run (crawl, extract, normalize, diff, D1 writes) for the agent. */
  "GET /ingest/run": async (_request, url, env) => {
    const sent = { count: 0 };
    const started = performance.now();
    const [summary] = await runListingAgent(benchEnv(env, sent), {
      trigger: "manual",
      agentId: url.searchParams.get("agentId") ?? "",
    });
    return Response.json({ ms: performance.now() - started, summary, queued: sent.count });
  },
  "POST /load": async (request) => {
    pages = await request.json();
    return Response.json({ loaded: pages.length });
  },
  "GET /noop": async () => Response.json({ ok: true }),
  "GET /extract": async (_request, url) => {
    const adapter = adapterFor(url);
    return Response.json(await timed(url, (page) => adapter.extract(page.html, page.url)));
  },
  "GET /extract-normalize": async (_request, url) => {
    const adapter = adapterFor(url);
    return Response.json(
      await timed(url, async (page) => {
        const raw = await adapter.extract(page.html, page.url);
        return raw !== null && normalizeListing(raw, page.url).ok;
      }),
    );
  },
  /** Reference point: one JSON-LD text handler and nothing else (the cheapest useful pass). */
  "GET /jsonld-only": async (_request, url) =>
    Response.json(
      await timed(url, async (page) => {
        let text = "";
        await new HTMLRewriter()
          .on('script[type="application/ld+json"]', {
            text(chunk) {
              text += chunk.text;
            },
          })
          .transform(new Response(page.html))
          .arrayBuffer();
        return text.length > 0;
      }),
    ),
  /** The fields the runner compares with cheerio's, one entry per page. */
  "GET /sample": async (_request, url) => {
    const adapter = adapterFor(url);
    const out = [];
    for (const page of pages) out.push(await adapter.extract(page.html, page.url));
    return Response.json(out);
  },
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const route = routes[`${request.method} ${url.pathname}`];
    if (!route) return new Response("no such route", { status: 404 });
    return route(request, url, env);
  },
};
