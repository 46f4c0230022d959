// Finds a builder's detail pages the way the site itself offers them: the sitemaps robots.txt names (and
// /sitemap.xml), the home page's links, and the index and community pages those lead to.
import type { Crawler, PageResult } from "./crawler";
import { readLinks, readSitemap } from "./sources/html";

/** How an adapter tells its site's pages apart. */
export interface SiteShape {
  /** A home's detail page. */
  isListing(url: URL): boolean;
  /** A page that lists homes (an index or a community page): its links are followed. */
  isIndex(url: URL): boolean;
  /** Index paths tried even when nothing links to them; a 404 there is an answer, not an error. */
  guessedIndexes?: readonly string[];
}

export interface Discovery {
  /** Detail-page URLs (origin + path, no trailing slash), deduplicated. */
  urls: string[];
  /**
   * True when every discovery source that exists loaded (a 404 is an answer; a 5xx, a timeout or the page
   * cap is not): then a home found nowhere is gone from the site.
   */
  complete: boolean;
}

const MAX_SITEMAPS = 20;
const MAX_INDEX_PAGES = 100;

const detailKey = (url: URL) => `${url.origin}${url.pathname.replace(/\/+$/, "") || "/"}`;

export async function discoverListings(crawler: Crawler, shape: SiteShape): Promise<Discovery> {
  const homes = new Set<string>();
  const queued = new Set<string>();
  const pending: string[] = [];
  let complete = true;
  /** Whether the result means the source did not load (404/410 and robots.txt refusals are answers). */
  const loaded = (result: PageResult) => {
    if (result.kind === "failed" || (result.kind === "skipped" && result.reason === "cap")) complete = false;
    return result.kind === "page" ? result.page : null;
  };
  const consider = (link: string, base?: string, followAnyway = false) => {
    const url = crawler.resolve(link, base);
    if (!url) return;
    if (shape.isListing(url)) homes.add(detailKey(url));
    else if ((followAnyway || shape.isIndex(url)) && !queued.has(url.href)) {
      queued.add(url.href);
      pending.push(url.href);
    }
  };

  // Sitemaps: those robots.txt names and the conventional one; an index's children one level down.
  const conventional = new URL("/sitemap.xml", crawler.origin).href;
  const named = await crawler.sitemaps();
  const sitemaps = [...new Set([...named, conventional])].slice(0, MAX_SITEMAPS);
  const seenSitemaps = new Set(sitemaps);
  for (let level = 0; level < 2 && sitemaps.length > 0; level++) {
    await crawler.map(sitemaps.splice(0), async (url) => {
      const page = loaded(await crawler.fetchPage(url));
      if (!page) return;
      const entries = readSitemap(page.body);
      for (const entry of entries.pages) consider(entry);
      for (const child of entries.sitemaps) {
        const resolved = crawler.resolve(child)?.href;
        if (!resolved || seenSitemaps.has(resolved) || seenSitemaps.size >= MAX_SITEMAPS) continue;
        seenSitemaps.add(resolved);
        sitemaps.push(resolved);
      }
    });
  }

  const home = loaded(await crawler.fetchPage("/"));
  if (home) for (const link of (await readLinks(home.body, home.finalUrl)).links) consider(link);
  // Guessed index paths: a 404 is the site's answer that there is no such page.
  for (const path of shape.guessedIndexes ?? []) consider(path, undefined, true);

  // Index and community pages, breadth first, following their links and rel="next" pagination.
  let fetched = 0;
  while (pending.length > 0) {
    const batch = pending.splice(0, Math.max(0, MAX_INDEX_PAGES - fetched));
    if (batch.length === 0) {
      complete = false;
      break;
    }
    fetched += batch.length;
    await crawler.map(batch, async (url) => {
      const page = loaded(await crawler.fetchPage(url));
      if (!page) return;
      const found = await readLinks(page.body, page.finalUrl);
      for (const link of found.links) consider(link);
      if (found.next) consider(found.next, undefined, true);
    });
  }
  return { urls: [...homes], complete };
}

const LISTING_WORDS =
  "quick-move-in(?:-homes)?|available-homes|move-in-ready(?:-homes)?|inventory(?:-homes)?|listings?";
const HOME_PATH = /^\/homes?\/[^/]+\/?$/;
const LISTING_PATH = new RegExp(`^/(?:${LISTING_WORDS})/(?:(?!page/)[^/]+/)?(?!page$)[^/]+/?$`);
const INDEX_PATH = new RegExp(`^/(?:${LISTING_WORDS}|new-homes|homes|find-a-home)(?:/page/\\d+)?/?$`);
const COMMUNITY_PATH = /^\/(?:communities|community|neighborhoods|neighbourhoods)\/[^/]+\/?$/;

/**
 * URL shapes common to builder sites: /homes/<slug>, /<listing word>/[<community>/]<slug> for homes;
 * /quick-move-in (and its /page/N), /communities/<slug>, /neighborhoods/<slug> for index pages.
 */
export const COMMON_SITE_SHAPE: SiteShape = {
  isListing: (url) => HOME_PATH.test(url.pathname) || LISTING_PATH.test(url.pathname),
  isIndex: (url) => INDEX_PATH.test(url.pathname) || COMMUNITY_PATH.test(url.pathname),
};
