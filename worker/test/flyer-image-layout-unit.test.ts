import { describe, expect, it } from "vitest";
import { FLYER_SIZE, factsLine, flyerLayout, flyerSvg, safeColor, wrap } from "../src/agents/flyers/layout";

const facts = {
  headline: "Brand-new 4-bedroom home by the lake",
  bullets: ["Quartz counters", "Covered lanai"],
  callToAction: "Call Chris today",
  priceCents: 41_990_000,
  beds: 4,
  bathsFull: 2,
  bathsHalf: 1,
  sqft: 2140,
  community: "Lakeside Reserve",
  address: "123 Palm Way, Orlando",
  agentName: "Chris Morgan",
  brokerageName: "Sunshine Realty LLC",
  licenseNumber: "SL3456789",
  phone: "(407) 555-0100",
};

describe("the flyer image layout", () => {
  it("keeps every line inside the image and above the strip, brokerage and license included", () => {
    const long =
      "An extraordinarily spacious brand-new five-bedroom family home with a three-car garage and a pool";
    for (const headline of [facts.headline, long, long + long]) {
      const layout = flyerLayout({ ...facts, headline, callToAction: long });
      for (const t of layout.texts) {
        expect(t.y).toBeLessThanOrEqual(FLYER_SIZE.height);
        expect(t.x + t.text.length * t.size * 0.6).toBeLessThanOrEqual(FLYER_SIZE.width);
        if (t.color !== "#1a1a1a") expect(t.y).toBeLessThan(layout.strip.y);
      }
      const texts = layout.texts.map((t) => t.text);
      expect(texts).toContain("$419,900");
      expect(texts).toContain("Sunshine Realty LLC · Lic. SL3456789");
      expect(texts).toContain("Equal Housing Opportunity");
    }
  });

  it("wraps, then cuts the last line with an ellipsis", () => {
    expect(wrap("one two three", 40, "bold", 10_000, 1)).toEqual({ lines: ["one two three"], fits: true });
    const cut = wrap("word ".repeat(80), 40, "bold", 600, 2);
    expect(cut.fits).toBe(false);
    expect(cut.lines).toHaveLength(2);
    expect(cut.lines[1]?.endsWith("…")).toBe(true);
  });

  it("facts read as bd, ba and sq ft; missing ones are left out", () => {
    expect(factsLine(facts)).toBe("4 bd  ·  2.5 ba  ·  2,140 sq ft");
    expect(factsLine({ beds: null, bathsFull: null, bathsHalf: null, sqft: 1200 })).toBe("1,200 sq ft");
  });

  it("only #rrggbb colours and escaped text reach the SVG", () => {
    expect(safeColor('red"/><script>', "#1f3a5f")).toBe("#1f3a5f");
    expect(safeColor("#ABCDEF", "#000000")).toBe("#abcdef");
    const svg = flyerSvg(
      flyerLayout({ ...facts, headline: `<script>alert("x")</script> & more`, primaryColor: "url(x)" }),
    );
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;");
    expect(svg).toContain('fill="#1f3a5f"');
    expect(svg).toMatch(/^<svg [^>]*width="1080" height="1350"/);
  });
});
