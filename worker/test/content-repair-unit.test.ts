import { LIMITS } from "db/rules";
import { describe, expect, it } from "vitest";
import { renderInstagram } from "../src/agents/content/render";
import { repairContent, shorten, stripMarkup } from "../src/agents/content/repair";
import { parseContent, validateContent } from "../src/agents/content/schemas";
import type { ContentKind } from "../src/agents/content/types";

const words = (count: number, word = "spacious") => Array(count).fill(word).join(" ");

/** Repairs, then validates; fails the test when the result is not valid. */
function repaired(kind: ContentKind, value: Record<string, unknown>) {
  const result = repairContent(kind, value);
  const validation = validateContent(kind, result.value);
  if (!validation.ok) throw new Error(`still invalid: ${validation.error}`);
  return { value: result.value as Record<string, unknown>, repairs: result.repairs };
}

describe("valid input passes untouched", () => {
  const valid: [ContentKind, Record<string, unknown>][] = [
    [
      "facebook_post",
      { text: "Just listed in Cypress Hollow!\n\nCall Chris.", hashtags: ["NewHome", "Clermont"] },
    ],
    [
      "instagram_caption",
      {
        caption: "Just listed! Schools < 5 minutes away, 3 <4 bedrooms? No: 4.\n#Clermont",
        hashtags: ["NewConstruction", "CaféRoyale"],
        mentions: ["holiday.builders"],
      },
    ],
    [
      "flyer_text",
      {
        headline: "Just Listed in Cypress Hollow",
        body: "A new-construction home by the lake. Price: $389,990 & up.",
        bullets: ["4 bedrooms, 2.5 baths", "2,145 sq ft"],
        callToAction: "Call Chris Walker, Sunshine Coast Realty, at (407) 555-0142.",
      },
    ],
  ];
  it.each(valid)("%s", (kind, value) => {
    const result = repairContent(kind, value);
    expect(result.repairs).toEqual([]);
    expect(result.value).toEqual(value);
    expect(validateContent(kind, result.value).ok).toBe(true);
  });
});

describe("text fields", () => {
  it("shortens an over-long bullet at a word boundary with an ellipsis and says so", () => {
    const long = `Quartz countertops ${words(30)} kitchen`;
    const { value, repairs } = repaired("flyer_text", {
      headline: "Just Listed",
      body: "A home.",
      bullets: ["4 bedrooms", long],
      callToAction: "Call Chris.",
    });
    const bullet = (value.bullets as string[])[1] ?? "";
    expect(bullet.length).toBeLessThanOrEqual(LIMITS.flyerBullet);
    expect(bullet).toMatch(/^Quartz countertops spacious .*spacious…$/);
    expect(long.startsWith(bullet.slice(0, -1))).toBe(true);
    expect(repairs).toEqual([`Shortened bullet 2 to ${LIMITS.flyerBullet} characters`]);
  });

  it("prefers a sentence end when that keeps most of the text", () => {
    const text = `${words(50)}. ${words(20)}`;
    expect(shorten(text, 500)).toBe(`${words(50)}.`);
    expect(shorten("Short enough.", 20)).toBe("Short enough.");
  });

  it("cuts a single endless word hard, still within the limit", () => {
    const cut = shorten("x".repeat(500), 80);
    expect(cut).toHaveLength(80);
    expect(cut.endsWith("…")).toBe(true);
  });

  it("shortens the headline, body and call to action to their limits", () => {
    const { value, repairs } = repaired("flyer_text", {
      headline: words(20),
      body: words(200),
      bullets: [],
      callToAction: words(40),
    });
    expect((value.headline as string).length).toBeLessThanOrEqual(LIMITS.flyerHeadline);
    expect((value.body as string).length).toBeLessThanOrEqual(LIMITS.flyerBody);
    expect((value.callToAction as string).length).toBeLessThanOrEqual(LIMITS.flyerCallToAction);
    expect(repairs).toEqual([
      "Shortened the headline to 80 characters",
      "Shortened the body to 1,200 characters",
      "Shortened the call to action to 200 characters",
    ]);
  });

  it("trims whitespace quietly", () => {
    const result = repairContent("facebook_post", {
      text: "  Just listed!  \n\n\n\n Call me.  ",
      hashtags: [],
    });
    expect(result.value).toEqual({ text: "Just listed!\n\nCall me.", hashtags: [] });
    expect(result.repairs).toEqual([]);
  });
});

