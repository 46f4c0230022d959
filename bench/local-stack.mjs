// The real Worker on the local stack for the benchmarks (bench/schedule.mjs, bench/bell.mjs): its own D1
// (migrations applied), queues and Durable Objects under wrangler's unstable_startWorker, in a fresh
// persistence directory, plus a cookie-keeping client that signs up and calls procedures like the browser.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
process.env.WRANGLER_SEND_METRICS ??= "false";
process.env.WRANGLER_HIDE_BANNER ??= "true";
const { unstable_startWorker } = await import("wrangler");

/** The app's origin as the Worker is told it (APP_ORIGIN): mutations and the socket need it as Origin. */
export const ORIGIN = "http://bench.local";
export const root = path.join(import.meta.dirname, "..");
const wrangler = path.join(root, "node_modules/.bin/wrangler");

/** Nearest-rank percentile of an ascending array. */
export const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** `wrangler d1 <args>` against the local D1 in `persist`. */
export function d1(persist, args) {
  return execFileSync(wrangler, ["d1", ...args, "--local", "--persist-to", persist], {
    cwd: root,
    env: { ...process.env, CI: "true" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** A fresh persistence directory; `rmSync` it when done. */
export const tempPersist = (name, dir = os.tmpdir()) => mkdtempSync(path.join(dir, `bench-${name}-`));
export const removePersist = (persist) => rmSync(persist, { recursive: true, force: true });

/**
 * Applies the migrations to `persist`'s D1 and starts the Worker (wrangler.toml) on a free loopback port
 * with `bindings` (plain text values) over the development defaults. Resolves once it answers. `logLevel`
 * "log" shows the Worker's console.log lines (bench/bell.mjs reads the hub's).
 */
export async function startLocalWorker(persist, bindings = {}, { logLevel = "warn" } = {}) {
  d1(persist, ["migrations", "apply", "DB"]);
  const plain = (value) => ({ type: "plain_text", value });
  const worker = await unstable_startWorker({
    config: path.join(root, "wrangler.toml"),
    bindings: Object.fromEntries(
      Object.entries({ APP_ENV: "development", APP_ORIGIN: ORIGIN, ...bindings }).map(([k, v]) => [
        k,
        plain(v),
      ]),
    ),
    dev: {
      persist,
      server: { hostname: "127.0.0.1", port: 0 },
      inspector: false,
      logLevel,
    },
  });
  try {
    await Promise.race([
      worker.ready,
      new Promise((_, reject) => setTimeout(() => reject(new Error("worker did not start in 60 s")), 60_000)),
    ]);
  } catch (error) {
    await worker.dispose().catch(() => undefined);
    throw error;
  }
  return worker;
}

/** A cookie-keeping client of the Worker's tRPC API, from one IP, sending our Origin like the app. */
export class Browser {
  cookies = new Map();
  constructor(worker) {
    this.worker = worker;
  }
  /** The Cookie header the browser would send (the session). */
  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  async mutate(procedure, input) {
    const res = await this.worker.fetch(`${ORIGIN}/api/trpc/${procedure}`, {
      method: "POST",
      headers: {
        Origin: ORIGIN,
        "Content-Type": "application/json",
        "CF-Connecting-IP": "198.51.100.7",
        Cookie: this.cookieHeader(),
      },
      body: JSON.stringify(input),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...value] = pair.split("=");
      this.cookies.set(name, value.join("="));
    }
    const body = await res.json();
    if (!res.ok)
      throw new Error(`${procedure}: ${res.status} ${JSON.stringify(body.error?.message ?? body)}`);
    return body.result?.data;
  }
}
