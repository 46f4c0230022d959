// `pnpm bench:fanout`: the listing agent's cron tick at brokerage scale. 20 fake builder sites
// (tools/builder-site) of ~100 homes, each followed by 100 agents (2,000 agents), on the real Worker under
// wrangler's unstable_startWorker (local D1 and queues; bench/fanout-worker.mjs counts every invocation).
// Two ticks: the first run, then an unchanged re-run. Prints the tick's wall time until every run finished,
// per-source run time p50/max, D1 statements and rows written per run, listing rows written on the re-run
// (target 0), and the most D1 statements / subrequests any one invocation used against the limits.
// BENCH_SOURCES / BENCH_FOLLOWERS / BENCH_HOMES scale it; BENCH_CHANGES=5 adds a tick after 5 price drops.
// Local queues deliver one batch at a time, so the tick's wall time is the sum of its invocations; in
// production the consumer runs up to 250 invocations at once. About 2.5 minutes on a quiet 2-core machine
// (the first run writes 200,000 listings and their 200,000 change rows: ~100 s); much longer under load.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { builderSiteControl } from "../tools/builder-site/client.mjs";
import { startBuilderSite } from "../tools/builder-site/server.mjs";
import { d1, percentile, removePersist, root, tempPersist } from "./local-stack.mjs";

const { unstable_startWorker } = await import("wrangler");

const SOURCES = Number(process.env.BENCH_SOURCES ?? 20);
const FOLLOWERS = Number(process.env.BENCH_FOLLOWERS ?? 100);
const HOMES = Number(process.env.BENCH_HOMES ?? 100);
// Optional third tick: this many homes per source drop their price first (the steady state: a few changes).
const CHANGES = Number(process.env.BENCH_CHANGES ?? 0);
const TICK_TIMEOUT_MS = Number(process.env.BENCH_TICK_TIMEOUT_MS ?? 900_000);
// Workers Paid: D1 queries per invocation; subrequests as D1's limits page counts them (Workers' own
// page allows 10,000).
const D1_LIMIT = 1_000;
const SUBREQUEST_LIMIT = 1_000;

const sites = [];
let worker;
const persist = tempPersist("fanout");

function seedSql(siteUrls) {
  const lines = [];
  const now = Date.now();
  siteUrls.forEach((url, s) => {
    const sourceId = `bench-source-${s}`;
    const origin = new URL(url).origin;
    lines.push(
      `insert into rltr_mktg_listing_sources (id, adapter, base_url, name) values ('${sourceId}', 'holidaybuilders', '${origin}', 'builder-${s}');`,
    );
    for (let f = 0; f < FOLLOWERS; f++) {
      const agentId = `bench-agent-${s}-${f}`;
      lines.push(
        `insert into rltr_mktg_agents (id, email, password_hash, name) values ('${agentId}', '${agentId}@bench.local', '-', 'Agent ${s}-${f}');`,
        `insert into rltr_mktg_agent_listing_sources (agent_id, source_id, created_at) values ('${agentId}', '${sourceId}', ${now});`,
      );
    }
  });
  return lines.join("\n");
}

