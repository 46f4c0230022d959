import { beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { type BuilderSiteControl, builderSiteControl } from "../../tools/builder-site/client.mjs";
import { type ScrapeOptions, scrapeSource } from "../src/agents/listing/scrape";

const UA = "RealtorMarketingBot/1.0 (+https://example.com/bot)";
const COUNT = 36;

// This file's own site instance: other test files may change the shared one's state concurrently.
let site: BuilderSiteControl;
beforeAll(async () => {
  site = await builderSiteControl(inject("builderSiteUrl")).newInstance(COUNT);
});
beforeEach(async () => {
  await site.reset(COUNT);
});

const scrape = (options: Partial<ScrapeOptions> = {}) =>
  scrapeSource({ baseUrl: site.url, adapter: "holidaybuilders", userAgent: UA, retryBaseMs: 1, ...options });

const detailRequests = (requests: Record<string, number>) =>
  Object.entries(requests).filter(([path]) => path.startsWith("/homes/"));

describe("scrapeSource against the fake builder site", () => {
  it("finds every home once across sitemap, paginated index and community pages", async () => {
    const homes = await site.homes();
    const result = await scrape();
    expect(result.errors).toEqual([]);
    expect(result.complete).toBe(true);
    expect(result.discovered).toBe(COUNT);
    expect(result.listings).toHaveLength(COUNT);
    expect(new Set(result.listings.map((l) => l.sourceKey))).toEqual(new Set(homes.map((h) => h.id)));
    expect(new Set(result.listings.map((l) => l.sourceUrl))).toEqual(
      new Set(homes.map((h) => `${site.url}${h.path}`)),
    );

    const state = await site.state();
    // 36 homes are 3 index pages: page 3 is reached only through rel="next".
    expect(state.requests["/quick-move-in?page=3"]).toBe(1);
    expect(state.requests["/quick-move-in?page=4"]).toBeUndefined();
    expect(state.requests["/robots.txt"]).toBe(1);
    const details = detailRequests(state.requests);
    expect(details).toHaveLength(COUNT);
    expect(details.every(([, n]) => n === 1)).toBe(true);
    expect(state.userAgents).toEqual([UA]);
    expect(result.pagesFetched).toBe(state.totalRequests);
  });

  it("never requests pages robots.txt disallows (the coming-soon teasers linked from communities)", async () => {
    await scrape();
    const state = await site.state();
    expect(state.requests["/communities/lakeshore-preserve"]).toBe(1);
    expect(Object.keys(state.requests).filter((path) => path.includes("coming-soon"))).toEqual([]);
    expect(Object.keys(state.requests).filter((path) => path.startsWith("/admin"))).toEqual([]);
  });

  it("honours a Disallow for one home in the * group", async () => {
    const [blocked] = await site.homes();
    if (!blocked) throw new Error("empty seed");
    await site.setRobots(`User-agent: *\nDisallow: ${blocked.path}\n`);
    const result = await scrape();
    expect(result.listings.map((l) => l.sourceKey)).not.toContain(blocked.id);
    expect(result.listings).toHaveLength(COUNT - 1);
    expect((await site.state()).requests[blocked.path]).toBeUndefined();
  });

  it("obeys the group for our own User-Agent over *", async () => {
    await site.setRobots("User-agent: *\nDisallow:\n\nUser-agent: RealtorMarketingBot\nDisallow: /homes/\n");
    const result = await scrape();
    expect(result.listings).toEqual([]);
    expect(result.complete).toBe(false);
    expect(detailRequests((await site.state()).requests)).toEqual([]);
  });

  it("retries pages that answer 503 once and then succeeds", async () => {
    await site.setMode("flaky");
    const result = await scrape();
    expect(result.errors).toEqual([]);
    expect(result.listings).toHaveLength(COUNT);
    const details = detailRequests((await site.state()).requests);
    expect(details).toHaveLength(COUNT);
    expect(details.every(([, n]) => n === 2)).toBe(true);
  });

  it("collects an error per failing detail page and returns no listings when they all answer 500", async () => {
    await site.setMode("error5xx");
    const result = await scrape({ retries: 1 });
    expect(result.listings).toEqual([]);
    expect(result.discovered).toBe(COUNT);
    expect(result.complete).toBe(false);
    expect(result.errors).toHaveLength(COUNT);
    expect(
      result.errors.every((e) =>
        /^http:\/\/127\.0\.0\.1:\d+\/homes\/\S+: HTTP 500 \(after 2 attempts\)$/.test(e),
      ),
    ).toBe(true);
  });

  it("finds no listings after a redesign, and says so per page", async () => {
    await site.setMode("redesign");
    const result = await scrape();
    expect(result.listings).toEqual([]);
    expect(result.discovered).toBe(COUNT);
    expect(result.complete).toBe(false);
    expect(result.errors).toHaveLength(COUNT);
    expect(result.errors[0]).toMatch(/\/homes\/\S+: no listing data found on the page$/);
  });

  it("respects maxPages, counting robots.txt and index pages", async () => {
    const result = await scrape({ maxPages: 10 });
    const state = await site.state();
    expect(result.pagesFetched).toBe(10);
    expect(state.totalRequests).toBe(10);
    expect(result.complete).toBe(false);
    expect(result.errors).toContain("page cap reached (maxPages 10)");
  });

  it("records a timeout per page when the site is too slow", async () => {
    await site.reset(2);
    await site.setMode("normal", 400);
    const result = await scrape({ timeoutMs: 100, retries: 0 });
    expect(result.listings).toEqual([]);
    expect(result.errors[0]).toMatch(/robots\.txt: timed out after 100 ms$/);
  });

  it("follows edits and removals on the site", async () => {
    const [first, second] = await site.homes();
    if (!first || !second) throw new Error("empty seed");
    await site.patchHome(first.slug, { price: 379_990, status: "Under Contract" });
    await site.deleteHome(second.slug);
    const added = await site.addHome({ price: 415_990 });
    const result = await scrape();
    const byKey = new Map(result.listings.map((l) => [l.sourceKey, l]));
    expect(byKey.get(first.id)).toMatchObject({ priceCents: 37_999_000, status: "under_contract" });
    expect(byKey.has(second.id)).toBe(false);
    expect(byKey.get(added.id)?.priceCents).toBe(41_599_000);
    expect(result.listings).toHaveLength(COUNT);
    expect(result.complete).toBe(true);
  });

  it("rejects an unknown adapter name", async () => {
    await expect(scrape({ adapter: "nobody" })).rejects.toThrow('no listing source adapter named "nobody"');
  });
});

describe("scrapeSource on markup and a layout it has never seen (spec-list theme)", () => {
  let other: BuilderSiteControl;
  beforeAll(async () => {
    other = await builderSiteControl(inject("builderSiteUrl")).newInstance(COUNT, "spec-list");
  });
  beforeEach(async () => {
    await other.reset(COUNT);
  });
  const scrapeOther = (options: Partial<ScrapeOptions> = {}) =>
    scrapeSource({
      baseUrl: other.url,
      adapter: "holidaybuilders",
      userAgent: UA,
      retryBaseMs: 1,
      ...options,
    });

  it("learns the site from robots.txt's sitemap index; guessed paths answering 404 are no errors", async () => {
    const homes = await other.homes();
    const result = await scrapeOther();
    const state = await other.state();
    expect(state.requests["/quick-move-in"]).toBe(1);
    expect(state.requests["/sitemap.xml"]).toBe(1);
    expect(state.requests["/sitemaps/index.xml"]).toBe(1);
    expect(state.requests["/sitemaps/homes.xml"]).toBe(1);
    // 36 homes are 4 index pages of 10.
    expect(state.requests["/available-homes?page=4"]).toBe(1);
    expect(result.errors).toEqual([]);
    expect(result.discoveryComplete).toBe(true);
    expect(result.complete).toBe(true);
    expect(new Set(result.listings.map((l) => l.sourceUrl))).toEqual(
      new Set(homes.map((h) => `${other.url}${h.path}`)),
    );
    expect(detailRequests(state.requests)).toEqual([]);
  });

  it("finds every home from the home page and index pages when the sitemap is gone", async () => {
    await other.setRobots("User-agent: *\nDisallow: /account/\n");
    const result = await scrapeOther();
    expect(result.listings).toHaveLength(COUNT);
    expect(result.discoveryComplete).toBe(true);
  });

  it("sorts pages by evidence: 404/410/redirect are gone, 5xx is unread, a failed index page makes discovery incomplete", async () => {
    const [a, b, c, d, e] = await other.homes();
    if (!a || !b || !c || !d || !e) throw new Error("seed too small");
    await other.deleteHome(a.slug, { answer: 404, keepInSitemap: true });
    await other.deleteHome(b.slug, { answer: 410, keepInSitemap: true });
    await other.deleteHome(c.slug, { answer: "redirect", keepInSitemap: true });
    await other.setFailures({ [d.path]: 500, [`/neighborhoods/${e.community}`]: 503 });
    const result = await scrapeOther({ retries: 0 });
    const url = (home: { path: string }) => `${other.url}${home.path}`;
    expect(new Set(result.gone)).toEqual(new Set([url(a), url(b), url(c)]));
    expect(result.unread).toEqual([url(d)]);
    expect(result.discoveryComplete).toBe(false);
    expect(result.listings).toHaveLength(COUNT - 4);
    // Only the failures are errors; the gone pages are answers.
    expect(result.errors).toHaveLength(2);
  });
});
