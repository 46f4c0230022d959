// Layered extraction for any builder's detail page: JSON-LD, then microdata, then visible labels, then the
// adapter's own selectors, each layer filling only what the earlier ones left unknown.
//
// Still HTMLRewriter for every layer that reads element structure (microdata, aria-label, the adapter's
// selectors). What needs no structure is read from the string: JSON-LD script bodies and the adapter's data
// layer (attributes of one element) by scanPage, labelled pairs by readLabels. So the common page, whose
// facts are all in JSON-LD and the data layer, costs no rewriter pass at all.
import { ContentMarks, VOID_TAGS } from "../sources/html";
import type { RawListing } from "../types";
import { LayeredListing, type LayerValues } from "./fields";
import { type JsonLdRead, readJsonLd } from "./jsonld";
import { fieldForLabel, type LabelPair, readLabels, splitAriaLabel, visibleMarkup } from "./labels";
import { MicrodataReader } from "./microdata";
import { type Attributes, scanPage, type TagAttributes } from "./scan";

/** What an adapter adds for its own site; both layers count as "selector". */
export interface SiteSelectors {
  /**
   * On every page: the site's own structured data, in the attributes of elements with these tag names
   * (lower case). `read` gets their attributes in document order, raw (entities not decoded).
   */
  structured?: { tags: readonly string[]; read(elements: TagAttributes): LayerValues };
  /** A rewriter pass, only when fields are still unknown: the site's selectors; `marks` cut contents. */
  selectors?(rewriter: HTMLRewriter, marks: ContentMarks): (contents: Contents) => LayerValues;
}

export type Contents = readonly { label: string; content: string }[];

const ARIA_PREFIX = "aria_";
const NO_TAGS: readonly string[] = [];

// Handler calls cost more than parsing, so labelled pairs (dt/dd, th/td, "Label: value") are read from the
// markup without handlers; a rewriter pass runs only for microdata or aria-label, which need handlers, or for
// the adapter's selectors when a field is still unknown. One scan finds all four hints (each includes() is a
// full scan, ~2 µs on a 5 KB page).
const HINTS = /itemprop|aria-label|<dl|<th/i;

/** Reads one detail page; null when no layer finds anything. Field provenance rides on the result. */
export async function extractListing(html: string, site: SiteSelectors = {}): Promise<RawListing | null> {
  const scan = scanPage(html, site.structured?.tags ?? NO_TAGS);
  // Markup the scan does not follow (inline SVG with titles, <math>, escaped scripts): HTMLRewriter reads it.
  if (!scan) return extractWithRewriter(html, site);
  const siteData = site.structured?.read(scan.elements) ?? {};
  // A page without JSON-LD, on a site with selectors, is read in full: its labels before the site's data.
  const settled = scan.jsonLd.length > 0 || !site.selectors;
  return readLayers(html, site, readJsonLd(scan.jsonLd), siteData, settled);
}

/**
 * The layers after JSON-LD and the site's data, which are read already. `settled`: JSON-LD and the site's
 * data may end the reading when they leave nothing unknown and the page shows no labelled lists.
 */
async function readLayers(
  html: string,
  site: SiteSelectors,
  ld: JsonLdRead | null,
  siteData: LayerValues,
  settled: boolean,
): Promise<RawListing | null> {
  const listing = new LayeredListing();
  if (ld) listing.fill(ld.values, "json_ld");
  const hinted = HINTS.test(html);
  const needsHandlers = hinted && (html.includes("itemprop") || html.includes("aria-label"));
  if (!needsHandlers) {
    // No labelled lists, no microdata: when JSON-LD and the site's data leave nothing unknown, that is all.
    if (settled && !hinted && listing.completedBy(siteData)) {
      listing.fill(siteData, "selector");
      return finish(listing, ld);
    }
    listing.fill(readLabels(visibleMarkup(html)), "label").fill(siteData, "selector");
    if (listing.missing().length === 0 || !site.selectors) return finish(listing, ld);
  }

  const marks = new ContentMarks();
  const rewriter = new HTMLRewriter();
  const handlers = needsHandlers ? attachHandlers(rewriter, marks, html) : null;
  const readSelectors = site.selectors?.(rewriter, marks);
  const contents = marks.read(await rewriter.transform(new Response(html)).text());
  const md = handlers?.read(contents);
  if (handlers) {
    if (md) listing.fill(md.values, "microdata");
    listing.fill(readLabels(visibleMarkup(html), handlers.aria), "label").fill(siteData, "selector");
  }
  if (readSelectors) listing.fill(readSelectors(contents), "selector");
  return finish(listing, ld, md);
}

/** The page as HTMLRewriter sees it, when scanPage could not be sure of it. */
async function extractWithRewriter(html: string, site: SiteSelectors): Promise<RawListing | null> {
  // Without JSON-LD the first pass would read only the site's own data, and a page like that nearly always
  // needs the selectors too: one pass with every handler costs less than two passes.
  if (site.selectors && !/application\/ld\+json/i.test(html)) return extractInOnePass(html, site);
  const marks = new ContentMarks();
  const pass1 = new HTMLRewriter().on('script[type="application/ld+json"]', {
    element(el) {
      marks.markScript(el);
    },
  });
  const readStructured = site.structured && collectAttributes(pass1, site.structured.tags);
  const output = await pass1.transform(new Response(html)).text();
  const ld = readJsonLd(marks.readScripts(output));
  const siteData = readStructured ? (site.structured?.read(readStructured) ?? {}) : {};
  return readLayers(html, site, ld, siteData, true);
}

/** Handlers gathering what scanPage would have: each element's attributes, the first of a name counting. */
function collectAttributes(rewriter: HTMLRewriter, tags: readonly string[]): TagAttributes {
  const found = new Map<string, Attributes[]>();
  for (const tag of tags) {
    const list: Attributes[] = [];
    found.set(tag, list);
    rewriter.on(tag, {
      element(el) {
        const attributes = new Map<string, string>();
        for (const [name = "", value = ""] of el.attributes) {
          if (!attributes.has(name)) attributes.set(name, value);
        }
        list.push(attributes);
      },
    });
  }
  return found;
}

/** A page without JSON-LD: the site's data, microdata, aria-labels and selectors in a single pass. */
async function extractInOnePass(html: string, site: SiteSelectors): Promise<RawListing | null> {
  const marks = new ContentMarks();
  const rewriter = new HTMLRewriter();
  const structured = site.structured && collectAttributes(rewriter, site.structured.tags);
  const handlers = HINTS.test(html) ? attachHandlers(rewriter, marks, html) : null;
  const readSelectors = site.selectors?.(rewriter, marks);
  const contents = marks.read(await rewriter.transform(new Response(html)).text());
  const md = handlers?.read(contents);
  const listing = new LayeredListing();
  if (md) listing.fill(md.values, "microdata");
  listing
    .fill(readLabels(visibleMarkup(html), handlers?.aria), "label")
    .fill(structured ? (site.structured?.read(structured) ?? {}) : {}, "selector");
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
