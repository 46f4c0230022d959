import { defineConfig } from "vitest/config";

// One project per runtime: worker code runs inside workerd (see worker/vitest.config.ts).
export default defineConfig({
  test: {
    projects: ["worker/vitest.config.ts"],
  },
});
