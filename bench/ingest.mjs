// `pnpm bench:ingest`: extraction cost per detail page, the worker's (a string scan for JSON-LD and the data
// layer, HTMLRewriter where element structure is read) inside workerd vs cheerio in Node, on the same 500
// pages from the fake builder site. Prints medians of several runs after a warm-up.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import * as cheerio from "cheerio";
import { startBuilderSite } from "../tools/builder-site/server.mjs";
import { extractWithCheerio } from "./cheerio-extract.mjs";

process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
process.env.WRANGLER_SEND_METRICS ??= "false";
process.env.WRANGLER_HIDE_BANNER ??= "true";
const { unstable_startWorker } = await import("wrangler");

const HOMES = Number(process.env.BENCH_HOMES ?? 500);
const SPEC_HOMES = Math.min(HOMES, 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const WORKERD_ROUNDS = 4;
const CHEERIO_ROUNDS = 1;
const TARGET_MS = 0.15;
const TARGET_RATIO = 4;
const CLOCK_TICK_MS = 10; // Linux USER_HZ is 100

const root = path.join(import.meta.dirname, "..");
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function mapLimit(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await task(items[i]);
      }
    }),
  );
  return results;
}

async function fetchPages(siteUrl, theme = "classic") {
  const sitemapPath = theme === "spec-list" ? "/sitemaps/homes.xml" : "/sitemap.xml";
  const sitemap = await (await fetch(`${siteUrl}${sitemapPath}`)).text();
  const urls = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)]
    .map((m) => m[1])
    .filter((u) => u.includes("/homes/") || u.includes("/available-homes/"));
  return mapLimit(urls, 8, async (url) => ({ url, theme, html: await (await fetch(url)).text() }));
}

/** The workerd processes started by this process (wrangler runs workerd as a child). */
function workerdPids() {
  const parents = new Map();
  const names = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      names.set(Number(entry), stat.slice(stat.indexOf("(") + 1, close));
      parents.set(Number(entry), Number(stat.slice(close + 2).split(" ")[1]));
    } catch {}
  }
  const descends = (pid) => {
    for (let p = parents.get(pid); p && p > 1; p = parents.get(p)) if (p === process.pid) return true;
    return false;
  };
  return [...names].filter(([pid, name]) => name === "workerd" && descends(pid)).map(([pid]) => pid);
}

/**
 * CPU time (ms) per workerd process alive now. Wrangler may replace its workerd process after start-up
 * (a config reload), so the processes are found again at every reading, never cached.
 */
function cpuSnapshot() {
  const snapshot = new Map();
  for (const pid of workerdPids()) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      snapshot.set(pid, (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS);
    } catch {}
  }
  return snapshot;
}

/** CPU ms spent by workerd since `before`; a process that started meanwhile counts in full. */
function cpuSince(before) {
  let ms = 0;
  for (const [pid, now] of cpuSnapshot()) ms += now - (before.get(pid) ?? 0);
  return ms;
}

/** One timed request; if workerd recycled the isolate (pages gone), loads them again and retries. */
async function workerdRun(bench, route, markup = "all") {
  for (let attempt = 0; ; attempt++) {
    const cpuBefore = cpuSnapshot();
    const started = performance.now();
    const url = `http://bench${route}?rounds=${WORKERD_ROUNDS}&markup=${markup}`;
    const result = await (await bench.worker.fetch(url)).json();
    const wall = performance.now() - started;
    if (result.loaded === bench.loaded.length && result.msPerPage !== null) {
      const work = result.pages * WORKERD_ROUNDS;
      return { isolate: result.msPerPage, wall: wall / work, cpu: cpuSince(cpuBefore) / work };
    }
    if (attempt > 2) throw new Error(`bench worker lost its pages: ${JSON.stringify(result)}`);
    await loadPages(bench);
  }
}

async function loadPages(bench) {
  const body = JSON.stringify(bench.loaded);
  const loaded = await (await bench.worker.fetch("http://bench/load", { method: "POST", body })).json();
  if (loaded.loaded !== bench.loaded.length) throw new Error("bench worker did not take the pages");
}

function cheerioRun(pages) {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let round = 0; round < CHEERIO_ROUNDS; round++)
    for (const page of pages) extractWithCheerio(page.html);
  const wall = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const work = pages.length * CHEERIO_ROUNDS;
  return { wall: wall / work, cpu: (cpu.user + cpu.system) / 1000 / work };
}

