// Small helpers shared by the dev, check and e2e scripts (plain Node, no dependencies).
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// Root tools first, then the web package's own (vite is a dependency of web/ only).
const bins = [path.join(root, "node_modules", ".bin"), path.join(root, "web", "node_modules", ".bin")];

/** Environment for tools: the repo's Node 22 first on PATH, wrangler quiet and offline-friendly. */
export const toolEnv = {
  ...process.env,
  PATH: [...bins, process.env.PATH].join(path.delimiter),
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, env: toolEnv, stdio: "inherit", ...options });
  if (result.status !== 0) {
    const why = result.error?.message ?? `exited with ${result.status ?? result.signal}`;
    throw new Error(`${command} ${args.join(" ")}: ${why}`);
  }
  return result;
}

export function start(command, args, options = {}) {
  return spawn(command, args, { cwd: root, env: toolEnv, stdio: "inherit", ...options });
}

/** Local variables for wrangler dev; never overwrites a developer's own .dev.vars. */
export function ensureDevVars() {
  const target = path.join(root, ".dev.vars");
  const example = path.join(root, ".dev.vars.example");
  if (!existsSync(target)) {
    copyFileSync(example, target);
    return;
  }
  // An older .dev.vars lacks settings added since (TOKEN_ENCRYPTION_KEY, say): append those from the
  // example, never touching a value the developer set.
  const names = (text) => new Set([...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));
  const current = readFileSync(target, "utf8");
  const have = names(current);
  const missing = readFileSync(example, "utf8")
    .split("\n")
    .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line) && !have.has(line.slice(0, line.indexOf("="))));
  if (missing.length === 0) return;
  const separator = current.endsWith("\n") || current === "" ? "" : "\n";
  appendFileSync(target, `${separator}# Added from .dev.vars.example by pnpm dev\n${missing.join("\n")}\n`);
  console.log(`.dev.vars: added ${missing.map((line) => line.split("=")[0]).join(", ")}`);
}

/** Applies pending D1 migrations to local state (CI=true keeps wrangler from prompting). */
export function migrateLocal(persistTo) {
  const args = ["d1", "migrations", "apply", "DB", "--local"];
  if (persistTo) args.push("--persist-to", persistTo);
  run("wrangler", args, { env: { ...toolEnv, CI: "true" } });
}

/** Resolves once `url` answers 2xx, or throws after `timeoutMs`. */
export async function waitForHttp(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}
