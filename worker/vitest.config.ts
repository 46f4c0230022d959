import { createServer } from "node:net";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** A free loopback port, for the fake builder site that the Worker's LISTING_SOURCE_URL points at. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

export default defineConfig(async () => {
  const root = path.join(import.meta.dirname, "..");
  // Chosen here and read by test/setup/builder-site.ts (same process), so new agents follow the fake.
  process.env.BUILDER_SITE_PORT ??= String(await freePort());
  // The Graph API fake (tools/fake-graph), started by test/setup/fake-graph.ts on this port.
  process.env.GRAPH_FAKE_PORT ??= String(await freePort());
  const graphUrl = `http://127.0.0.1:${process.env.GRAPH_FAKE_PORT}`;
  const migrations = await readD1Migrations(path.join(root, "db/migrations"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: path.join(root, "wrangler.toml") },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            APP_ENV: "test",
            LISTING_SOURCE_URL: `http://127.0.0.1:${process.env.BUILDER_SITE_PORT}`,
            // As in development: the fake builder site's photos are on loopback. The image-proxy tests
            // clear it to check that loopback is refused.
            IMAGE_PROXY_ALLOW_HOSTS: "127.0.0.1",
            GRAPH_API_URL: graphUrl,
            FACEBOOK_OAUTH_URL: graphUrl,
            FACEBOOK_APP_ID: "test-app",
            FACEBOOK_APP_SECRET: "test-app-secret",
            // 32 bytes, base64; tests only.
            TOKEN_ENCRYPTION_KEY: "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ=",
            TOKEN_ENCRYPTION_KEY_PREVIOUS: "",
          },
        },
      }),
    ],
    test: {
      name: "worker",
      include: ["test/**/*.test.ts"],
      setupFiles: ["test/setup/apply-migrations.ts"],
      // Run in Node: start the fake builder site and the fake LLM gateway (tools/) and provide their URLs.
      globalSetup: [
        "test/setup/builder-site.ts",
        "test/setup/fake-llm.ts",
        "test/setup/fake-email.ts",
        "test/setup/fake-graph.ts",
      ],
    },
  };
});