// The rewriter hands over raw markup (normalizeListing cleans it), cheerio text: compare as text.
const plain = (value) =>
  cheerio
    .load(String(value ?? ""))
    .text()
    .replace(/\s+/g, " ")
    .trim();

/** Both extractors must read the same facts, or the comparison means nothing. */
function compare(workerdRaw, pages) {
  const keys = [
    "sourceKey",
    "price",
    "beds",
    "baths",
    "bathsFull",
    "bathsHalf",
    "sqft",
    "garage",
    "status",
    "zip",
    "moveIn",
    "community",
    "incentives",
  ];
  let mismatches = 0;
  pages.forEach((page, i) => {
    const a = workerdRaw[i];
    const b = extractWithCheerio(page.html);
    for (const key of keys) {
      if (plain(a?.[key]) === plain(b?.[key])) continue;
      if (mismatches++ < 5) console.log(`  differs: ${page.url} ${key}: ${a?.[key]} vs ${b?.[key]}`);
    }
    if ((a?.imageUrls?.length ?? 0) !== (b?.imageUrls?.length ?? 0)) mismatches++;
  });
  return mismatches;
}

const fmt = (n) => n.toFixed(3).padStart(8);

const site = await startBuilderSite({ count: HOMES });
// The second theme (labelled spec list, LimitedAvailability): extraction cost only, no full runs.
const specSite = await startBuilderSite({ count: SPEC_HOMES, theme: "spec-list" });
let worker;
const persistDir = mkdtempSync(path.join(os.tmpdir(), "listing-bench-"));
try {
  const pages = await fetchPages(site.url);
  const specPages = await fetchPages(specSite.url, "spec-list");
  const kb = pages.reduce((sum, p) => sum + p.html.length, 0) / pages.length / 1024;
  console.log(`builder site: ${site.url}, ${pages.length} detail pages fetched (mean ${kb.toFixed(1)} KB)`);

  // Its own config, so the project's wrangler.toml (bindings, Durable Objects) stays out of the way, and its
  // own fresh local D1, so every run applies today's migrations (a kept one would have yesterday's schema).
  worker = await unstable_startWorker({
    config: path.join(root, "bench/wrangler.jsonc"),
    dev: {
      server: { hostname: "127.0.0.1", port: 0 },
      inspector: false,
      logLevel: "warn",
      persist: persistDir,
    },
  });
  await Promise.race([
    worker.ready,
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error("bench worker did not start in 60 s")), 60_000),
    ),
  ]);
  const bench = { worker, pages, loaded: [...pages, ...specPages] };
  await loadPages(bench);
  const mismatches = compare(await (await worker.fetch("http://bench/sample")).json(), bench.loaded);
  const legacy = pages.filter((page) => !page.html.includes("data-home="));

  // Warm-up: JIT both sides before measuring.
  for (let i = 0; i < 3; i++) await workerdRun(bench, "/extract");
  for (let i = 0; i < 2; i++) cheerioRun(pages);

  // Runs interleave, so a change in machine load hits both sides alike; ratios are taken per run.
  const runs = [];
  for (let run = 0; run < RUNS; run++) {
    runs.push({
      rewriter: await workerdRun(bench, "/extract"),
      cheerio: cheerioRun(pages),
      withNormalize: await workerdRun(bench, "/extract-normalize"),
      structured: await workerdRun(bench, "/extract", "structured"),
      legacy: legacy.length > 0 ? await workerdRun(bench, "/extract", "legacy") : undefined,
      cheerioLegacy: legacy.length > 0 ? cheerioRun(legacy) : undefined,
      jsonLdOnly: await workerdRun(bench, "/jsonld-only"),
      spec: await workerdRun(bench, "/extract", "spec-list"),
      cheerioSpec: cheerioRun(specPages),
    });
  }
  const med = (pick) => median(runs.map(pick));
  const load = os.loadavg()[0] ?? 0;
  const ratio = med((r) => r.cheerio.wall / r.rewriter.isolate);
  const cpuRatio = workerdPids().length > 0 ? med((r) => r.cheerio.cpu / r.rewriter.cpu) : Number.NaN;
  const row = (label, wall, cpu) =>
    console.log(`${label.padEnd(44)}${fmt(wall)}      ${cpu === undefined ? "" : fmt(cpu)}`);
  const isolate = med((r) => r.rewriter.isolate);

  console.log(`\nExtraction per detail page, median of ${RUNS} runs after warm-up (lower is better)`);
  console.log(`${"".padEnd(44)}wall ms/page   CPU ms/page`);
  row(
    `(a) workerd (scan + HTMLRewriter), ${pages.length} pages`,
    isolate,
    med((r) => r.rewriter.cpu),
  );
  row(
    `      ${pages.length - legacy.length} with JSON-LD + data layer`,
    med((r) => r.structured.isolate),
  );
  if (legacy.length > 0)
    row(
      `      ${legacy.length} legacy (class selectors)`,
      med((r) => r.legacy.isolate),
    );
  row(
    `      ${specPages.length} spec-list theme (labels read)`,
    med((r) => r.spec.isolate),
  );
  row(
    "    same, plus normalizeListing",
    med((r) => r.withNormalize.isolate),
    med((r) => r.withNormalize.cpu),
  );
  row(
    "    reference: a JSON-LD text handler alone",
    med((r) => r.jsonLdOnly.isolate),
    med((r) => r.jsonLdOnly.cpu),
  );
  row(
    `(b) cheerio.load in Node, ${pages.length} pages`,
    med((r) => r.cheerio.wall),
    med((r) => r.cheerio.cpu),
  );
  if (legacy.length > 0)
    row(
      `      ${legacy.length} legacy`,
      med((r) => r.cheerioLegacy.wall),
    );
  row(
    `      ${specPages.length} spec-list theme`,
    med((r) => r.cheerioSpec.wall),
  );
  console.log(
    `${"(c) ratio cheerio / workerd".padEnd(44)}${ratio.toFixed(1).padStart(7)}x      ${cpuRatio.toFixed(1).padStart(7)}x`,
  );
  console.log(
    `\nworkerd wall is timed inside the isolate (request round trip: ${fmt(med((r) => r.rewriter.wall)).trim()} ms/page); ` +
      `workerd CPU from /proc (pids ${workerdPids().join(", ") || "not found"}, 10 ms ticks); cheerio CPU from process.cpuUsage.`,
  );
  console.log(
    `machine: ${os.cpus().length} CPUs, load average ${load.toFixed(2)}` +
      (load > os.cpus().length * 0.75
        ? " (busy: other processes inflate both sides; the ratio is steadier)"
        : ""),
  );
  console.log(`fields that differ between the two extractors (${bench.loaded.length} pages): ${mismatches}`);
  console.log(
    `target <= ${TARGET_MS} ms/page: ${isolate <= TARGET_MS ? "met" : "MISSED"}; ` +
      `target >= ${TARGET_RATIO}x cheerio: ${ratio >= TARGET_RATIO ? "met" : "MISSED"}`,
  );

  // Full runs through the real listing agent: crawl over loopback, extract, normalize, diff, D1 writes.
  const statements = readdirSync(path.join(root, "db/migrations"))
    .filter((file) => file.endsWith(".sql"))
    .sort()
    .flatMap((file) =>
      readFileSync(path.join(root, "db/migrations", file), "utf8").split("--> statement-breakpoint"),
    )
    .map((statement) => statement.trim())
    .filter(Boolean);
  const setup = await worker.fetch("http://bench/ingest/setup", {
    method: "POST",
    body: JSON.stringify({ siteUrl: site.url, statements }),
  });
  const { agentId } = await setup.json();
  const fullRun = async () => {
    const cpuBefore = cpuSnapshot();
    const result = await (await worker.fetch(`http://bench/ingest/run?agentId=${agentId}`)).json();
    const pagesFetched = result.summary?.pagesFetched ?? 0;
    return { ...result, pagesFetched, cpuMs: cpuSince(cpuBefore) };
  };
  const first = await fullRun();
  const unchanged = await fullRun();
  console.log(
    `\nFull listing-agent runs on the ${HOMES}-home site (crawl + extract + normalize + diff + D1)`,
  );
  console.log(`${"".padEnd(44)}   total s    pages   wall ms/page   CPU ms/page   new/changed/removed`);
  for (const [label, run] of [
    ["first run", first],
    ["unchanged re-run", unchanged],
  ]) {
    const s = run.summary ?? {};
    console.log(
      `${label.padEnd(44)}${(run.ms / 1000).toFixed(2).padStart(8)} ${String(run.pagesFetched).padStart(8)}   ${fmt(
        run.ms / Math.max(1, run.pagesFetched),
      )}      ${fmt(run.cpuMs / Math.max(1, run.pagesFetched))}   ${s.new}/${s.changed}/${s.removed} (${s.status})`,
    );
  }
} finally {
  await worker?.dispose();
  await site.close();
  await specSite.close();
  rmSync(persistDir, { recursive: true, force: true });
}
