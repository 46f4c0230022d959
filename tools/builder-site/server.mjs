// A local stand-in for a production builder's site (holidaybuilders.com), for development, tests and the
// benchmark. Plain node:http, no dependencies; the data is generated from a fixed seed (see data.mjs).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { COMMUNITIES, comingSoonSlug, makeExtraHome, makeHomes } from "./data.mjs";
import {
  defaultRobots,
  renderComingSoon,
  renderCommunity,
  renderDetail,
  renderError,
  renderHome,
  renderNotFound,
  renderQuickMoveIn,
  renderSitemap,
} from "./render.mjs";
import {
  specListCommunity,
  specListCommunityPath,
  specListDetail,
  specListHome,
  specListIndex,
  specListNotFound,
  specListPath,
  specListRobots,
  specListSitemap,
} from "./spec-list.mjs";

const MODES = new Set(["normal", "redesign", "error5xx", "flaky"]);
const THEMES = new Set(["classic", "spec-list"]);
const REMOVAL_ANSWERS = new Set([404, 410, "redirect"]);
const STATUSES = new Set(["Available", "Under Contract", "Sold"]);
const PATCHABLE = new Set([
  "planName",
  "communityName",
  "address",
  "city",
  "zip",
  "price",
  "beds",
  "baths",
  "sqft",
  "garage",
  "status",
  "moveIn",
  "incentives",
  "description",
  "images",
  "markup",
]);

// A 1200x800 JPEG (7.5 KB), served for every /images/*.jpg: big enough that Instagram's rules (320-1440 px
// wide, 4:5 to 1.91:1) can be met by a crop, as a real listing photo would.
const JPEG = readFileSync(new URL("./assets/home-photo.jpg", import.meta.url));

class ControlError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function freshState(count, theme) {
  return {
    count,
    theme,
    /** slug -> { home, answer, keepInSitemap } for homes taken off the site. */
    removed: new Map(),
    /** path -> HTTP status forced for it. */
    failures: new Map(),
    homes: makeHomes(count),
    nextIndex: count,
    mode: "normal",
    delayMs: 0,
    robots: null,
    requests: new Map(),
    flakySeen: new Set(),
    lastUserAgent: null,
    userAgents: new Set(),
  };
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ControlError(400, "body is not JSON");
  }
}

function validatePatch(patch) {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
    throw new ControlError(400, "patch must be a JSON object");
  }
  for (const key of Object.keys(patch)) {
    if (!PATCHABLE.has(key)) throw new ControlError(400, `unknown field "${key}"`);
  }
  if ("status" in patch && !STATUSES.has(patch.status)) {
    throw new ControlError(400, `status must be one of ${[...STATUSES].join(", ")}`);
  }
  if ("price" in patch && patch.price !== null && !Number.isFinite(patch.price)) {
    throw new ControlError(400, "price must be a number or null");
  }
  return patch;
}

const detailPath = (theme, home) => (theme === "spec-list" ? specListPath(home) : `/homes/${home.slug}`);
const communityPath = (theme, slug) =>
  theme === "spec-list" ? specListCommunityPath(slug) : `/communities/${slug}`;

/** What tests may read back: the home as the site shows it. */
const publicHome =
  (theme) =>
  ({ markup, ...home }) => ({ ...home, markup, path: detailPath(theme, home) });

function send(res, status, body, type = "text/html; charset=utf-8", headers = {}) {
  res.writeHead(status, { "content-type": type, "cache-control": "no-cache", ...headers });
  res.end(body);
}

const sendJson = (res, status, data) => send(res, status, JSON.stringify(data), "application/json");

/**
 * Starts the fake builder site. Every instance has its own state; `POST /__control/instances` starts a sibling
 * instance (closed with this one) so test files that run in parallel need not share one.
 */
