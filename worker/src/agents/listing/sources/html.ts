// Streaming helpers shared by adapters: links, sitemaps and JSON-LD, read with HTMLRewriter (no DOM).
import { decodeEntities } from "../normalize";

/** Elements without content, which cannot be wrapped with ContentMarks. */
export const VOID_TAGS: ReadonlySet<string> = new Set([
  "img",
  "br",
  "hr",
  "input",
  "meta",
  "link",
  "source",
  "area",
  "col",
  "embed",
  "wbr",
]);

/** Streams `html` through the rewriter's handlers; the rewritten output itself is not needed. */
export async function drain(rewriter: HTMLRewriter, html: string): Promise<void> {
  await rewriter.transform(new Response(html)).arrayBuffer();
}

// Markers carry a random nonce so a page cannot forge them. One per isolate, made on first use (Workers refuse
// random values in global scope): a page never sees the output, and this saves a UUID and a RegExp per page.
let isolateMarkers: { nonce: string; script: string; pattern: RegExp } | undefined;
function markers() {
  if (!isolateMarkers) {
    const nonce = crypto.randomUUID().slice(0, 8);
    isolateMarkers = {
      nonce,
      script: `\u0001${nonce}:script\u0002`,
      pattern: new RegExp(`\u0001${nonce}:\\w+\u0002|\u0003${nonce}\u0004`, "g"),
    };
  }
  return isolateMarkers;
}

/**
 * Cuts element content out of a rewriter's output. Every call between the parser and JS costs; a text handler
 * makes two per text node, while a marker costs one or two calls per element, after which the content is
 * sliced from the output. The content is raw markup: normalize it before use.
 */
export class ContentMarks {
  private readonly nonce: string;
  private readonly script: string;
  private readonly pattern: RegExp;

  constructor() {
    ({ nonce: this.nonce, script: this.script, pattern: this.pattern } = markers());
  }

  /** Marks both ends of an element's content (two calls). */
  wrap(el: Element, label: string): void {
    el.prepend(`\u0001${this.nonce}:${label}\u0002`);
    el.append(`\u0003${this.nonce}\u0004`);
  }

  /** Marks the start of a script's content (one call): raw text ends at the first `</script`. */
  markScript(el: Element): void {
    el.prepend(this.script);
  }

  /** Wrapped contents in the order their elements close; markers of nested wraps are removed. */
  read(output: string): { label: string; content: string }[] {
    const pattern = this.pattern;
    const found: { label: string; content: string }[] = [];
    const open: { label: string; start: number }[] = [];
    for (const match of output.matchAll(pattern)) {
      const at = match.index ?? 0;
      if (match[0].startsWith("\u0001")) {
        open.push({ label: match[0].slice(this.nonce.length + 2, -1), start: at + match[0].length });
        continue;
      }
      const entry = open.pop();
      if (entry)
        found.push({ label: entry.label, content: output.slice(entry.start, at).replace(pattern, "") });
    }
    return found;
  }

  /** Contents of the scripts marked with markScript, in document order. */
  readScripts(output: string): string[] {
    const scripts: string[] = [];
    for (let at = output.indexOf(this.script); at >= 0; at = output.indexOf(this.script, at)) {
      const start = at + this.script.length;
      const end = scriptEnd(output, start);
      scripts.push(output.slice(start, end < 0 ? undefined : end));
      at = end < 0 ? output.length : end;
    }
    return scripts;
  }
}

function scriptEnd(output: string, from: number): number {
  const end = output.indexOf("</script", from);
  if (end >= 0) return end;
  const other = /<\/script/i.exec(output.slice(from));
  return other ? from + other.index : -1;
}

export interface PageLinks {
  links: string[];
  /** The rel="next" pagination link, if any. */
  next: string | null;
}

/** Every a[href] on a page, plus its rel="next" link (from <link> or <a>), resolved against the page. */
export async function readLinks(html: string, pageUrl: string): Promise<PageLinks> {
  const links: string[] = [];
  let next: string | null = null;
  const resolve = (href: string) => {
    try {
      return new URL(decodeEntities(href.trim()), pageUrl).href;
    } catch {
      return null;
    }
  };
  await drain(
    new HTMLRewriter().on("a[href], link[rel][href]", {
      element(el) {
        const url = resolve(el.getAttribute("href") ?? "");
        if (!url) return;
        const rel = (el.getAttribute("rel") ?? "").toLowerCase().split(/\s+/);
        if (rel.includes("next")) next ??= url;
        if (el.tagName === "a") links.push(url);
      },
    }),
    html,
  );
  return { links, next };
}

export interface SitemapEntries {
  /** Page URLs from a <urlset>. */
  pages: string[];
  /** Child sitemaps from a <sitemapindex>. */
  sitemaps: string[];
}

/** Sitemaps are small, regular XML: a pattern over <loc> is enough. */
export function readSitemap(xml: string): SitemapEntries {
  const isIndex = /<sitemapindex[\s>]/i.test(xml);
  const locs = [...xml.matchAll(/<loc>\s*(?:<!\[CDATA\[)?\s*([^<\]]+?)\s*(?:\]\]>)?\s*<\/loc>/gi)].map((m) =>
    decodeEntities(m[1] ?? ""),
  );
  return isIndex ? { pages: [], sitemaps: locs } : { pages: locs, sitemaps: [] };
}

export type JsonLdNode = Record<string, unknown>;

/** Parses JSON-LD blocks into a flat list of nodes (arrays and @graph unwrapped); bad JSON is skipped. */
export function jsonLdNodes(blocks: readonly string[]): JsonLdNode[] {
  const nodes: JsonLdNode[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (value && typeof value === "object") {
      const node = value as JsonLdNode;
      if (Array.isArray(node["@graph"])) visit(node["@graph"]);
      else nodes.push(node);
    }
  };
  for (const block of blocks) {
    try {
      visit(JSON.parse(block));
    } catch {
      // Broken JSON-LD is common; the selectors still run.
    }
  }
  return nodes;
}

export function jsonLdTypes(node: JsonLdNode): string[] {
  const type = node["@type"];
  return (Array.isArray(type) ? type : [type]).filter((t): t is string => typeof t === "string");
}
