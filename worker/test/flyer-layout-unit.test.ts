import { contentLimitCounts, LIMITS } from "db/rules";
import { describe, expect, it } from "vitest";
import {
  FLYER_SCALES,
  type FlyerCopy,
  type FlyerFixedText,
  flyerCopy,
  flyerQrPayload,
  layoutFlyer,
  wrapLines,
} from "../src/agents/content/flyer-layout";
import { renderFlyer } from "../src/agents/content/render";

const PROSE =
  "Sunlit open kitchen with quartz counters, a large island and a walk-in pantry that opens onto the " +
  "covered lanai. The owner's suite has a spa bath, dual sinks and two closets, and the flex room works " +
  "as an office or a guest room. Community pool, playground and trails are a short walk away. ";

/** Realistic words, exactly `length` characters (the limits count characters). */
function prose(length: number, seed = 0): string {
  let text = "";
  while (text.length < length + seed) text += PROSE;
  const cut = text.slice(seed, seed + length).replace(/^ /, "A");
  return cut.endsWith(" ") ? `${cut.slice(0, -1)}s` : cut;
}

const FIXED: FlyerFixedText = { facts: "4 beds · 3 baths · 2,450 sq ft · Harbor Point", hasPhotos: true };

/** The longest flyer the content limits allow, in the writer's shape (two body paragraphs). */
function longestCopy(): FlyerCopy {
  // The limits count the body's paragraphs joined by one line break.
  const half = LIMITS.flyerBody / 2;
  return {
    headline: prose(LIMITS.flyerHeadline, 7),
    body: `${prose(half)}\n\n${prose(LIMITS.flyerBody - 1 - half, 31)}`,
    bullets: Array.from({ length: LIMITS.flyerBullets }, (_, i) => prose(LIMITS.flyerBullet, i * 13)),
    callToAction: prose(LIMITS.flyerCallToAction, 3),
  };
}

describe("flyer layout", () => {
  it("counts lines by word wrap, hard breaks and long words", () => {
    expect(wrapLines("short", 500, 11)).toBe(1);
    expect(wrapLines("one\ntwo\nthree", 500, 11)).toBe(3);
    expect(wrapLines("x".repeat(400), 100, 11)).toBeGreaterThan(10);
    expect(wrapLines(PROSE.repeat(3), 540, 11)).toBeGreaterThan(wrapLines(PROSE, 540, 11));
  });

  it("keeps short text at full size on Letter and A4", () => {
    const copy = {
      headline: "Move-in ready in Harbor Point",
      body: "A bright four-bedroom home near the lake.",
      bullets: ["Quartz kitchen", "Covered lanai", "Two-car garage"],
      callToAction: "Call Chris Tester, Sunshine Realty Group, 555-0100",
    };
    for (const size of ["letter", "a4"] as const) {
      const layout = layoutFlyer(copy, FIXED, size);
      expect(layout).toMatchObject({ size, scale: 1, overflows: false, overflow: null });
      expect(layout.heightPt).toBeLessThan(layout.availablePt);
    }
  });

  it("shrinks long text within its limits", () => {
    const copy = { ...longestCopy(), bullets: longestCopy().bullets.slice(0, 6) };
    const layout = layoutFlyer(copy, FIXED, "letter");
    expect(layout.overflows).toBe(false);
    expect(layout.scale).toBeLessThan(1);
    expect(layout.scale).toBeGreaterThanOrEqual(FLYER_SCALES.at(-1) ?? 1);
  });

  it("fits the longest text the content limits allow, at the latest at the minimum scale, on both sizes", () => {
    const copy = longestCopy();
    // It really is at every limit, as the editor counts it.
    const counts = contentLimitCounts("flyer_text", renderFlyer(copy));
    expect(counts.map((c) => [c.label, c.count])).toEqual(counts.map((c) => [c.label, c.max]));
    expect(flyerCopy(null, renderFlyer(copy))).toEqual(copy);
    for (const size of ["letter", "a4"] as const) {
      const layout = layoutFlyer(copy, FIXED, size);
      expect(layout.overflows, `${size}: ${layout.heightPt} of ${layout.availablePt} pt`).toBe(false);
      expect(FLYER_SCALES).toContain(layout.scale);
    }
    // And without photos there is more room, never less.
    expect(layoutFlyer(copy, { ...FIXED, hasPhotos: false }, "letter").scale).toBeGreaterThanOrEqual(
      layoutFlyer(copy, FIXED, "letter").scale,
    );
  });

  it("warns, naming the part and about how many words, when text within the limits cannot fit", () => {
    // Within the character limits but one short line per sentence: every line break is a printed line.
    const lines = Array.from({ length: 45 }, (_, i) => `Line ${i + 1} of the body.`).join("\n");
    expect(lines.length).toBeLessThanOrEqual(LIMITS.flyerBody);
    const copy = { ...longestCopy(), body: lines };
    for (const size of ["letter", "a4"] as const) {
      const layout = layoutFlyer(copy, FIXED, size);
      expect(layout.overflows).toBe(true);
      expect(layout.scale).toBe(FLYER_SCALES.at(-1));
      expect(layout.overflow?.part).toBe("body");
      expect(layout.overflow?.words).toBeGreaterThan(0);
      expect(layout.overflow?.message).toMatch(
        /^This text is too long for one page: shorten the body by ~\d+ words\.$/,
      );
    }
    // Capitals are wider than the limits assume: the model counts their width.
    const shouting = { ...longestCopy(), body: "W".repeat(LIMITS.flyerBody) };
    expect(layoutFlyer(shouting, FIXED, "letter").overflows).toBe(true);
  });

  it("reads edited text as the limits count it", () => {
    const body = "Big headline\n\nFirst paragraph.\nSecond line.\n\n• One\n• Two\n\nCall Chris today.";
    expect(flyerCopy(null, body)).toEqual({
      headline: "Big headline",
      body: "First paragraph.\nSecond line.",
      bullets: ["One", "Two"],
      callToAction: "Call Chris today.",
    });
    expect(flyerCopy(null, "Only a headline")).toEqual({
      headline: "Only a headline",
      body: "",
      bullets: [],
      callToAction: "",
    });
    const structured = { kind: "flyer_text", headline: "H", body: "B", bullets: ["x"], callToAction: "C" };
    expect(flyerCopy(structured, "ignored")).toEqual({
      headline: "H",
      body: "B",
      bullets: ["x"],
      callToAction: "C",
    });
  });
});

describe("flyer QR payload", () => {
  it("is the listing's absolute http(s) URL and nothing else", () => {
    expect(flyerQrPayload("https://builder.example.com/homes/12-harbor-way")).toBe(
      "https://builder.example.com/homes/12-harbor-way",
    );
    expect(flyerQrPayload("http://127.0.0.1:8911/homes/a?plan=2")).toBe(
      "http://127.0.0.1:8911/homes/a?plan=2",
    );
    expect(flyerQrPayload("  https://example.com  ")).toBe("https://example.com/");
  });

  it("is nothing for a missing, relative or non-web URL", () => {
    for (const url of [
      null,
      undefined,
      "",
      "/homes/12",
      "homes/12",
      "javascript:alert(1)",
      "data:text/html,hi",
      "ftp://example.com/a",
      "mailto:a@example.com",
      "https://user:secret@example.com/",
    ]) {
      expect(flyerQrPayload(url), String(url)).toBeNull();
    }
  });
});
