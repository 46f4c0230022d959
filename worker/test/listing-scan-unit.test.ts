import { describe, expect, it } from "vitest";
import { extractListing } from "../src/agents/listing/extract/page";
import { scanPage } from "../src/agents/listing/extract/scan";
import { getAdapter } from "../src/agents/listing/sources";

/**
 * What HTMLRewriter sees, read the way the scan's fallback reads it: each JSON-LD script's raw text and each
 * <main>'s attributes (first of a repeated name), raw from getAttribute.
 */
async function rewriterView(html: string) {
  const mains: Record<string, string>[] = [];
  const marker = "\u0001ld\u0002";
  const output = await new HTMLRewriter()
    .on("main", {
      element(el) {
        const attributes: Record<string, string> = {};
        for (const [name = "", value = ""] of el.attributes) attributes[name] ??= value;
        mains.push(attributes);
      },
    })
    .on('script[type="application/ld+json"]', {
      element(el) {
        el.prepend(marker);
        el.onEndTag((end) => {
          end.before(marker);
        });
      },
    })
    .transform(new Response(html))
    .text();
  const jsonLd = output.split(marker).filter((_, i) => i % 2 === 1);
  return { jsonLd, mains };
}

function scanView(html: string) {
  const scan = scanPage(html, ["main"]);
  if (!scan) return null;
  const mains = (scan.elements.get("main") ?? []).map((attrs) => Object.fromEntries(attrs));
  return { jsonLd: scan.jsonLd, mains };
}

const LD = '<script type="application/ld+json">{"@type":"House","sku":"A1"}</script>';

// Each case: the scan must agree with HTMLRewriter exactly.
const AGREES: [string, string][] = [
  ["a plain page", `<!doctype html><html><head>${LD}</head><body><main data-home='{"id":1}'>x</main>`],
  ["double, single and no quotes", `<main a="x" b='y' c=z d>`],
  ["entity-encoded values stay raw", `<main data-home="{&quot;id&quot;:&quot;A&amp;B&quot;}" x='&#39;'>`],
  ["upper-case names, first of a repeated name", "<MAIN DATA-HOME=x Data-Home=y>"],
  ["upper-case TYPE and type value", '<SCRIPT TYPE="Application/LD+JSON">{"a":1}</SCRIPT>'],
  ["a type with a space is no JSON-LD", '<script type="application/ld+json ">{}</script>'],
  ["a repeated type: the first counts", '<script type="text/x" type="application/ld+json">{}</script>'],
  ["unquoted type, repeated after", "<script type=application/ld+json type=x>{}</script>"],
  [
    "several scripts",
    `${LD}<script>var a = "<main data-home=no>";</script>${LD}<script type="application/ld+json">[1]</script>`,
  ],
  [
    "</script> inside a JSON string ends the script",
    '<script type="application/ld+json">{"a":"</script><main data-home=after>"}</script>',
  ],
  [
    "</scriptx> does not end it",
    '<script type="application/ld+json">{"a":"</scriptx>"}</script><main data-home=m>',
  ],
  ["</SCRIPT > ends it", '<script type="application/ld+json">{}</SCRIPT ><main data-home=m>'],
  ["a script inside a comment", `<!-- ${LD} <main data-home=c> --><main data-home=d>`],
  ["short and odd comments", "<!--><main data-home=a><!---><main data-home=b><!-- x --!><main data-home=c>"],
  [
    "raw text elements hide tags",
    "<textarea><main data-home=1></textarea><title><main data-home=2></title><style><main data-home=3></style><noscript><main data-home=4></noscript><iframe><main data-home=5></iframe><xmp><main data-home=6></xmp><noembed><main data-home=7></noembed><noframes><main data-home=8></noframes><main data-home=9>",
  ],
  ["a self-closing script is still open", "<script/><main data-home=in></script><main data-home=after>"],
  ["> inside a quoted value", '<main data-a="x>y" data-home=z>'],
  ["> inside an end tag's quoted attribute", '</div title=">"><main data-home=endattr>'],
  [
    "bogus comments",
    "</ x><main data-home=a><?php echo 1 ?><main data-home=b><![CDATA[<main data-home=c>]]><main data-home=d>",
  ],
  ["slash-separated attributes", "<main/data-home=slash/x=1>"],
  ["an unquoted value keeps its slash", "<main data-home=a/>"],
  ["a quote inside a name, a name starting with =", `<main "x=1 =y=2 data-home=v>`],
  ["an unterminated tag at the end emits nothing", "<main data-home=x><main data-home"],
  ["no <main>", `<html><body>${LD}<div data-home=x></div></body></html>`],
  ["<mainx> is not <main>", "<mainx data-home=1><main\tdata-home=2>"],
  ["plaintext ends all tags", "<main data-home=1><plaintext><main data-home=2>"],
  ["a < that opens nothing", "a < b <1 <main data-home=x> <"],
  [
    "an SVG icon without titles",
    '<svg viewBox="0 0 1 1"><path d="M0 0"/><g><use href="#i"/></g></svg><main data-home=x>',
  ],
  ["a self-closing svg", "<svg/><title><main data-home=t></title><main data-home=x>"],
  ["svg with a slash in an unquoted value", "<svg a=b/><path/></svg><main data-home=x>"],
  ["end tag at the very end", `${LD}</`],
  ["a <select> without text tags", "<select><option>a</option><script>1</script></select><main data-home=x>"],
  [
    "a <textarea> ends <select>",
    "<select><textarea><main data-home=t></textarea><style>x</style><main data-home=x>",
  ],
  // Inline SVG and MathML, as HTMLRewriter's namespace simulation reads them.
  [
    "an SVG icon with a title",
    '<svg><title>Icon</title><path d="M0 0"/></svg><title><main data-home=t></title><main data-home=x>',
  ],
  [
    "a style inside svg is markup",
    "<svg><style><main data-home=s></style></svg><style><main data-home=no></style>",
  ],
  ["CDATA inside svg is text", "<svg><![CDATA[<main data-home=cd>]]></svg><main data-home=after>"],
  ["the sought element inside svg", "<svg><main data-home=insvg></main></svg>"],
  ["a self-closing svg still opens svg", "<svg/><title><main data-home=t></title><main data-home=x>"],
  ["svg with a slash in an unquoted value", "<svg a=b/><path/></svg><title><main data-home=t></title>"],
  ["a break-out tag leaves svg", "<svg><p></p><title><main data-home=t></title></svg><main data-home=x>"],
  [
    "<font color> leaves svg, <font> does not",
    "<svg><font><textarea><main data-home=a></textarea><font color=red><textarea><main data-home=b></textarea>",
  ],
  [
    "foreignObject is HTML inside",
    "<svg><foreignObject><style><main data-home=f></style></foreignObject><style><main data-home=g></style></svg>",
  ],
  [
    "math and its text points",
    "<math><mi><title><main data-home=a></title></mi><title><main data-home=b></title></math><title><main data-home=c></title>",
  ],
  [
    "annotation-xml as HTML",
    '<math><annotation-xml encoding="text/html"><title><main data-home=a></title></annotation-xml><title><main data-home=b></title></math>',
  ],
  ["</p> leaves math", "<math></p><title><main data-home=a></title>"],
];