export async function startBuilderSite({ port = 0, count = 36, host = "127.0.0.1", theme = "classic" } = {}) {
  if (!THEMES.has(theme)) throw new Error(`theme must be one of ${[...THEMES].join(", ")}`);
  let state = freshState(count, theme);
  const children = [];

  async function control(req, res, url) {
    const path = url.pathname.slice("/__control".length);
    const method = req.method ?? "GET";
    if (method === "POST" && path === "/reset") {
      const body = await readJson(req);
      const n = body.count ?? count;
      if (!Number.isInteger(n) || n < 0 || n > 5000) throw new ControlError(400, "count must be 0..5000");
      // Back to the theme the instance started with, unless told otherwise.
      const nextTheme = body.theme ?? theme;
      if (!THEMES.has(nextTheme))
        throw new ControlError(400, `theme must be one of ${[...THEMES].join(", ")}`);
      state = freshState(n, nextTheme);
      return sendJson(res, 200, { ok: true, count: n, theme: nextTheme });
    }
    if (method === "GET" && path === "/state") {
      return sendJson(res, 200, {
        mode: state.mode,
        theme: state.theme,
        delayMs: state.delayMs,
        count: state.homes.length,
        slugs: state.homes.map((h) => h.slug),
        requests: Object.fromEntries(state.requests),
        totalRequests: [...state.requests.values()].reduce((a, b) => a + b, 0),
        lastUserAgent: state.lastUserAgent,
        userAgents: [...state.userAgents],
      });
    }
    if (method === "POST" && path === "/mode") {
      const body = await readJson(req);
      if (!MODES.has(body.mode)) throw new ControlError(400, `mode must be one of ${[...MODES].join(", ")}`);
      const delayMs = body.delayMs ?? 0;
      if (!Number.isInteger(delayMs) || delayMs < 0) throw new ControlError(400, "delayMs must be >= 0");
      state.mode = body.mode;
      state.delayMs = delayMs;
      state.flakySeen.clear();
      return sendJson(res, 200, { ok: true, mode: state.mode, delayMs });
    }
    if (method === "POST" && path === "/theme") {
      const body = await readJson(req);
      if (!THEMES.has(body.theme))
        throw new ControlError(400, `theme must be one of ${[...THEMES].join(", ")}`);
      state.theme = body.theme;
      return sendJson(res, 200, { ok: true, theme: state.theme });
    }
    if (method === "POST" && path === "/failures") {
      const body = await readJson(req);
      const paths = body.paths ?? {};
      for (const [failing, status] of Object.entries(paths)) {
        if (!failing.startsWith("/") || !Number.isInteger(status) || status < 400 || status > 599) {
          throw new ControlError(400, "paths must map a path to a 4xx/5xx status");
        }
      }
      state.failures = new Map(Object.entries(paths));
      return sendJson(res, 200, { ok: true });
    }
    if (method === "POST" && path === "/robots") {
      const body = await readJson(req);
      if (typeof body.text !== "string") throw new ControlError(400, "text must be a string");
      state.robots = body.text;
      return sendJson(res, 200, { ok: true });
    }
    if (method === "POST" && path === "/instances") {
      const body = await readJson(req);
      const child = await startBuilderSite({ count: body.count ?? count, host, theme: body.theme ?? theme });
      children.push(child);
      return sendJson(res, 201, { url: child.url });
    }
    if (path === "/homes") {
      if (method === "GET") return sendJson(res, 200, state.homes.map(publicHome(state.theme)));
      if (method === "POST") {
        const patch = validatePatch(await readJson(req));
        const home = makeExtraHome(state.nextIndex++, patch);
        state.homes.push(home);
        return sendJson(res, 201, publicHome(state.theme)(home));
      }
    }
    const homeMatch = /^\/homes\/([^/]+)$/.exec(path);
    if (homeMatch) {
      const slug = decodeURIComponent(homeMatch[1] ?? "");
      const index = state.homes.findIndex((h) => h.slug === slug);
      if (index < 0) throw new ControlError(404, `no home "${slug}"`);
      if (method === "GET") return sendJson(res, 200, publicHome(state.theme)(state.homes[index]));
      if (method === "DELETE") {
        const body = await readJson(req);
        const answer = body.answer ?? 404;
        if (!REMOVAL_ANSWERS.has(answer))
          throw new ControlError(400, 'answer must be 404, 410 or "redirect"');
        const [home] = state.homes.splice(index, 1);
        state.removed.set(slug, { home, answer, keepInSitemap: body.keepInSitemap === true });
        return sendJson(res, 200, { ok: true });
      }
      if (method === "POST" || method === "PATCH") {
        const patch = validatePatch(await readJson(req));
        state.homes[index] = { ...state.homes[index], ...patch };
        return sendJson(res, 200, publicHome(state.theme)(state.homes[index]));
      }
    }
    throw new ControlError(404, `no control route ${method} ${url.pathname}`);
  }

  function site(req, res, url) {
    const origin = `http://${req.headers.host ?? `${host}`}`;
    const path = url.pathname;
    const mode = state.mode;
    const key = `${path}${url.search}`;
    if (mode === "flaky" && !state.flakySeen.has(key)) {
      state.flakySeen.add(key);
      return send(res, 503, renderError(origin, 503));
    }
    const forced = state.failures.get(path);
    if (forced) return send(res, forced, renderError(origin, forced));
    if (path.startsWith("/images/") && path.endsWith(".jpg")) {
      return send(res, 200, JPEG, "image/jpeg", { "cache-control": "public, max-age=86400" });
    }
    const detail = removedOrDetail(path);
    if (detail && mode === "error5xx") return send(res, 500, renderError(origin, 500));
    if (detail?.removed) {
      const { home, answer } = detail.removed;
      if (answer === "redirect") {
        res.writeHead(301, { location: communityPath(state.theme, home.community) });
        return res.end();
      }
      return send(res, answer, state.theme === "spec-list" ? specListNotFound() : renderNotFound(origin));
    }
    if (detail?.home && mode === "redesign")
      return sendPage(req, res, renderDetail(detail.home, origin, mode));
    return state.theme === "spec-list"
      ? specListSite(req, res, url, origin, detail)
      : classicSite(req, res, url, origin, detail);
  }

  /** A detail path of this theme: the live home, or the removal record of a home taken off the site. */
  function removedOrDetail(path) {
    const match =
      state.theme === "spec-list"
        ? /^\/available-homes\/[^/]+\/([^/]+)\/?$/.exec(path)
        : /^\/homes\/([^/]+)\/?$/.exec(path);
    if (!match) return null;
    const slug = decodeURIComponent(match[1] ?? "");
    const home = state.homes.find(
      (h) => h.slug === slug && detailPath(state.theme, h) === path.replace(/\/$/, ""),
    );
    if (home) return { slug, home };
    const removed = state.removed.get(slug);
    return { slug, removed: removed && !state.homes.some((h) => h.slug === slug) ? removed : undefined };
  }

  /** Homes the sitemap still lists: the live ones, plus removed ones left in a stale sitemap. */
  const sitemapHomes = () => [
    ...state.homes,
    ...[...state.removed.values()].filter((r) => r.keepInSitemap).map((r) => r.home),
  ];

  function classicSite(req, res, url, origin, detail) {
    const path = url.pathname;
    const mode = state.mode;
    if (path === "/robots.txt") {
      return send(res, 200, state.robots ?? defaultRobots(origin), "text/plain; charset=utf-8");
    }
    if (path === "/sitemap.xml") {
      return send(res, 200, renderSitemap(sitemapHomes(), origin), "application/xml; charset=utf-8");
    }
    if (path === "/") return sendPage(req, res, renderHome(state.homes, origin, mode));
    if (path === "/quick-move-in") {
      const page = Number.parseInt(url.searchParams.get("page") ?? "1", 10);
      return sendPage(
        req,
        res,
        renderQuickMoveIn(state.homes, origin, mode, Number.isFinite(page) ? page : 1),
      );
    }
    const community = /^\/communities\/([^/]+)\/?$/.exec(path);
    const found = community && COMMUNITIES.find((c) => c.slug === community[1]);
    if (found) return sendPage(req, res, renderCommunity(found, state.homes, origin, mode));
    if (detail?.home) return sendPage(req, res, renderDetail(detail.home, origin, mode));
    if (detail && COMMUNITIES.some((c) => comingSoonSlug(c.slug) === detail.slug)) {
      return sendPage(req, res, renderComingSoon(detail.slug, origin));
    }
    return send(res, 404, renderNotFound(origin));
  }

  function specListSite(req, res, url, origin, detail) {
    const path = url.pathname;
    if (path === "/robots.txt") {
      return send(res, 200, state.robots ?? specListRobots(origin), "text/plain; charset=utf-8");
    }
    const sitemap = specListSitemap(path, sitemapHomes(), origin);
    if (sitemap) return send(res, 200, sitemap, "application/xml; charset=utf-8");
    if (path === "/") return sendPage(req, res, specListHome(state.homes));
    if (path === "/available-homes" || path === "/available-homes/") {
      const page = Number.parseInt(url.searchParams.get("page") ?? "1", 10);
      return sendPage(req, res, specListIndex(state.homes, Number.isFinite(page) ? page : 1));
    }
    const community = /^\/neighborhoods\/([^/]+)\/?$/.exec(path);
    const found = community && COMMUNITIES.find((c) => c.slug === community[1]);
    if (found) return sendPage(req, res, specListCommunity(found, state.homes));
    if (detail?.home) return sendPage(req, res, specListDetail(detail.home, origin));
    return send(res, 404, specListNotFound());
  }

  /** HTML pages carry an ETag and answer If-None-Match with 304, as a CDN in front of a real site would. */
  function sendPage(req, res, html) {
    const etag = `"${createHash("sha1").update(html).digest("base64url").slice(0, 20)}"`;
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, { etag });
      return res.end();
    }
    return send(res, 200, html, "text/html; charset=utf-8", { etag });
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", `http://${host}`);
    try {
      if (url.pathname.startsWith("/__control/")) return await control(req, res, url);
      const key = `${url.pathname}${url.search}`;
      state.requests.set(key, (state.requests.get(key) ?? 0) + 1);
      const ua = req.headers["user-agent"] ?? null;
      state.lastUserAgent = ua;
      if (ua) state.userAgents.add(ua);
      if (state.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
      if (!res.destroyed) site(req, res, url);
    } catch (error) {
      if (error instanceof ControlError) return sendJson(res, error.status, { error: error.message });
      console.error(error);
      if (!res.headersSent) sendJson(res, 500, { error: String(error) });
    }
  });
  // A timed-out client may hang up while a delayed response is pending.
  server.on("clientError", (_error, socket) => socket.destroy());

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://${host}:${boundPort}`,
    async close() {
      await Promise.all(children.splice(0).map((child) => child.close()));
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === "--port") options.port = Number(value);
    else if (flag === "--count") options.count = Number(value);
    else if (flag === "--host") options.host = value;
    else if (flag === "--theme") options.theme = value;
    else continue;
    i++;
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const site = await startBuilderSite(parseArgs(process.argv.slice(2)));
  console.log(`builder site listening on ${site.url}`);
  const stop = () => site.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
