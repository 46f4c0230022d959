import { describe, expect, it } from "vitest";
import {
  Crawler,
  type CrawlerOptions,
  productToken,
  RobotsRules,
  retryAfterMs,
} from "../src/agents/listing/crawler";

const BASE = "https://www.holidaybuilders.com";
const UA = "RealtorMarketingBot/1.0 (+https://example.com/bot)";

type Handler = (url: URL, init: RequestInit) => Response | Promise<Response>;

/** A fetch stand-in that records calls; robots.txt allows everything unless the handler answers it. */
function fakeFetch(handler: Handler) {
  const calls: { url: string; userAgent: string | null }[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    calls.push({ url: url.pathname + url.search, userAgent: new Headers(init.headers).get("user-agent") });
    return handler(url, init);
  }) as typeof fetch;
  return { fetchImpl, calls };
}

function crawler(handler: Handler, options: Partial<CrawlerOptions> = {}) {
  const { fetchImpl, calls } = fakeFetch(handler);
  const sleeps: number[] = [];
  const instance = new Crawler({
    baseUrl: BASE,
    userAgent: UA,
    fetch: fetchImpl,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0,
    ...options,
  });
  return { crawler: instance, calls, sleeps };
}

const html = (body = "<p>ok</p>", init: ResponseInit = {}) =>
  new Response(body, { status: 200, headers: { "content-type": "text/html" }, ...init });
const noRobots = (url: URL) =>
  url.pathname === "/robots.txt" ? new Response("", { status: 404 }) : undefined;

describe("robots.txt rules", () => {
  const text = `# comment
User-agent: *
Disallow: /admin/
Disallow: /homes/*/print$
Allow: /admin/public
Crawl-delay: 5

User-agent: GPTBot
User-agent: RealtorMarketingBot
Disallow: /communities/
Allow: /communities/open

User-agent: OtherBot
Disallow: /
`;

  it("uses the group naming our product token, not *", () => {
    const rules = RobotsRules.parse(text, UA);
    expect(rules.allows(new URL(`${BASE}/communities/x`))).toBe(false);
    expect(rules.allows(new URL(`${BASE}/communities/open-house`))).toBe(true);
    expect(rules.allows(new URL(`${BASE}/admin/`))).toBe(true);
  });

  it("falls back to *, with longest match winning, wildcards and end anchors", () => {
    const rules = RobotsRules.parse(text, "SomeOtherCrawler/2.0");
    expect(rules.allows(new URL(`${BASE}/admin/users`))).toBe(false);
    expect(rules.allows(new URL(`${BASE}/admin/public/x`))).toBe(true);
    expect(rules.allows(new URL(`${BASE}/homes/a/print`))).toBe(false);
    expect(rules.allows(new URL(`${BASE}/homes/a/print?x=1`))).toBe(true);
    expect(rules.allows(new URL(`${BASE}/homes/a`))).toBe(true);
  });

  it("reads the product token from a User-Agent string and the wait from Retry-After", () => {
    expect(productToken(UA)).toBe("realtormarketingbot");
    expect(retryAfterMs("3")).toBe(3000);
    expect(retryAfterMs("Wed, 21 Oct 2026 07:28:10 GMT", Date.parse("Wed, 21 Oct 2026 07:28:00 GMT"))).toBe(
      10_000,
    );
    expect(retryAfterMs("soon")).toBeUndefined();
  });
});

