// The initial JavaScript of every web route, from Vite's manifest: what a first visit to the route downloads
// before it renders (the entry, the route's and its layouts' split chunks, and their static imports; dynamic
// imports load later). Fails above ROUTE_JS_LIMIT_KB (kB gzip, 1 kB = 1000 bytes as in Vite's report).
//   VITE_MANIFEST=1 pnpm build && node scripts/route-sizes.mjs      (pnpm test runs it after the web build)
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const web = path.join(root, "web");
// Issue 12's budget. The entry and its static imports are ~118 kB of it (React DOM alone ~64 kB), and the
// worst route is ~144 kB: code only some pages use belongs behind a lazy import or in its route's chunk.
const defaultLimitKb = 150;

/** `_app.listings.$listingId` from `_app/listings.$listingId.tsx` or `_app/route.tsx` (TanStack file names). */
function routeId(file) {
  return file
    .replace(/\.[jt]sx?$/, "")
    .split(/[\\/]/)
    .join(".")
    .replace(/\.route$/, "");
}

/** The URL a route id serves: pathless `_layout` segments and `index` leave no trace. */
function urlOf(id) {
  const parts = id.split(".").filter((part) => !part.startsWith("_") && part !== "index");
  return `/${parts.join("/")}`;
}

/**
 * Bytes of gzip per visitable route. `routeFiles` are paths under web/src/routes/ (no `-` private files,
 * no `__root`, which is in the entry); layouts are not rows of their own but count in each child.
 * @param {Record<string, {file: string, src?: string, isEntry?: boolean, imports?: string[]}>} manifest
 * @param {string[]} routeFiles
 * @param {(file: string) => number} gzipBytes size of one emitted chunk, e.g. `assets/index-abc.js`
 * @returns {{ route: string, file: string, bytes: number, chunks: number }[]}
 */
export function routeSizes(manifest, routeFiles, gzipBytes) {
  const entry = Object.keys(manifest).find((key) => manifest[key].isEntry);
  if (!entry) throw new Error("Vite manifest has no entry chunk");
  // A route's split chunk is found by its source. A chunk group (web/vite.config.ts `codeSplitting`) that
  // captures a lazily loaded module names the chunk after the group instead, and the route would be
  // measured without it: refuse rather than report a size that is too small.
  for (const chunk of Object.values(manifest)) {
    for (const key of chunk.dynamicImports ?? []) {
      if (!manifest[key]?.src) {
        throw new Error(`lazily loaded chunk ${key} has no source module; a chunk group captured it`);
      }
    }
  }
  const ids = new Map(routeFiles.map((file) => [routeId(file), file]));
  // Split chunks by route file: `src/routes/<file>?tsr-split=component`. The router loads `component` and
  // `pendingComponent` with the route; `errorComponent` and `notFoundComponent` only when one is shown.
  const chunksOf = new Map();
  for (const [key, chunk] of Object.entries(manifest)) {
    const match = /^src\/routes\/([^?]+)(?:\?tsr-split=([\w-]+))?/.exec(chunk.src ?? "");
    const id = match && routeId(match[1]);
    const onlyOnFailure = match?.[2]
      ?.split("---")
      .every((part) => /^(errorComponent|notFoundComponent)$/.test(part));
    if (id && ids.has(id) && !onlyOnFailure) chunksOf.set(id, [...(chunksOf.get(id) ?? []), key]);
  }
  const isLayout = (id) => [...ids.keys()].some((other) => other.startsWith(`${id}.`));
  const rows = [];
  for (const [id, file] of ids) {
    if (isLayout(id)) continue;
    const segments = id.split(".");
    const lineage = segments.map((_, i) => segments.slice(0, i + 1).join("."));
    const files = new Set();
    const visit = (key) => {
      const chunk = manifest[key];
      if (!chunk?.file.endsWith(".js") || files.has(chunk.file)) return;
      files.add(chunk.file);
      for (const imported of chunk.imports ?? []) visit(imported);
    };
    visit(entry);
    for (const ancestor of lineage) for (const key of chunksOf.get(ancestor) ?? []) visit(key);
    const bytes = [...files].reduce((sum, chunkFile) => sum + gzipBytes(chunkFile), 0);
    rows.push({ route: urlOf(id), file, bytes, chunks: files.size });
  }
  return rows.sort((a, b) => b.bytes - a.bytes || a.route.localeCompare(b.route));
}

function listRouteFiles(dir, prefix = "") {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.name.startsWith("-") || entry.name.startsWith("__root.")) return [];
    if (entry.isDirectory()) return listRouteFiles(dir, relative);
    return /\.[jt]sx?$/.test(entry.name) ? [relative] : [];
  });
}

/** Prints the table and throws when a route is over the limit. Needs a `VITE_MANIFEST=1` build of web/. */
export function checkRouteSizes({ limitKb = Number(process.env.ROUTE_JS_LIMIT_KB || defaultLimitKb) } = {}) {
  const dist = path.join(web, "dist");
  const manifestPath = path.join(dist, ".vite", "manifest.json");
  if (!existsSync(manifestPath)) throw new Error(`No ${manifestPath}: build with VITE_MANIFEST=1`);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  // wrangler would upload the manifest with the assets: dist stays as a plain build leaves it.
  rmSync(path.join(dist, ".vite"), { recursive: true, force: true });
  const sizes = new Map();
  const gzipBytes = (file) => {
    if (!sizes.has(file)) sizes.set(file, gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length);
    return sizes.get(file);
  };
  const rows = routeSizes(manifest, listRouteFiles(path.join(web, "src", "routes")), gzipBytes);
  if (rows.length === 0) throw new Error("No routes found under web/src/routes");
  const width = Math.max(...rows.map((row) => row.route.length));
  console.log(`${"route".padEnd(width)}  kB gzip  chunks   (limit ${limitKb} kB)`);
  for (const row of rows) {
    const kb = (row.bytes / 1000).toFixed(1).padStart(7);
    const over = row.bytes > limitKb * 1000 ? "  ✖ over the limit" : "";
    console.log(`${row.route.padEnd(width)}  ${kb}  ${String(row.chunks).padStart(6)}${over}`);
  }
  const over = rows.filter((row) => row.bytes > limitKb * 1000);
  if (over.length > 0) {
    const names = over.map((row) => `${row.route} (${(row.bytes / 1000).toFixed(1)} kB)`).join(", ");
    throw new Error(
      `initial JS over ${limitKb} kB gzip: ${names}. Load what the first paint does not need with a dynamic ` +
        "import (React.lazy), or keep it out of the entry (web/vite.config.ts says how the chunks are cut).",
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    checkRouteSizes();
  } catch (error) {
    console.error(`✖ ${error.message}`);
    process.exitCode = 1;
  }
}