describe("markup becomes inert plain text", () => {
  it.each([
    ["<p>Just listed!</p><p>Call <b>Chris</b>.</p>", "Just listed!\nCall Chris ."],
    ["Just listed!<script>alert(1)</script> Call me", "Just listed! Call me"],
    ["Just listed!<SCRIPT type='text/javascript'>document.cookie</SCRIPT >", "Just listed!"],
    ["&lt;script&gt;alert(1)&lt;/script&gt;Just listed", "Just listed"],
    ["&amp;lt;b&amp;gt;Bold&amp;lt;/b&amp;gt; move", "Bold move"],
    ["Nice<style>body{display:none}</style> home", "Nice home"],
    ["Open house <!-- hidden --> Saturday", "Open house Saturday"],
    ['Call <a href="javascript:alert(1)">me</a>', "Call me"],
    ["Line one<br>Line two", "Line one\nLine two"],
    ["Tom &amp; Jerry&#39;s &quot;home&quot; &#x2014; new", 'Tom & Jerry\'s "home" — new'],
    ["Starts <script>never closed", "Starts"],
  ])("%s", (input, expected) => {
    const { value, repairs } = repaired("facebook_post", { text: input, hashtags: [] });
    expect(value.text).toBe(expected);
    expect(value.text).not.toMatch(/<\/?[a-z]/i);
    expect(repairs).toHaveLength(1);
    expect(repairs[0]).toMatch(/^(Removed a script from|Turned markup in) the post text/);
  });

  it("names a removed script in the note", () => {
    const { repairs } = repaired("facebook_post", { text: "Hi<script>x()</script>", hashtags: [] });
    expect(repairs).toEqual(["Removed a script from the post text"]);
  });

  it("leaves a lone angle bracket and an unclosed tag start as text", () => {
    expect(stripMarkup("Schools < 5 minutes away").changed).toBe(false);
    expect(stripMarkup("<img src=x onerror=alert(4)").text).toBe("<img src=x onerror=alert(4)");
  });

  it("strips markup from every field, hashtags and bullets included", () => {
    const { value, repairs } = repaired("flyer_text", {
      headline: "<h1>Just Listed</h1>",
      body: "<div>A home.</div>",
      bullets: ["<li>4 bedrooms</li>"],
      callToAction: "<i>Call</i> Chris",
    });
    expect(value).toMatchObject({
      headline: "Just Listed",
      body: "A home.",
      bullets: ["4 bedrooms"],
      callToAction: "Call Chris",
    });
    expect(repairs).toHaveLength(4);
    const tags = repaired("facebook_post", { text: "Hi", hashtags: ["<b>NewHome</b>"] });
    expect(tags.value.hashtags).toEqual(["NewHome"]);
  });

  it("controls characters are dropped", () => {
    const { value } = repaired("facebook_post", { text: "Just\u0000 listed\u0007!", hashtags: [] });
    expect(value.text).toBe("Just listed!");
  });

  it("a field that is nothing but markup stays empty and fails validation (the retry handles it)", () => {
    const result = repairContent("facebook_post", { text: "<script>alert(1)</script>", hashtags: [] });
    expect(validateContent("facebook_post", result.value)).toMatchObject({ ok: false });
  });
});

