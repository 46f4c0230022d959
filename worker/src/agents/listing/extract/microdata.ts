// Layer 2: schema.org microdata (itemprop attributes), read flat: the first element with a property wins.
import { decodeEntities, toPlainText } from "../normalize";
import type { ContentMarks } from "../sources/html";
import type { LayerValues } from "./fields";
import { readAvailability, statusWords } from "./jsonld";

/** Properties we read; their value is an attribute for these tags, else the element's text. */
const PROPERTIES = new Set([
  "identifier",
  "sku",
  "productID",
  "address",
  "streetAddress",
  "addressLocality",
  "addressRegion",
  "postalCode",
  "containedInPlace",
  "containedIn",
  "price",
  "lowPrice",
  "availability",
  "numberOfBedrooms",
  "numberOfBathroomsTotal",
  "numberOfFullBathrooms",
  "numberOfPartialBathrooms",
  "floorSize",
  "description",
  "image",
]);
const ATTRIBUTE_OF: Record<string, string> = { meta: "content", link: "href", a: "href", img: "src" };
const LABEL_PREFIX = "md_";

/** Collects itemprop values during a rewriter pass; `read` turns them into layer values afterwards. */
export class MicrodataReader {
  private readonly found = new Map<string, string[]>();

  constructor(private readonly marks: ContentMarks) {}

  element(el: Element) {
    for (const name of (el.getAttribute("itemprop") ?? "").split(/\s+/)) {
      if (!PROPERTIES.has(name)) continue;
      // An itemscope's own text is its children's; its properties are read from them.
      if (el.hasAttribute("itemscope") && name !== "containedInPlace" && name !== "containedIn") continue;
      const attribute =
        el.getAttribute("content") ??
        (ATTRIBUTE_OF[el.tagName] ? el.getAttribute(ATTRIBUTE_OF[el.tagName] as string) : null);
      if (attribute !== null) this.push(name, decodeEntities(attribute));
      else if (name !== "image") this.marks.wrap(el, `${LABEL_PREFIX}${name}`);
    }
  }

  private push(name: string, value: string) {
    const list = this.found.get(name);
    if (list) list.push(value);
    else this.found.set(name, [value]);
  }

  /** `contents` are the pass's wrapped contents (label -> raw markup). */
  read(contents: readonly { label: string; content: string }[]): {
    values: LayerValues;
    ambiguousStatus?: string;
  } {
    for (const { label, content } of contents) {
      if (label.startsWith(LABEL_PREFIX)) this.push(label.slice(LABEL_PREFIX.length), toPlainText(content));
    }
    if (this.found.size === 0) return { values: {} };
    const one = (...names: string[]) => {
      for (const name of names) {
        const value = this.found.get(name)?.[0];
        if (value !== undefined && value.trim() !== "") return value;
      }
      return undefined;
    };
    const availability = readAvailability(one("availability")?.trim());
    const full = one("numberOfFullBathrooms");
    const half = one("numberOfPartialBathrooms");
    const line = one("streetAddress");
    const values: LayerValues = {
      sourceKey: one("identifier", "sku", "productID"),
      address: line
        ? {
            addressLine: line,
            city: one("addressLocality"),
            state: one("addressRegion"),
            zip: one("postalCode"),
          }
        : one("address"),
      community: one("containedInPlace", "containedIn"),
      price: one("price", "lowPrice"),
      beds: one("numberOfBedrooms"),
      baths:
        full !== undefined || half !== undefined
          ? { bathsFull: full, bathsHalf: half }
          : one("numberOfBathroomsTotal"),
      sqft: one("floorSize"),
      status: availability && !availability.ambiguous ? statusWords(availability.status) : undefined,
      description: one("description"),
      imageUrls: this.found.get("image") ?? [],
    };
    return {
      values,
      ambiguousStatus: availability?.ambiguous ? statusWords(availability.status) : undefined,
    };
  }
}