async function bench(pathname) {
  const res = await worker.fetch(`http://bench.local${pathname}`);
  if (!res.ok) throw new Error(`${pathname}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function tick(label) {
  await bench("/api/__bench/reset");
  const since = Date.now();
  const began = performance.now();
  const cron = await bench("/api/__bench/tick");
  let runs = [];
  for (;;) {
    runs = await bench(`/api/__bench/runs?since=${since}`);
    if (runs.length >= SOURCES && runs.every((run) => run.status !== "running")) break;
    if (performance.now() - began > TICK_TIMEOUT_MS) {
      throw new Error(`${label}: runs still going after ${TICK_TIMEOUT_MS} ms: ${JSON.stringify(runs)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const wallMs = performance.now() - began;
  // Invocations end just after their last write; give the last one a moment to record itself.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const invocations = await bench("/api/__bench/stats");
  return { label, wallMs, cron, runs, invocations, counts: await bench("/api/__bench/counts") };
}

function report({ label, wallMs, runs, invocations, counts }) {
  const ms = (n) => `${Math.round(n)} ms`;
  const durations = runs.map((run) => run.finishedAt - run.startedAt).sort((a, b) => a - b);
  const perRun = new Map(
    runs.map((run) => [run.id, { statements: 0, rowsWritten: 0, listingRows: 0, invocations: 0, workMs: 0 }]),
  );
  for (const inv of invocations) {
    const entry = perRun.get(inv.runId);
    if (!entry) continue;
    entry.workMs += inv.wallMs;
    entry.statements += inv.statements;
    entry.rowsWritten += inv.rowsWritten;
    entry.listingRows += inv.listingRowsWritten;
    entry.invocations++;
  }
  const totals = [...perRun.values()];
  const sum = (key) => totals.reduce((total, run) => total + run[key], 0);
  const sorted = (key) => totals.map((run) => run[key]).sort((a, b) => a - b);
  const subrequests = (inv) => inv.d1Calls + inv.fetches + inv.queueSends;
  const byKind = (kind) => invocations.filter((inv) => inv.kind === kind);
  const peak = (list, pick) =>
    list.reduce((best, inv) => (pick(inv) > pick(best ?? inv) ? inv : (best ?? inv)), undefined);
  const cron = invocations.find((inv) => inv.kind === "cron");
  const failed = runs.filter((run) => run.status !== "succeeded");

  console.log(`\n== ${label} ==`);
  console.log(
    `tick wall time until all ${runs.length} runs finished: ${ms(wallMs)}; failed runs: ${failed.length}`,
  );
  if (failed.length) console.log(failed.map((run) => `  ${run.sourceId}: ${run.failureReason}`).join("\n"));
  console.log(
    `per-source run time, claimed -> finished (includes waiting in the local one-at-a-time queue): p50 ${ms(percentile(durations, 50))}, max ${ms(durations.at(-1))}`,
  );
  console.log(
    `per-source work (its crawl + apply invocations' wall time): p50 ${ms(percentile(sorted("workMs"), 50))}, max ${ms(sorted("workMs").at(-1))}`,
  );
  console.log(
    `invocations: cron ${byKind("cron").length}, ingest ${byKind("ingest").length}, apply ${byKind("apply").length}; errors ${invocations.filter((inv) => inv.error).length}`,
  );
  console.log(
    `cron invocation: ${cron?.statements} D1 statements, ${cron?.fetches} fetches, ${cron?.queueSends} queue sends (${cron?.messages} messages), ${ms(cron?.wallMs ?? 0)}`,
  );
  console.log(
    `per run (crawl + its groups): D1 statements p50 ${percentile(sorted("statements"), 50)}, max ${sorted("statements").at(-1)}; rows written p50 ${percentile(sorted("rowsWritten"), 50)}, max ${sorted("rowsWritten").at(-1)}`,
  );
  console.log(
    `whole tick: ${sum("statements")} D1 statements, ${sum("rowsWritten")} rows written, of which listing rows ${sum("listingRows")}`,
  );
  for (const kind of ["cron", "ingest", "apply"]) {
    const list = byKind(kind);
    if (!list.length) continue;
    const d1 = peak(list, (inv) => inv.statements);
    const sub = peak(list, subrequests);
    const wall = peak(list, (inv) => inv.wallMs);
    console.log(
      `max in one ${kind} invocation: ${d1.statements} D1 statements (limit ${D1_LIMIT}), ${subrequests(sub)} subrequests (${sub.d1Calls} D1 calls + ${sub.fetches} fetches + ${sub.queueSends} sends; limit ${SUBREQUEST_LIMIT}), wall ${ms(wall.wallMs)}`,
    );
  }
  console.log(
    `database now: ${counts.listings} listings, ${counts.changes} changes, ${counts.notifications} notifications; kept scrape parts ${counts.keptParts}, groups ${counts.keptGroups}`,
  );
  return {
    failed: failed.length,
    listingRows: sum("listingRows"),
    maxStatements: Math.max(...invocations.map((inv) => inv.statements)),
  };
}

try {
  const began = performance.now();
  for (let s = 0; s < SOURCES; s++) sites.push(await startBuilderSite({ count: HOMES }));
  d1(persist, ["migrations", "apply", "DB"]);
  const seed = path.join(persist, "seed.sql");
  writeFileSync(seed, seedSql(sites.map((site) => site.url)));
  d1(persist, ["execute", "DB", "--file", seed]);
  worker = await unstable_startWorker({
    config: path.join(root, "wrangler.toml"),
    entrypoint: path.join(root, "bench/fanout-worker.mjs"),
    bindings: {
      APP_ENV: { type: "plain_text", value: "development" },
      APP_ORIGIN: { type: "plain_text", value: "http://bench.local" },
    },
    // No watching: another session rebuilding web/dist (the assets) must not reload the Worker mid-tick.
    dev: {
      persist,
      server: { hostname: "127.0.0.1", port: 0 },
      inspector: false,
      logLevel: "warn",
      watch: false,
    },
  });
  await worker.ready;
  console.log(
    `${SOURCES} sources x ${FOLLOWERS} followers (${SOURCES * FOLLOWERS} agents), ${HOMES} homes per source; set up in ${Math.round(performance.now() - began)} ms`,
  );

  const first = report(await tick("first run"));
  const again = report(await tick("unchanged re-run"));
  if (CHANGES > 0) {
    for (const site of sites) {
      const control = builderSiteControl(site.url);
      const priced = (await control.homes()).filter((home) => home.price !== null).slice(0, CHANGES);
      for (const home of priced) await control.patchHome(home.slug, { price: home.price - 5_000 });
    }
    report(await tick(`re-run with ${CHANGES} price drops per source`));
  }
  const ok =
    first.failed + again.failed === 0 &&
    again.listingRows === 0 &&
    Math.max(first.maxStatements, again.maxStatements) <= D1_LIMIT;
  console.log(
    `\nunchanged re-run listing rows written: ${again.listingRows} (target 0); max D1 statements in one invocation: ${Math.max(first.maxStatements, again.maxStatements)} (limit ${D1_LIMIT}) -> ${ok ? "OK" : "OVER"}`,
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  await worker?.dispose().catch(() => undefined);
  await Promise.all(sites.map((site) => site.close().catch(() => undefined)));
  removePersist(persist);
}
