// The servers Playwright tests run against: wrangler dev on fresh local state (own persist dir each).
//   node scripts/e2e-server.mjs        the app as a new user has it: offline writer, local outbox; it also starts
//                                      the fake builder site every e2e server scrapes and the Graph API fake
//                                      (tools/fake-graph) both servers publish to
//   node scripts/e2e-server.mjs --llm  the same app drafting through an LLM gateway: the fake one in tools/fake-llm,
//                                      which the tests script through its control API
import { rmSync } from "node:fs";
import path from "node:path";
import { migrateLocal, root, start } from "./lib.mjs";

const llm = process.argv.includes("--llm");
const port = llm ? (process.env.E2E_LLM_PORT ?? "8792") : (process.env.E2E_PORT ?? "8790");
const builderSiteUrl = process.env.E2E_BUILDER_SITE_URL ?? "http://127.0.0.1:8791";
const fakeLlmUrl = process.env.E2E_FAKE_LLM_URL ?? "http://127.0.0.1:8793";
const graphUrl = process.env.E2E_GRAPH_URL ?? "http://127.0.0.1:8794";
const state = path.join(root, ".wrangler", `e2e-state-${port}`);
rmSync(state, { recursive: true, force: true });
migrateLocal(state);

const helpers = llm
  ? [start("node", ["tools/fake-llm/server.mjs", "--port", new URL(fakeLlmUrl).port])]
  : [
      start("node", ["tools/builder-site/server.mjs", "--port", new URL(builderSiteUrl).port]),
      // The demo world: its consent page connects the demo Page and Instagram account.
      start("node", ["tools/fake-graph/server.mjs", "--port", new URL(graphUrl).port, "--demo"]),
    ];
// Explicit, so a developer's own .dev.vars (a real key, say) never changes what the tests see.
const vars = {
  APP_ENV: "test",
  // The tests open review links from the dev outbox and show photos from the loopback builder site.
  DEV_TOOLS_ENABLED: "true",
  // Every test signs up a new agent from 127.0.0.1.
  SIGNUPS_PER_IP_PER_HOUR: "1000",
  IMAGE_PROXY_ALLOW_HOSTS: new URL(builderSiteUrl).hostname,
  LISTING_SOURCE_URL: builderSiteUrl,
  EMAIL_API_KEY: "",
  LANGFLOW_URL: "",
  PORTKEY_API_KEY: llm ? "e2e-portkey-key" : "",
  GRAPH_API_URL: graphUrl,
  FACEBOOK_OAUTH_URL: graphUrl,
  GRAPH_API_VERSION: "v27.0",
  FACEBOOK_APP_ID: "demo-app",
  FACEBOOK_APP_SECRET: "demo-app-secret",
  FACEBOOK_LOGIN_CONFIG_ID: "",
  // 32 bytes, base64; e2e only.
  TOKEN_ENCRYPTION_KEY: "ZTJlLWtleS1lMmUta2V5LWUyZS1rZXktZTJlLWtleSE=",
  TOKEN_ENCRYPTION_KEY_PREVIOUS: "",
  ...(llm ? { LLM_BASE_URL: `${fakeLlmUrl}/v1`, LLM_MODEL: "e2e-model", PORTKEY_PROVIDER: "openai" } : {}),
};
const server = start("wrangler", [
  "dev",
  "--port",
  port,
  // Two servers run side by side; each gets its own devtools port.
  "--inspector-port",
  String(Number(port) + 1000),
  "--persist-to",
  state,
  "--show-interactive-dev-session=false",
  ...Object.entries(vars).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
]);
const stopHelpers = () => {
  for (const helper of helpers) helper.kill("SIGTERM");
};
const stop = () => {
  server.kill("SIGTERM");
  stopHelpers();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.on("exit", (code) => {
  stopHelpers();
  process.exit(code ?? 0);
});