describe("hashtags and mentions", () => {
  it("strips '#' and spaces, splits several in one string, drops invalid ones and dedupes", () => {
    const { value, repairs } = repaired("facebook_post", {
      text: "Hi",
      hashtags: [
        "#NewConstruction",
        "new construction",
        "#Clermont #Florida",
        "##Café-Royale",
        "!!!",
        "#NewHome",
        "newhome",
      ],
    });
    expect(value.hashtags).toEqual(["NewConstruction", "Clermont", "Florida", "CaféRoyale", "NewHome"]);
    expect(repairs).toEqual([
      'Removed "#" and spaces from 5 hashtags',
      'Dropped 1 invalid hashtag ("!!!")',
      "Removed 2 duplicate hashtags",
    ]);
  });

  it("caps Facebook hashtags at the limit", () => {
    const hashtags = Array.from({ length: 14 }, (_, i) => `Tag${i}`);
    const { value, repairs } = repaired("facebook_post", { text: "Hi", hashtags });
    expect(value.hashtags).toEqual(hashtags.slice(0, LIMITS.facebookHashtags));
    expect(repairs).toEqual(["Removed 4 hashtags over the 10 allowed"]);
  });

  it("normalizes mentions like '@Holiday Builders' and drops what is no username", () => {
    const { value, repairs } = repaired("instagram_caption", {
      caption: "Just listed!",
      hashtags: [],
      mentions: ["@Holiday Builders", "@holidaybuilders", "sunshine.realty", "@Café Royale", "a-b"],
    });
    expect(value.mentions).toEqual(["HolidayBuilders", "sunshine.realty"]);
    expect(repairs).toEqual([
      'Removed "@" and spaces from 2 mentions',
      'Dropped 2 invalid mentions ("CaféRoyale", "a-b")',
      "Removed 1 duplicate mention",
    ]);
  });

  it("caps Instagram hashtags at 30, counting those inside the caption", () => {
    const hashtags = Array.from({ length: 30 }, (_, i) => `Tag${i}`);
    const { value, repairs } = repaired("instagram_caption", {
      caption: "Just listed in #Clermont with #NewConstruction #CypressHollow #Florida",
      hashtags,
      mentions: [],
    });
    expect(value.hashtags).toEqual(hashtags.slice(0, 26));
    expect(repairs).toEqual(["Removed 4 hashtags over Instagram's 30, counting the 4 in the caption"]);
  });

  it("takes away '#' from inline hashtags beyond 30 and all listed ones", () => {
    const inline = Array.from({ length: 33 }, (_, i) => `#In${i}`).join(" ");
    const { value, repairs } = repaired("instagram_caption", {
      caption: `Just listed ${inline}`,
      hashtags: ["Extra"],
      mentions: [],
    });
    expect((value.caption as string).match(/#/g)).toHaveLength(30);
    expect(value.caption).toContain(" In32");
    expect(value.hashtags).toEqual([]);
    expect(repairs).toEqual([
      "Turned 3 hashtags in the caption beyond Instagram's 30 into plain words",
      "Removed 1 hashtag over Instagram's 30, counting the 30 in the caption",
    ]);
  });

  it("caps Instagram mentions at 20", () => {
    const mentions = Array.from({ length: 25 }, (_, i) => `user${i}`);
    const { value, repairs } = repaired("instagram_caption", {
      caption: "Hi @agent",
      hashtags: [],
      mentions,
    });
    expect(value.mentions).toHaveLength(19);
    expect(repairs).toEqual(["Removed 6 mentions over Instagram's 20, counting the 1 in the caption"]);
  });

  it("accepts a hashtag string where a list belongs", () => {
    const { value } = repaired("facebook_post", { text: "Hi", hashtags: "#NewHome #Clermont, #Florida" });
    expect(value.hashtags).toEqual(["NewHome", "Clermont", "Florida"]);
  });
});

describe("Instagram's 2,200 characters for the rendered caption", () => {
  it("shortens the caption so caption, hashtags and mentions fit", () => {
    const hashtags = Array.from({ length: 20 }, (_, i) => `NewConstructionClermont${i}`);
    const { value, repairs } = repaired("instagram_caption", {
      caption: words(260),
      hashtags,
      mentions: ["holidaybuilders"],
    });
    const rendered = renderInstagram(value as Parameters<typeof renderInstagram>[0]);
    expect(rendered.length).toBeLessThanOrEqual(LIMITS.instagramCaption);
    expect(value.hashtags).toEqual(hashtags);
    expect(repairs).toHaveLength(1);
    expect(repairs[0]).toMatch(
      /^Shortened the caption to 1,[0-9]{3} characters so it fits Instagram's 2,200/,
    );
  });

  it("drops tags from the end when they would take more than half of the room", () => {
    const hashtags = Array.from({ length: 30 }, (_, i) => `${"Long".repeat(12)}${i}`);
    const { value, repairs } = repaired("instagram_caption", { caption: words(150), hashtags, mentions: [] });
    const rendered = renderInstagram(value as Parameters<typeof renderInstagram>[0]);
    expect(rendered.length).toBeLessThanOrEqual(LIMITS.instagramCaption);
    expect((value.hashtags as string[]).length).toBeLessThan(30);
    expect(repairs[0]).toMatch(/^Removed \d+ hashtags and mentions to fit Instagram's 2,200 characters$/);
  });
});

describe("flyer bullets", () => {
  it("removes bullet characters, empty and duplicate bullets, and bullets over 8", () => {
    const bullets = [
      "• 4 bedrooms",
      "- 2.5 baths",
      "  ",
      "4 Bedrooms",
      "1. Lake view",
      ...Array.from({ length: 8 }, (_, i) => `Feature ${i}`),
    ];
    const { value, repairs } = repaired("flyer_text", {
      headline: "H",
      body: "B",
      bullets,
      callToAction: "C",
    });
    expect(value.bullets).toEqual([
      "4 bedrooms",
      "2.5 baths",
      "Lake view",
      "Feature 0",
      "Feature 1",
      "Feature 2",
      "Feature 3",
      "Feature 4",
    ]);
    expect(repairs).toEqual([
      "Removed bullet characters from 3 bullets",
      "Removed 1 empty bullet",
      "Removed 1 duplicate bullet",
      "Removed 3 bullets over the flyer's 8",
    ]);
  });
});

describe("what cannot be repaired is left for validation", () => {
  it.each([
    ["a number where text belongs", { text: 5, hashtags: [] }],
    ["a missing field", { hashtags: [] }],
    ["a hashtag list of numbers", { text: "Hi", hashtags: [1, 2] }],
  ])("%s", (_label, value) => {
    const result = repairContent("facebook_post", value);
    expect(validateContent("facebook_post", result.value).ok).toBe(false);
  });

  it("parseContent returns the notes with the content", () => {
    const reply = JSON.stringify({ text: "<b>Just listed</b>", hashtags: ["#New Home"] });
    expect(parseContent("facebook_post", reply)).toEqual({
      ok: true,
      content: { kind: "facebook_post", text: "Just listed", hashtags: ["NewHome"] },
      repairs: ["Turned markup in the post text into plain text", 'Removed "#" and spaces from 1 hashtag'],
    });
    expect(parseContent("facebook_post", "[1]")).toMatchObject({ ok: false, repairs: [] });
  });
});

describe("one-line fields", () => {
  it("turn line breaks from markup into spaces in the headline, bullets and call to action", () => {
    const { value } = repaired("flyer_text", {
      headline: "<h1>Just Listed</h1>In Cypress Hollow",
      body: "<p>One.</p><p>Two.</p>",
      bullets: ["4 bedrooms<br>2.5 baths"],
      callToAction: "Call Chris<br/>Sunshine Realty",
    });
    expect(value).toMatchObject({
      headline: "Just Listed In Cypress Hollow",
      body: "One.\nTwo.",
      bullets: ["4 bedrooms 2.5 baths"],
      callToAction: "Call Chris Sunshine Realty",
    });
  });

  it("reports no shortening for a bullet that is dropped as one too many", () => {
    const bullets = [...Array.from({ length: 8 }, (_, i) => `Feature ${i}`), words(30)];
    const { repairs } = repaired("flyer_text", { headline: "H", body: "B", bullets, callToAction: "C" });
    expect(repairs).toEqual(["Removed 1 bullet over the flyer's 8"]);
  });
});
