// A string scan of a page's tags for what the common page needs: the JSON-LD script bodies and the attributes
// of a few named elements (an adapter's data layer). With it, a page whose facts are all in JSON-LD and the
// site's data layer needs no HTMLRewriter pass: a pass costs about 0.04 ms before any handler, and each
// handler call into JS more, while this scan costs a few µs.
//
// It follows the HTML tokenizer (comments, raw text and RCDATA elements, quoted attribute values, bogus
// comments, CDATA) and HTMLRewriter's own stand-in for the tree builder (below), so it gives the same answers
// as HTMLRewriter's `script[type="application/ld+json"]` and tag selectors with getAttribute
// (worker/test/listing-scan-unit.test.ts compares the two on the edge cases). What it does not model (a
// script's escaped states, a script inside SVG, NUL) it does not guess: it returns null and the caller runs
// the HTMLRewriter pass. Still HTMLRewriter for everything that reads element structure (microdata,
// aria-label, an adapter's selectors).

/**
 * One element's attributes: lower-case name -> raw value, as HTMLRewriter's getAttribute returns it:
 * entities are not decoded (`&quot;` stays). Of a repeated name the first counts.
 */
export type Attributes = ReadonlyMap<string, string>;

/** Attributes of every element with one of the requested tag names, in document order. */
export type TagAttributes = ReadonlyMap<string, readonly Attributes[]>;

export interface PageScan {
  /** Raw text of each `<script type="application/ld+json">` (type compared ignoring ASCII case). */
  jsonLd: string[];
  elements: TagAttributes;
}

// HTMLRewriter (lol-html) follows the tree builder with a small simulation, mirrored here: a stack of
// namespaces (svg and math entered by their start tags, left by their end tags, <p>/<br> end tags and the
// HTML tags that break out of foreign content; desc, title and foreignObject in svg, mi/mo/mn/ms/mtext in
// math, are HTML again), and these elements switch the tokenizer in HTML: no tags inside, up to `</name`.
const RAW_TEXT = new Set([
  "script",
  "style",
  "xmp",
  "iframe",
  "noembed",
  "noframes",
  "noscript", // raw text, as with scripting enabled
  "textarea",
  "title",
]);
/** A tag that switches the tokenizer (the rest of the page is text after <plaintext>). */
const switchesText = (name: string) => RAW_TEXT.has(name) || name === "plaintext";
const BREAKS_OUT = new Set(
  "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var".split(
    " ",
  ),
);
const SVG_HTML_POINTS = new Set(["desc", "title", "foreignobject"]);
const MATH_TEXT_POINTS = new Set(["mi", "mo", "mn", "ms", "mtext"]);
type Namespace = "html" | "svg" | "math";

const LD_JSON = "application/ld+json";
const GT = 62; // >
const SLASH = 47;
const BANG = 33;
const QUESTION = 63;
const EQUALS = 61;
const DQUOTE = 34;
const SQUOTE = 39;

