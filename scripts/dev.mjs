// `pnpm dev`: local D1 with migrations applied, the web build kept fresh, and the Worker (API, cron,
// queues, Durable Objects, static assets) on wrangler dev: one origin, as in production.
import path from "node:path";
import { ensureDevVars, migrateLocal, root, run, start, toolEnv, waitForHttp } from "./lib.mjs";

const port = process.env.PORT ?? "8787";
// The local stand-in for the builder's site (tools/builder-site); .dev.vars points LISTING_SOURCE_URL at it.
const builderSitePort = process.env.BUILDER_SITE_PORT ?? "8788";
// The local stand-in for Meta's Graph API and Facebook Login (tools/fake-graph), with a demo Page and
// Instagram account to connect; its own page lists what was "published".
const graphPort = process.env.GRAPH_FAKE_PORT ?? "8789";
const graphUrl = `http://127.0.0.1:${graphPort}`;
ensureDevVars();
migrateLocal();
const web = { cwd: path.join(root, "web") };
run("vite", ["build", "--logLevel", "warn"], web);

const children = [
  start("node", ["tools/builder-site/server.mjs", "--port", builderSitePort]),
  start("node", ["tools/fake-graph/server.mjs", "--port", graphPort, "--demo"]),
  // Rebuilds never empty web/dist (see web/vite.config.ts); stale hashed chunks are harmless here.
  start("vite", ["build", "--watch", "--logLevel", "warn"], {
    ...web,
    env: { ...toolEnv, VITE_KEEP_OUT_DIR: "1" },
  }),
  start("wrangler", [
    "dev",
    "--port",
    port,
    "--test-scheduled",
    "--show-interactive-dev-session=false",
    // On for `pnpm dev` even with an older .dev.vars: the dev outbox, and photos from the local builder site.
    "--var",
    "DEV_TOOLS_ENABLED:true",
    "--var",
    "IMAGE_PROXY_ALLOW_HOSTS:127.0.0.1",
    "--var",
    `GRAPH_API_URL:${graphUrl}`,
    "--var",
    `FACEBOOK_OAUTH_URL:${graphUrl}`,
  ]),
];

const stop = () => {
  for (const child of children) child.kill("SIGTERM");
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
for (const child of children) child.on("exit", (code) => code && stop());

await waitForHttp(`http://localhost:${port}/api/health`);
console.log(`
  Realtor Marketing is running. Sign up at http://localhost:${port}/register
  Listings come from the local builder site at http://127.0.0.1:${builderSitePort} (Listings > Run ingestion now,
  or the cron: curl "http://localhost:${port}/__scheduled?cron=*/30+*+*+*+*").
  Settings > Social accounts connects the demo Facebook Page and Instagram account of the local Graph API
  fake; what they "published" is listed at ${graphUrl}/.
`);
