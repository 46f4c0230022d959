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
  },
  // The worker serves the API; `vite` alone proxies to a running `wrangler dev`.
  server: { proxy: { "/api": "http://localhost:8787" } },
});