const isSpace = (c: number) => c === 32 || c === 10 || c === 9 || c === 12 || c === 13;
const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
/** Ends a tag or attribute name. NaN (past the end) ends it too. */
const endsName = (c: number) => isSpace(c) || c === SLASH || c === GT || Number.isNaN(c);
/** The tokenizer lowercases ASCII only (toLowerCase would also fold "K", the Kelvin sign, to "k"). */
const asciiLower = (s: string) => (/[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s);

/** Whether the tag skipAttributes last read ended in "/>" (a "/" inside an unquoted value does not count). */
let selfClosing = false;

/**
 * Skips a tag's attributes from `at` (just after its name) to just past its `>`; -1 when the page ends
 * inside the tag (HTMLRewriter then emits no element). With `into`, attributes are collected.
 */
function skipAttributes(html: string, at: number, into: Map<string, string> | null): number {
  const n = html.length;
  let i = at;
  for (;;) {
    selfClosing = false;
    for (let c = html.charCodeAt(i); isSpace(c) || c === SLASH; c = html.charCodeAt(++i)) {
      selfClosing = c === SLASH;
    }
    if (i >= n) return -1;
    if (html.charCodeAt(i) === GT) return i + 1;
    // An attribute name: its first character may be "=" (a parse error the tokenizer accepts).
    const nameStart = i++;
    for (let c = html.charCodeAt(i); !endsName(c) && c !== EQUALS; c = html.charCodeAt(++i));
    const nameEnd = i;
    while (i < n && isSpace(html.charCodeAt(i))) i++;
    let value = "";
    if (html.charCodeAt(i) === EQUALS) {
      i++;
      while (i < n && isSpace(html.charCodeAt(i))) i++;
      if (i >= n) return -1;
      const quote = html.charCodeAt(i);
      if (quote === DQUOTE || quote === SQUOTE) {
        const close = html.indexOf(quote === DQUOTE ? '"' : "'", i + 1);
        if (close < 0) return -1;
        value = html.slice(i + 1, close);
        i = close + 1;
      } else if (quote !== GT) {
        const valueStart = i;
        for (let c = quote; !isSpace(c) && c !== GT && !Number.isNaN(c); c = html.charCodeAt(++i));
        value = html.slice(valueStart, i);
      }
    }
    if (into) {
      const name = asciiLower(html.slice(nameStart, nameEnd));
      if (!into.has(name)) into.set(name, value);
    }
  }
}

/** Where a raw text element's content ends: its first `</name` followed by space, `/` or `>`; -1 if never. */
function rawTextEnd(html: string, from: number, name: string): number {
  for (let at = html.indexOf("</", from); at >= 0; at = html.indexOf("</", at + 2)) {
    if (!endsName(html.charCodeAt(at + 2 + name.length)) || at + 2 + name.length >= html.length) continue;
    if (asciiLower(html.slice(at + 2, at + 2 + name.length)) === name) return at;
  }
  return -1;
}

/** Where a comment opened at `at` ("<!--") ends, just past its close; the page's end if it never does. */
function commentEnd(html: string, at: number): number {
  // "<!-->" and "<!--->" are whole comments; otherwise "-->" or "--!>" closes one.
  if (html.charCodeAt(at + 4) === GT) return at + 5;
  if (html.startsWith("->", at + 4)) return at + 6;
  const dash = html.indexOf("-->", at + 4);
  const bang = html.indexOf("--!>", at + 4);
  if (dash < 0 && bang < 0) return html.length;
  return dash >= 0 && (bang < 0 || dash < bang) ? dash + 3 : bang + 4;
}

/**
 * Scans `html` for JSON-LD and the attributes of elements named in `tags` (lower case); null when the page
 * holds markup the scan does not follow (then HTMLRewriter must read it).
 */
export function scanPage(html: string, tags: readonly string[] = []): PageScan | null {
  // The tokenizer replaces NUL in names; rather than model that, leave such a page to HTMLRewriter.
  if (html.includes("\0")) return null;
  const jsonLd: string[] = [];
  const elements = new Map<string, Attributes[]>(tags.map((tag) => [tag, []]));
  const n = html.length;
  const namespaces: Namespace[] = ["html"];
  let ns = "html" as Namespace;
  const enter = (next: Namespace) => {
    namespaces.push(next);
    ns = next;
  };
  const leave = () => {
    if (namespaces.length > 1) namespaces.pop();
    ns = namespaces[namespaces.length - 1] ?? "html";
  };
  // HTMLRewriter refuses a page where a tag that switches the tokenizer sits inside <select> or after
  // <frameset> (ambiguous without a tree): the scan leaves such a page to it.
  let inSelect = false;
  for (let lt = html.indexOf("<"); lt >= 0 && lt < n; lt = html.indexOf("<", lt)) {
    const next = html.charCodeAt(lt + 1);
    if (isLetter(next)) {
      let i = lt + 2;
      while (!endsName(html.charCodeAt(i))) i++;
      const name = asciiLower(html.slice(lt + 1, i));
      if (name === "frameset" || (name === "template" && inSelect)) return null;
      if (inSelect && switchesText(name) && name !== "script" && name !== "textarea") return null;
      if (name === "select" || name === "textarea" || name === "input" || name === "keygen") {
        inSelect = name === "select" && !inSelect;
      }
      const sought = elements.get(name);
      const attributes =
        sought || name === "script" || name === "font" || ns === "math" ? new Map<string, string>() : null;
      const end = skipAttributes(html, i, attributes);
      if (end < 0) break; // the page ends inside the tag: no element
      if (sought && attributes) sought.push(attributes);
      lt = end;
      if (name === "svg") enter("svg");
      else if (name === "math") enter("math");
      else if (ns !== "html") {
        if (BREAKS_OUT.has(name)) leave();
        else if (
          name === "font" &&
          (attributes?.has("color") || attributes?.has("size") || attributes?.has("face"))
        )
          leave();
        else if (!selfClosing && (ns === "svg" ? SVG_HTML_POINTS : MATH_TEXT_POINTS).has(name)) enter("html");
        else if (!selfClosing && ns === "math" && name === "annotation-xml") {
          const encoding = asciiLower(attributes?.get("encoding") ?? "");
          if (encoding === "text/html" || encoding === "application/xhtml+xml") enter("html");
        }
        // In foreign content no tag switches the tokenizer: a <script> there is read as markup.
        if (name === "script") return null;
        continue;
      }
      if (name === "plaintext") break; // the rest of the page is text
      if (!RAW_TEXT.has(name)) continue;
      const close = rawTextEnd(html, end, name);
      if (close < 0) return null;
      if (name === "script") {
        const body = html.slice(end, close);
        // "<!--" in a script starts its escaped states, where "</script>" may not end it.
        if (body.includes("<!--")) return null;
        if (asciiLower(attributes?.get("type") ?? "") === LD_JSON) jsonLd.push(body);
      }
      lt = close;
    } else if (next === SLASH) {
      const first = html.charCodeAt(lt + 2);
      if (isLetter(first)) {
        let i = lt + 3;
        while (!endsName(html.charCodeAt(i))) i++;
        const name = asciiLower(html.slice(lt + 2, i));
        if (name === "select") inSelect = false;
        if (ns === "html") {
          const outer = namespaces[namespaces.length - 2];
          if (
            outer === "svg"
              ? SVG_HTML_POINTS.has(name)
              : outer === "math" && (MATH_TEXT_POINTS.has(name) || name === "annotation-xml")
          )
            leave();
        } else if (name === ns || name === "p" || name === "br") {
          leave();
        }
        // End tags carry attributes too (an error the tokenizer reads past, quotes and all).
        lt = skipAttributes(html, i, null);
        if (lt < 0) break;
      } else if (first === GT) {
        lt += 3;
      } else {
        // "</" then anything else is a bogus comment, to the next ">" (or "</" at the end: text).
        const close = html.indexOf(">", lt + 2);
        lt = close < 0 ? n : close + 1;
      }
    } else if (next === BANG) {
      if (html.startsWith("--", lt + 2)) {
        lt = commentEnd(html, lt);
      } else if (ns !== "html" && html.startsWith("[CDATA[", lt + 2)) {
        // CDATA in foreign content is text, to "]]>".
        const close = html.indexOf("]]>", lt + 9);
        lt = close < 0 ? n : close + 3;
      } else {
        // A doctype, or a bogus comment ("<![CDATA[" in HTML): it ends at the next ">".
        const close = html.indexOf(">", lt + 2);
        lt = close < 0 ? n : close + 1;
      }
    } else if (next === QUESTION) {
      const close = html.indexOf(">", lt + 2);
      lt = close < 0 ? n : close + 1;
    } else {
      lt++; // a "<" that opens nothing is text
    }
  }
  return { jsonLd, elements };
}
