import type { ListingFieldSources } from "db";
import { CRAWLER_DEFAULTS, Crawler } from "./crawler";
import { FIELD_SOURCES_KEY } from "./extract/fields";
import { normalizeListing } from "./normalize";
import { getAdapter } from "./sources";
import type { NormalizedListing } from "./types";

export interface ScrapeOptions {
  baseUrl: string;
  /** Registry name, e.g. "holidaybuilders" (see sources/index.ts). */
  adapter: string;
  userAgent: string;
  /** Every request counts, robots.txt and index pages included (default 600). */
  maxPages?: number;
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  retryBaseMs?: number;
  maxRetryDelayMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Called for every page requested and every listing read, with the running totals; the caller throttles. */
  onProgress?: (pagesFetched: number, listingsFound: number) => void;
}

/** A listing as scraped, with where each of its fields came from. */
export type ScrapedListing = NormalizedListing & { fieldSources: ListingFieldSources };

export interface ScrapeResult {
  listings: ScrapedListing[];
  /** Distinct URLs requested (retries not counted). */
  pagesFetched: number;
  /** One line per problem, naming the URL; a run with errors still returns what it found. */
  errors: string[];
  /** Detail pages discovered. */
  discovered: number;
  /** Detail URLs whose own page says the home is gone: 404/410, or a redirect to a page that is no listing. */
  gone: string[];
  /** Detail URLs we could not read (5xx, timeout, no listing on the page, robots.txt, page cap): state unknown. */
  unread: string[];
  /** Every discovery source (sitemaps, home and index pages) loaded: a home found nowhere is gone. */
  discoveryComplete: boolean;
  /** Discovery complete and every detail page read. */
  complete: boolean;
}

/** Crawls one builder site with its adapter and returns normalized listings; never throws for bad pages. */
export async function scrapeSource(options: ScrapeOptions): Promise<ScrapeResult> {
  const adapter = getAdapter(options.adapter);
  if (!adapter) throw new Error(`no listing source adapter named "${options.adapter}"`);
  const seen = new Map<string, ScrapedListing>();
  const crawler: Crawler = new Crawler({
    ...options,
    maxPages: options.maxPages ?? CRAWLER_DEFAULTS.maxPages,
    onPage: () => options.onProgress?.(crawler.pagesFetched, seen.size),
  });
  const discovery = await adapter.discover(crawler);
  // Pages robots.txt forbids are not ours to read: they are neither fetched nor counted as failures.
  const allowed = await Promise.all(discovery.urls.map((url) => crawler.allows(url)));
  const urls = discovery.urls.filter((_, i) => allowed[i]);
  // Homes robots.txt hides cannot be confirmed either way: they count as unread, not as failures.
  const unread = discovery.urls.filter((_, i) => !allowed[i]);
  const forbidden = unread.length;
  const gone: string[] = [];

  await crawler.map(urls, async (url) => {
    const result = await crawler.fetchPage(url);
    if (result.kind === "missing") {
      gone.push(url);
      return;
    }
    if (result.kind !== "page") {
      unread.push(url);
      return;
    }
    const page = result.page;
    const movedAway = page.redirected && !adapter.isListingUrl(new URL(page.finalUrl));
    try {
      const raw = movedAway ? null : await adapter.extract(page.body, page.finalUrl);
      if (!raw) {
        if (page.redirected) {
          gone.push(url);
          return;
        }
        unread.push(url);
        crawler.errors.push(`${page.url}: no listing data found on the page`);
        return;
      }
      const normalized = normalizeListing(raw, page.redirected ? page.finalUrl : page.url);
      if (!normalized.ok) {
        unread.push(url);
        crawler.errors.push(`${page.url}: ${normalized.error}`);
        return;
      }
      const fieldSources = (raw[FIELD_SOURCES_KEY] ?? {}) as ListingFieldSources;
      // Two URLs for one home (old slug and new) keep the first.
      if (!seen.has(normalized.listing.sourceKey)) {
        seen.set(normalized.listing.sourceKey, { ...normalized.listing, fieldSources });
      }
      options.onProgress?.(crawler.pagesFetched, seen.size);
    } catch (error) {
      unread.push(url);
      crawler.errors.push(
        `${page.url}: extraction failed: ${error instanceof Error ? error.message : error}`,
      );
    }
  });

  if (crawler.skippedByCap > 0) crawler.errors.push(`${crawler.skippedByCap} URLs not fetched (page cap)`);
  const discoveryComplete = discovery.complete;
  return {
    listings: [...seen.values()],
    pagesFetched: crawler.pagesFetched,
    errors: crawler.errors,
    discovered: urls.length,
    gone,
    unread,
    discoveryComplete,
    complete: discoveryComplete && unread.length === forbidden && urls.length > 0,
  };
}
