import { defineConfig } from "@playwright/test";

const port = process.env.E2E_PORT ?? "8790";
// The fake builder site the e2e server's listing agent scrapes; tests drive it through its control API.
process.env.E2E_BUILDER_SITE_URL ??= "http://127.0.0.1:8791";

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
  webServer: {
    command: "node scripts/e2e-server.mjs",
    url: `http://localhost:${port}/api/health`,
    reuseExistingServer: false,
    timeout: 90_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});
