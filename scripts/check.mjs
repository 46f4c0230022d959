// `pnpm test`: the whole check, as CI runs it. Each step is timed; the first failure stops the run.
//   pnpm test                 everything
//   pnpm test --skip-e2e      without the browser tests
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { root, run, toolEnv } from "./lib.mjs";
import { checkRouteSizes } from "./route-sizes.mjs";

const skipE2e = process.argv.includes("--skip-e2e");
const timings = [];

function step(name, fn) {
  const started = Date.now();
  console.log(`\n▶ ${name}`);
  fn();
  timings.push([name, (Date.now() - started) / 1000]);
}

function ensureChromium() {
  const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (existsSync(chromium)) return;
  if (process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")) {
    const env = { ...toolEnv, DEBIAN_FRONTEND: "noninteractive" };
    run("apt-get", ["update", "-qq"], { env });
    run("apt-get", ["install", "-y", "-qq", "chromium"], { env });
    return;
  }
  throw new Error(`No Chromium at ${chromium}: install Debian's chromium package or set CHROMIUM_PATH.`);
}

function reportWorkerBundle() {
  const outdir = path.join(root, ".wrangler", "dry-run");
  run("wrangler", ["deploy", "--dry-run", "--outdir", outdir], { stdio: ["ignore", "ignore", "inherit"] });
  const files = readdirSync(outdir).filter((f) => f.endsWith(".js"));
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = readFileSync(path.join(outdir, file));
    raw += statSync(path.join(outdir, file)).size;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  console.log(`worker bundle: ${(raw / 1024).toFixed(1)} KiB raw, ${(gzip / 1024).toFixed(1)} KiB gzip`);
}

const results = {
  vitest: path.join(root, ".wrangler", "results", "vitest.json"),
  playwright: path.join(root, ".wrangler", "results", "playwright.json"),
};
for (const file of Object.values(results)) rmSync(file, { force: true });

/** Adds up both runners' JSON reports into one plain "N passed, N failed" line. */
function summarizeTests() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  if (existsSync(results.vitest)) {
    const report = JSON.parse(readFileSync(results.vitest, "utf8"));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
  }
  if (existsSync(results.playwright)) {
    const { stats } = JSON.parse(readFileSync(results.playwright, "utf8"));
    passed += stats.expected + stats.flaky;
    failed += stats.unexpected;
    skipped += stats.skipped;
  }
  console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
}

const wranglerTypes = [
  "types",
  "worker/worker-configuration.d.ts",
  "--env-file",
  ".dev.vars.example",
  "--strict-vars",
  "false",
];

try {
  step("format and lint (biome)", () => run("biome", ["ci", "."]));
  step("worker types are current (wrangler types --check)", () =>
    run("wrangler", [...wranglerTypes, "--check"]),
  );
  // The build also writes web/src/routeTree.gen.ts, which the typecheck needs.
  step("web build (vite)", () =>
    run("vite", ["build"], { cwd: path.join(root, "web"), env: { ...toolEnv, VITE_MANIFEST: "1" } }),
  );
  step("initial JS of every route (scripts/route-sizes.mjs)", checkRouteSizes);
  step("typecheck (tsc -b)", () => run("tsc", ["-b"]));
  step("unit and integration tests in workerd (vitest)", () =>
    run("vitest", ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${results.vitest}`]),
  );
  step("worker bundle (wrangler deploy --dry-run)", reportWorkerBundle);
  if (!skipE2e) {
    step("browser (Debian Chromium)", ensureChromium);
    step("end-to-end tests (Playwright)", () =>
      run("playwright", ["test"], { env: { ...toolEnv, PLAYWRIGHT_JSON_OUTPUT_FILE: results.playwright } }),
    );
  }
} catch (error) {
  console.error(`\n✖ ${error.message}`);
  process.exitCode = 1;
} finally {
  summarizeTests();
  console.log("\nStep timings:");
  for (const [name, seconds] of timings) console.log(`  ${seconds.toFixed(1).padStart(6)} s  ${name}`);
}
