// Installs git hooks for developers; silent no-op in CI or outside a git checkout.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

if (process.env.CI || !existsSync(".git")) process.exit(0);
try {
  execFileSync("husky", { stdio: "inherit" });
} catch {
  console.warn("husky: git hooks not installed (continuing)");
}
