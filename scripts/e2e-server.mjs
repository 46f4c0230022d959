// The server Playwright tests run against: wrangler dev on fresh local state (own persist dir).
import { rmSync } from "node:fs";
import path from "node:path";
import { migrateLocal, root, start } from "./lib.mjs";

const port = process.env.E2E_PORT ?? "8790";
const builderSiteUrl = process.env.E2E_BUILDER_SITE_URL ?? "http://127.0.0.1:8791";
const state = path.join(root, ".wrangler", "e2e-state");
rmSync(state, { recursive: true, force: true });
migrateLocal(state);
const builderSite = start("node", ["tools/builder-site/server.mjs", "--port", new URL(builderSiteUrl).port]);
const server = start("wrangler", [
  "dev",
  "--port",
  port,
  "--persist-to",
  state,
  "--show-interactive-dev-session=false",
  "--var",
  "APP_ENV:test",
  "--var",
  `LISTING_SOURCE_URL:${builderSiteUrl}`,
]);
const stop = () => {
  server.kill("SIGTERM");
  builderSite.kill("SIGTERM");
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.on("exit", (code) => {
  builderSite.kill("SIGTERM");
  process.exit(code ?? 0);
});