// Markup the scan does not model: it must give up (and the extraction falls back to HTMLRewriter).
const GIVES_UP: [string, string][] = [
  ["an escaped script (<!-- in a script)", "<script><!--<script></script><main data-home=dbl></script>"],
  ["a script inside svg", `<svg>${LD}</svg>`],
  ["an unclosed script", '<script type="application/ld+json">{}'],
  ["a NUL character", "<main data-home=\0>"],
  // HTMLRewriter refuses these pages outright (ambiguous without a tree).
  ["a style inside <select>", "<select><style>x</style></select>"],
  ["a template inside <select>", "<select><template><script>x</script></template></select>"],
  ["a frameset", "<frameset><title>x</title></frameset>"],
];

describe("scanPage reads what HTMLRewriter reads", () => {
  it.each(AGREES)("%s", async (_name, html) => {
    expect(scanView(html)).toEqual(await rewriterView(html));
  });

  it.each(GIVES_UP)("gives up on %s", (_name, html) => {
    expect(scanPage(html, ["main"])).toBeNull();
  });

  it("returns raw JSON-LD text and raw attribute values", () => {
    const scan = scanPage(`${LD}<main data-home="{&quot;id&quot;:1}" DATA-HOME-ID=HB-1>`, ["main"]);
    expect(scan?.jsonLd).toEqual(['{"@type":"House","sku":"A1"}']);
    expect(scan?.elements.get("main")?.[0]?.get("data-home")).toBe("{&quot;id&quot;:1}");
    expect(scan?.elements.get("main")?.[0]?.get("data-home-id")).toBe("HB-1");
  });
});

describe("extraction with and without the scan", () => {
  const adapter = getAdapter("holidaybuilders");
  const detail = (main: string, extra = "") =>
    `<!doctype html><html><head><script type="application/ld+json">{"@type":"SingleFamilyResidence","identifier":"HB-9","address":{"streetAddress":"1 Egret Ct","addressLocality":"Ocala","addressRegion":"FL","postalCode":"34476"},"numberOfBedrooms":3,"offers":{"@type":"Offer","price":301990,"availability":"https://schema.org/InStock"}}</script></head><body>${extra}${main}<h1 class="home-plan">The Egret</h1><p class="home-garage">2-Car Garage</p></main></body></html>`;

  it("reads an entity-encoded data layer the same either way", async () => {
    const main = `<main data-home="{&quot;community&quot;:&quot;Caf&eacute; Lago&quot;,&quot;plan&quot;:&quot;The Egret&quot;}">`;
    const fast = await adapter?.extract(detail(main), "https://x.test/homes/1");
    // A title inside an SVG icon sends the page through the HTMLRewriter passes.
    const slow = await adapter?.extract(
      detail(main, "<svg><title>i</title></svg>"),
      "https://x.test/homes/1",
    );
    expect(fast?.community).toBe("Café Lago");
    expect(fast?.planName).toBe("The Egret");
    expect(slow).toEqual(fast);
  });

  it("falls back to data-home-id on a <main> without a data layer", async () => {
    const html = '<main data-home-id="HB-7"><p>Garage: 2-car</p></main>';
    expect((await adapter?.extract(html, "https://x.test/homes/7"))?.sourceKey).toBe("HB-7");
  });

  it("reads JSON-LD with an upper-case TYPE on the string path", async () => {
    const html = `<SCRIPT TYPE="application/ld+json">{"@type":"House","sku":"Z9","numberOfBedrooms":4}</SCRIPT>`;
    const raw = await extractListing(html);
    expect(raw?.sourceKey).toBe("Z9");
    expect(raw?.beds).toBe("4");
  });
});
