// Layered extraction for any builder's detail page: JSON-LD, then microdata, then visible labels, then the
// adapter's own selectors, each layer filling only what the earlier ones left unknown.
import { ContentMarks, VOID_TAGS } from "../sources/html";
import type { RawListing } from "../types";
import { LayeredListing, type LayerValues } from "./fields";
import { readJsonLd } from "./jsonld";
import { fieldForLabel, type LabelPair, readLabels, splitAriaLabel, visibleMarkup } from "./labels";
import { MicrodataReader } from "./microdata";

/** What an adapter adds for its own site; both layers count as "selector". */
export interface SiteSelectors {
  /**
   * Pass 1, on every page: cheap handlers for the site's own structured data (one attribute, say).
   * Returns a reader called after the pass.
   */
  structured?(rewriter: HTMLRewriter): () => LayerValues;
  /** Pass 2, only when fields are still unknown: the site's selectors; `marks` cut element contents. */
  selectors?(rewriter: HTMLRewriter, marks: ContentMarks): (contents: Contents) => LayerValues;
}

export type Contents = readonly { label: string; content: string }[];

const ARIA_PREFIX = "aria_";

// Handler calls cost more than parsing, so the common page (JSON-LD plus the site's data) is read in one
// pass with about five calls. Labelled pairs (dt/dd, th/td, "Label: value") are read from the markup
// without handlers; a second pass runs only for microdata or aria-label, which need handlers, or for the
// adapter's selectors when a field is still unknown. One scan finds all four hints (each includes() is a
// full scan, ~2 µs on a 5 KB page).
const HINTS = /itemprop|aria-label|<dl|<th/i;

/** Reads one detail page; null when no layer finds anything. Field provenance rides on the result. */
export async function extractListing(html: string, site: SiteSelectors = {}): Promise<RawListing | null> {
  // Without JSON-LD the first pass would read only the site's own data, and a page like that nearly always
  // needs the selectors too: one pass with every handler costs less than two passes.
  if (site.selectors && !html.includes("application/ld+json")) return extractInOnePass(html, site);
  const marks = new ContentMarks();
  const pass1 = new HTMLRewriter().on('script[type="application/ld+json"]', {
    element(el) {
      marks.markScript(el);
    },
  });
  const readStructured = site.structured?.(pass1);
  const output = await pass1.transform(new Response(html)).text();
  const ld = readJsonLd(marks.readScripts(output));
  const siteData = readStructured?.() ?? {};

  const listing = new LayeredListing();
  if (ld) listing.fill(ld.values, "json_ld");
  const hinted = HINTS.test(html);
  const needsHandlers = hinted && (html.includes("itemprop") || html.includes("aria-label"));
  if (!needsHandlers) {
    if (!hinted && listing.completedBy(siteData)) {
      listing.fill(siteData, "selector");
      return finish(listing, ld);
    }
    listing.fill(readLabels(visibleMarkup(html)), "label").fill(siteData, "selector");
    if (listing.missing().length === 0 || !site.selectors) return finish(listing, ld);
  }

  const marks2 = new ContentMarks();
  const pass2 = new HTMLRewriter();
  const handlers = needsHandlers ? attachHandlers(pass2, marks2, html) : null;
  const readSelectors = site.selectors?.(pass2, marks2);
  const contents = marks2.read(await pass2.transform(new Response(html)).text());
  const md = handlers?.read(contents);
  if (handlers) {
    if (md) listing.fill(md.values, "microdata");
    listing.fill(readLabels(visibleMarkup(html), handlers.aria), "label").fill(siteData, "selector");
  }
  if (readSelectors) listing.fill(readSelectors(contents), "selector");
  return finish(listing, ld, md);
}

/** A page without JSON-LD: the site's data, microdata, aria-labels and selectors in a single pass. */
async function extractInOnePass(html: string, site: SiteSelectors): Promise<RawListing | null> {
  const marks = new ContentMarks();
  const rewriter = new HTMLRewriter();
  const readStructured = site.structured?.(rewriter);
  const handlers = HINTS.test(html) ? attachHandlers(rewriter, marks, html) : null;
  const readSelectors = site.selectors?.(rewriter, marks);
  const contents = marks.read(await rewriter.transform(new Response(html)).text());
  const md = handlers?.read(contents);
  const listing = new LayeredListing();
  if (md) listing.fill(md.values, "microdata");
  listing
    .fill(readLabels(visibleMarkup(html), handlers?.aria), "label")
    .fill(readStructured?.() ?? {}, "selector");
  if (readSelectors) listing.fill(readSelectors(contents), "selector");
  return finish(listing, null, md);
}

function finish(
  listing: LayeredListing,
  ld: { ambiguousStatus?: string } | null,
  md?: { ambiguousStatus?: string },
): RawListing | null {
  if (ld?.ambiguousStatus) listing.fallback(ld.ambiguousStatus, "json_ld");
  if (md?.ambiguousStatus) listing.fallback(md.ambiguousStatus, "microdata");
  return listing.toRaw();
}

/**
 * Microdata and aria-label handlers, attached only when the page mentions them. `read` takes the marked
 * contents after the pass and returns the microdata layer; `aria` then holds the aria-label pairs.
 */
function attachHandlers(rewriter: HTMLRewriter, marks: ContentMarks, html: string) {
  const microdata = html.includes("itemprop") ? new MicrodataReader(marks) : null;
  if (microdata) rewriter.on("[itemprop]", microdata);
  const aria: LabelPair[] = [];
  const ariaLabels: string[] = [];
  if (html.includes("aria-label")) {
    rewriter.on("[aria-label]", {
      element(el) {
        const label = el.getAttribute("aria-label") ?? "";
        const pair = splitAriaLabel(label);
        if (pair) aria.push(pair);
        else if (fieldForLabel(label) && !VOID_TAGS.has(el.tagName)) {
          // Marker labels are word characters only: the label itself is kept aside.
          marks.wrap(el, `${ARIA_PREFIX}${ariaLabels.length}`);
          ariaLabels.push(label);
        }
      },
    });
  }
  return {
    aria,
    read(contents: Contents) {
      for (const { label, content } of contents) {
        if (!label.startsWith(ARIA_PREFIX)) continue;
        const ariaLabel = ariaLabels[Number(label.slice(ARIA_PREFIX.length))];
        if (ariaLabel !== undefined) aria.push([ariaLabel, content]);
      }
      return microdata?.read(contents);
    },
  };
}
