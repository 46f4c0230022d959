import { CRAWLER_DEFAULTS, Crawler } from "./crawler";
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
  /** Called after every page with the running totals; the caller throttles. */
  onProgress?: (pagesFetched: number, listingsFound: number) => void;
}

export interface ScrapeResult {
  listings: NormalizedListing[];
  /** Distinct URLs requested (retries not counted). */
  pagesFetched: number;
  /** One line per problem, naming the URL; a run with errors still returns what it found. */
  errors: string[];
  /** Detail pages discovered. */
  discovered: number;
  /**
   * True only when discovery and every detail page succeeded: then a home missing from `listings` is gone
   * from the site. When false, treat missing homes as unknown, not removed.
   */
  complete: boolean;
}

/** Crawls one builder site with its adapter and returns normalized listings; never throws for bad pages. */
export async function scrapeSource(options: ScrapeOptions): Promise<ScrapeResult> {
  const adapter = getAdapter(options.adapter);
  if (!adapter) throw new Error(`no listing source adapter named "${options.adapter}"`);
  const crawler = new Crawler({ ...options, maxPages: options.maxPages ?? CRAWLER_DEFAULTS.maxPages });
  const found = await adapter.discover(crawler);
  // Pages robots.txt forbids are not ours to read: they are neither fetched nor counted as failures.
  const allowed = await Promise.all(found.map((url) => crawler.allows(url)));
  const urls = found.filter((_, i) => allowed[i]);
  const discoveryClean = crawler.errors.length === 0;
  const seen = new Map<string, NormalizedListing>();
  let failedPages = 0;

  await crawler.map(urls, async (url) => {
    const page = await crawler.get(url);
    if (!page) {
      failedPages++;
      return;
    }
    try {
      const raw = await adapter.extract(page.body, page.url);
      if (!raw) {
        failedPages++;
        crawler.errors.push(`${page.url}: no listing data found on the page`);
        return;
      }
      const result = normalizeListing(raw, page.url);
      if (!result.ok) {
        failedPages++;
        crawler.errors.push(`${page.url}: ${result.error}`);
        return;
      }
      // Two URLs for one home (old slug and new) keep the first.
      if (!seen.has(result.listing.sourceKey)) seen.set(result.listing.sourceKey, result.listing);
      options.onProgress?.(crawler.pagesFetched, seen.size);
    } catch (error) {
      failedPages++;
      crawler.errors.push(
        `${page.url}: extraction failed: ${error instanceof Error ? error.message : error}`,
      );
    }
  });

  if (crawler.skippedByCap > 0) crawler.errors.push(`${crawler.skippedByCap} URLs not fetched (page cap)`);
  return {
    listings: [...seen.values()],
    pagesFetched: crawler.pagesFetched,
    errors: crawler.errors,
    discovered: urls.length,
    complete: discoveryClean && failedPages === 0 && urls.length > 0,
  };
}