describe("Crawler: what a fetch came to", () => {
  it("reads the sitemaps robots.txt names, whatever group they sit in", async () => {
    const robots = `User-agent: *\nDisallow: /x/\nSitemap: ${BASE}/maps/index.xml\n\nUser-agent: GPTBot\nDisallow: /\nsitemap: /maps/extra.xml\nSitemap: https://cdn.example.com/other.xml\n`;
    expect(RobotsRules.parse(robots, UA).sitemaps).toEqual([
      `${BASE}/maps/index.xml`,
      "/maps/extra.xml",
      "https://cdn.example.com/other.xml",
    ]);
    const { crawler: c } = crawler((url) => (url.pathname === "/robots.txt" ? new Response(robots) : html()));
    // Resolved against the site; another origin's sitemap is not ours to crawl.
    expect(await c.sitemaps()).toEqual([`${BASE}/maps/index.xml`, `${BASE}/maps/extra.xml`]);
  });

  it("tells a missing page (404/410, no error) from a failed one (5xx, an error) and a skipped one", async () => {
    const robots = "User-agent: *\nDisallow: /private/\n";
    const { crawler: c } = crawler(
      (url) => {
        if (url.pathname === "/robots.txt") return new Response(robots);
        if (url.pathname === "/gone") return new Response("", { status: 404 });
        if (url.pathname === "/removed") return new Response("", { status: 410 });
        if (url.pathname === "/broken") return new Response("", { status: 500 });
        return html();
      },
      { retries: 0 },
    );
    expect(await c.fetchPage("/gone")).toEqual({ kind: "missing", url: `${BASE}/gone`, status: 404 });
    expect(await c.fetchPage("/removed")).toMatchObject({ kind: "missing", status: 410 });
    expect(await c.fetchPage("/private/a")).toMatchObject({ kind: "skipped", reason: "robots" });
    expect(c.errors).toEqual([]);
    expect(await c.fetchPage("/broken")).toMatchObject({ kind: "failed", reason: "HTTP 500" });
    expect(c.errors).toEqual([`${BASE}/broken: HTTP 500`]);
  });

  it("reports where redirects ended", async () => {
    const { crawler: c } = crawler((url) => {
      if (noRobots(url)) return noRobots(url) as Response;
      const response = html();
      Object.defineProperty(response, "url", { value: `${BASE}/communities/heron-bay` });
      return response;
    });
    const result = await c.fetchPage("/homes/1-main-st");
    expect(result).toMatchObject({
      kind: "page",
      page: { url: `${BASE}/homes/1-main-st`, finalUrl: `${BASE}/communities/heron-bay`, redirected: true },
    });
  });
});

