import { defineConfig } from "@playwright/test";

const port = process.env.E2E_PORT ?? "8790";
// The same app drafting through an LLM gateway (e2e/*.llm.spec.ts), and the fake gateway it calls.
const llmPort = process.env.E2E_LLM_PORT ?? "8792";
// The fake builder site the e2e servers' listing agent scrapes, and the fake LLM gateway; tests drive both
// through their control APIs.
process.env.E2E_BUILDER_SITE_URL ??= "http://127.0.0.1:8791";
process.env.E2E_FAKE_LLM_URL ??= "http://127.0.0.1:8793";
// The Graph API fake (tools/fake-graph) the e2e servers publish to; its consent page connects the demo Page.
process.env.E2E_GRAPH_URL ??= "http://127.0.0.1:8794";

// Debian's Chromium (apt-get install chromium); Playwright never downloads a browser here.
export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 30_000,
  // scripts/check.mjs sets PLAYWRIGHT_JSON_OUTPUT_FILE to add these results to its summary line.
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_FILE ? [["list"], ["json"]] : [["list"]],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [
    { name: "offline writer", testIgnore: /\.llm\.spec\.ts$/ },
    { name: "LLM writer", testMatch: /\.llm\.spec\.ts$/, use: { baseURL: `http://localhost:${llmPort}` } },
  ],
  webServer: [
    {
      command: "node scripts/e2e-server.mjs",
      url: `http://localhost:${port}/api/health`,
      reuseExistingServer: false,
      timeout: 90_000,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      command: "node scripts/e2e-server.mjs --llm",
      url: `http://localhost:${llmPort}/api/health`,
      reuseExistingServer: false,
      timeout: 90_000,
      stdout: "ignore",
      stderr: "pipe",
    },
  ],
});
