import { fileURLToPath } from "node:url";
import { tanstackRouter } from "@tanstack/router-plugin/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here("."),
  plugins: [
    // Must run before the React plugin so route files are split before JSX is transformed.
    tanstackRouter({
      target: "react",
      autoCodeSplitting: true,
      routesDirectory: here("./src/routes"),
      generatedRouteTree: here("./src/routeTree.gen.ts"),
    }),
    react(),
  ],
  // `pnpm dev` rebuilds in place (VITE_KEEP_OUT_DIR=1): wrangler dev watches dist and served 404 for every
  // page after reloading while an emptied directory was being rewritten.
  // VITE_MANIFEST=1 (set by `pnpm test`) writes dist/.vite/manifest.json for scripts/route-sizes.mjs; off
  // otherwise, since wrangler would upload it with the assets.
  build: {
    outDir: "dist",
    emptyOutDir: !process.env.VITE_KEEP_OUT_DIR,
    manifest: process.env.VITE_MANIFEST === "1",
    // Of the browsers the build targets only Safari 16 and Firefox 114 lack <link rel="modulepreload">; there
    // a route's chunks still load, only without the head start. The polyfill was in every route's first load.
    modulePreload: { polyfill: false },
    // Every route's initial JS is capped (scripts/route-sizes.mjs, 150 kB gzip); these keep the shared part
    // small. Route code stays in its route's chunks; only what the first paint needs loads up front.
    rolldownOptions: {
      treeshake: {
        // The worker's input schemas are module-level `z.object(...)` calls, which a bundler must keep
        // as possible side effects: importing one constant from a schema module pulled every schema in it,
        // and zod with them, into the entry. zod's builders are pure, so a schema nothing reads is dropped
        // and zod loads only with the forms that validate with it. (`z` is the zod/mini namespace
        // everywhere here; do not name anything else `z`.)
        manualPureFunctions: ["z"],
        // tRPC's client modules have no side effects the app needs; without this the WebSocket link's
        // class (a static field) stayed in the entry although only the HTTP links are used.
        moduleSideEffects: [{ test: /[\\/]@trpc[\\/]/, sideEffects: false }],
      },
      output: {
        // What every route loads first (the entry and its static imports) in one chunk instead of ~16
        // small ones: one gzip stream compresses it ~5 kB smaller, and it is one request.
        codeSplitting: { groups: [{ name: "app", tags: ["$initial"] }] },
      },
    },
  },
  // The worker serves the API; `vite` alone proxies to a running `wrangler dev`.
  server: { proxy: { "/api": "http://localhost:8787" } },
});