describe("Crawler", () => {
  it("sends our User-Agent on every request and fetches robots.txt once", async () => {
    const { crawler: c, calls } = crawler((url) => noRobots(url) ?? html());
    await Promise.all([c.get("/a"), c.get("/b"), c.get(`${BASE}/c`)]);
    expect(calls.map((call) => call.url).sort()).toEqual(["/a", "/b", "/c", "/robots.txt"]);
    expect(calls.every((call) => call.userAgent === UA)).toBe(true);
    expect(c.pagesFetched).toBe(4);
  });

  it("never requests a disallowed page, and treats an unreachable robots.txt as disallow-all", async () => {
    const robots = "User-agent: *\nDisallow: /private/\n";
    const { crawler: c, calls } = crawler((url) =>
      url.pathname === "/robots.txt" ? new Response(robots) : html(),
    );
    expect(await c.get("/private/x")).toBeNull();
    expect(await c.get("/public/x")).not.toBeNull();
    expect(calls.map((call) => call.url)).toEqual(["/robots.txt", "/public/x"]);

    const down = crawler(() => new Response("down", { status: 500 }), { retries: 0 });
    expect(await down.crawler.get("/a")).toBeNull();
    expect(down.calls.map((call) => call.url)).toEqual(["/robots.txt"]);
    expect(down.crawler.errors.join("\n")).toContain("robots.txt unreachable");
  });

  it("retries 5xx with exponential backoff and succeeds", async () => {
    let failures = 2;
    const {
      crawler: c,
      calls,
      sleeps,
    } = crawler((url) => {
      if (noRobots(url)) return noRobots(url) as Response;
      return failures-- > 0 ? new Response("busy", { status: 503 }) : html("<p>finally</p>");
    });
    const page = await c.get("/a");
    expect(page?.body).toBe("<p>finally</p>");
    expect(calls.filter((call) => call.url === "/a")).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]);
    expect(c.errors).toEqual([]);
    expect(c.pagesFetched).toBe(2);
  });

  it("adds jitter of up to one backoff step", async () => {
    let failed = false;
    const { crawler: c, sleeps } = crawler(
      (url) => {
        if (noRobots(url)) return noRobots(url) as Response;
        if (failed) return html();
        failed = true;
        return new Response("", { status: 502 });
      },
      { random: () => 0.5 },
    );
    await c.get("/a");
    expect(sleeps).toEqual([750]);
  });

  it("honours Retry-After on 429, capped by maxRetryDelayMs", async () => {
    const waits = ["3", "3600"];
    const { crawler: c, sleeps } = crawler((url) => {
      if (noRobots(url)) return noRobots(url) as Response;
      const wait = waits.shift();
      return wait ? new Response("", { status: 429, headers: { "retry-after": wait } }) : html();
    });
    expect(await c.get("/a")).not.toBeNull();
    expect(sleeps).toEqual([3000, 10_000]);
  });

  it("gives up after the retries and records the URL and status, without throwing", async () => {
    const { crawler: c, calls } = crawler((url) => noRobots(url) ?? new Response("", { status: 503 }));
    expect(await c.get("/a")).toBeNull();
    expect(calls.filter((call) => call.url === "/a")).toHaveLength(3);
    expect(c.errors).toEqual([`${BASE}/a: HTTP 503 (after 3 attempts)`]);
  });

  it("does not retry a 404 and reports network errors", async () => {
    const { crawler: c, calls } = crawler((url) => {
      if (noRobots(url)) return noRobots(url) as Response;
      if (url.pathname === "/gone") return new Response("", { status: 404 });
      throw new TypeError("connection refused");
    });
    expect(await c.get("/gone")).toBeNull();
    expect(await c.get("/broken")).toBeNull();
    expect(calls.filter((call) => call.url === "/gone")).toHaveLength(1);
    expect(c.errors).toEqual([
      `${BASE}/gone: HTTP 404`,
      `${BASE}/broken: network error: connection refused (after 3 attempts)`,
    ]);
  });

  it("aborts a request that outlives timeoutMs", async () => {
    const { crawler: c } = crawler(
      (url, init) =>
        noRobots(url) ??
        new Promise<Response>((_, reject) => {
          init.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        }),
      { timeoutMs: 50, retries: 0 },
    );
    const started = Date.now();
    expect(await c.get("/slow")).toBeNull();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(c.errors).toEqual([`${BASE}/slow: timed out after 50 ms`]);
  });

  it("refuses other origins, and redirects that leave the site", async () => {
    const { crawler: c, calls } = crawler((url) => {
      if (noRobots(url)) return noRobots(url) as Response;
      const response = html();
      Object.defineProperty(response, "url", { value: "https://evil.example/landing" });
      return response;
    });
    expect(await c.get("https://evil.example/homes/x")).toBeNull();
    expect(calls).toHaveLength(0);
    expect(await c.get("/redirects")).toBeNull();
    expect(c.errors).toEqual([
      `https://evil.example/homes/x: not on ${BASE}, skipped`,
      `${BASE}/redirects: redirected off-site to https://evil.example`,
    ]);
  });

  it("stops at maxPages, robots.txt included", async () => {
    const { crawler: c, calls } = crawler((url) => noRobots(url) ?? html(), { maxPages: 3 });
    const pages = await c.map(["/1", "/2", "/3", "/4"], (path) => c.get(path));
    expect(pages.filter(Boolean)).toHaveLength(2);
    expect(calls).toHaveLength(3);
    expect(c.pagesFetched).toBe(3);
    expect(c.skippedByCap).toBe(2);
    expect(c.errors).toEqual(["page cap reached (maxPages 3)"]);
  });

  it("keeps at most `concurrency` requests in flight and results in input order", async () => {
    let inFlight = 0;
    let peak = 0;
    const { crawler: c } = crawler(
      async (url) => {
        if (noRobots(url)) return noRobots(url) as Response;
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return html(url.pathname);
      },
      { concurrency: 3 },
    );
    const paths = Array.from({ length: 12 }, (_, i) => `/p${i}`);
    const pages = await c.map(paths, (path) => c.get(path));
    expect(peak).toBe(3);
    expect(pages.map((p) => p?.body)).toEqual(paths);
  });

  it("refuses bodies over the size limit", async () => {
    const { crawler: c } = crawler((url) => noRobots(url) ?? html("x".repeat(2_000)), {
      maxBodyBytes: 1_000,
    });
    expect(await c.get("/big")).toBeNull();
    expect(c.errors[0]).toContain(`${BASE}/big: body`);
  });
});
