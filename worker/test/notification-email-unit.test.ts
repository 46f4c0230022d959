import { env } from "cloudflare:workers";
import { encodeBase64, encodeBase64urlNoPadding } from "@oslojs/encoding";
import { describe, expect, it } from "vitest";
import { parseAddress } from "../src/lib/email";
import { type EmailLayout, renderEmail, safeColor, safeLogoUrl } from "../src/lib/email-template";
import { unsubscribeHeaders, unsubscribeToken, verifyUnsubscribeToken } from "../src/services/unsubscribe";

const layout = (over: Partial<EmailLayout> = {}): EmailLayout => ({
  branding: {
    agentName: "Chris Agent",
    brokerageName: "Sunshine Realty",
    brand: {
      primaryColor: "#aa3300",
      tagline: "Homes <b>you</b> love",
      logoUrl: "https://cdn.test/logo.png",
    },
  },
  title: "Post published",
  body: "Your post is live.\n\nOpen it to see the first comments.",
  button: { label: "Open in Realtor Marketing", url: "https://app.test/posts?id=1&x=2" },
  footer: {
    reason: "You get this email because “Post published” emails are on.",
    unsubscribeUrl: "https://app.test/unsubscribe?token=abc.def",
    settingsUrl: "https://app.test/settings#notifications",
  },
  ...over,
});

const hrefs = (html: string) =>
  [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]?.replaceAll("&amp;", "&"));

describe("the email template", () => {
  it("keeps markup in a title and a body as text, in the HTML and the text twin", () => {
    const { html, text } = renderEmail(
      layout({ title: `<script>alert("x")</script> & co`, body: `<img src=x onerror=alert(1)> "quoted"` }),
    );
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot;");
    // The text twin is plain text: nothing to escape, the words are as written.
    expect(text.split("\n")[0]).toBe(`<script>alert("x")</script> & co`);
  });

  it("has the button link, the unsubscribe and the settings links; the text twin has the same links", () => {
    const { html, text } = renderEmail(layout());
    const links = hrefs(html);
    expect(links).toEqual([
      "https://app.test/posts?id=1&x=2",
      "https://app.test/unsubscribe?token=abc.def",
      "https://app.test/settings#notifications",
    ]);
    expect(html).toContain(">Open in Realtor Marketing</a>");
    expect(html).toContain(">Turn off these emails</a>");
    expect(html).toContain(">Notification settings</a>");
    for (const link of links) expect(text).toContain(link as string);
    expect(text).toContain("Turn off these emails: https://app.test/unsubscribe?token=abc.def");
  });

  it("shows the agent's branding: name, brokerage, tagline (escaped), logo and color", () => {
    const { html, text } = renderEmail(layout());
    expect(html).toContain("Chris Agent");
    expect(html).toContain("Sunshine Realty");
    expect(html).toContain("Homes &lt;b&gt;you&lt;/b&gt; love");
    expect(html).toContain('src="https://cdn.test/logo.png"');
    expect(html).toContain("background:#aa3300");
    expect(text).toContain("Chris Agent · Sunshine Realty");
  });

  it("refuses brand values that would break out of a style or an image", () => {
    expect(safeColor("red;background:url(https://evil.test)", "#1f5f8b")).toBe("#1f5f8b");
    expect(safeColor("#ABC", "#1f5f8b")).toBe("#ABC");
    expect(safeLogoUrl("javascript:alert(1)")).toBeNull();
    expect(safeLogoUrl("http://cdn.test/logo.png")).toBeNull();
    const { html } = renderEmail(
      layout({
        branding: {
          agentName: "A",
          brokerageName: "",
          brand: { primaryColor: 'x" onload="alert(1)', logoUrl: "javascript:alert(1)" },
        },
      }),
    );
    expect(html).not.toContain("onload");
    expect(html).not.toContain("javascript:");
    expect(html).not.toContain("<img");
  });

  it("lists grouped items with their links (the digest)", () => {
    const { html, text } = renderEmail(
      layout({
        sections: [
          {
            heading: "New listings",
            items: [{ title: "3 new <homes>", body: "In Tampa", url: "https://app.test/listings" }],
          },
          { heading: "Drafts ready", items: [{ title: "2 drafts", body: "", url: null }] },
        ],
      }),
    );
    expect(html).toContain("New listings");
    expect(html).toContain("3 new &lt;homes&gt;");
    expect(hrefs(html)).toContain("https://app.test/listings");
    expect(text).toContain("NEW LISTINGS");
    expect(text).toContain("- 3 new <homes>\n  In Tampa\n  https://app.test/listings");
    expect(text).toContain("- 2 drafts");
  });
});

describe("unsubscribe tokens", () => {
  const target = { agentId: "agent123", topic: "post_succeeded" as const };

  it("verifies its own token and names the agent and event", async () => {
    const token = await unsubscribeToken(env, target);
    expect(token).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(await verifyUnsubscribeToken(env, token)).toEqual(target);
    expect(
      await verifyUnsubscribeToken(env, await unsubscribeToken(env, { ...target, topic: "digest" })),
    ).toEqual({
      ...target,
      topic: "digest",
    });
  });

  it("refuses forged, altered, truncated and malformed tokens", async () => {
    const token = await unsubscribeToken(env, target);
    const [payload, mac] = token.split(".") as [string, string];
    const otherAgent = encodeBase64urlNoPadding(new TextEncoder().encode("1:agent999:post_succeeded"));
    const otherEvent = encodeBase64urlNoPadding(new TextEncoder().encode("1:agent123:post_failed"));
    const flipped = `${mac.slice(0, -2)}${mac.at(-2) === "A" ? "B" : "A"}${mac.at(-1)}`;
    const forgedKey = {
      TOKEN_ENCRYPTION_KEY: encodeBase64(new Uint8Array(32).fill(7)),
      TOKEN_ENCRYPTION_KEY_PREVIOUS: "",
    };
    const bad = [
      `${otherAgent}.${mac}`,
      `${otherEvent}.${mac}`,
      `${payload}.${flipped}`,
      token.slice(0, -1),
      token.slice(0, 20),
      payload,
      `${token}.x`,
      "",
      "not a token",
      "a".repeat(1000),
      await unsubscribeToken(forgedKey, target),
      // A payload that is signed correctly but is not a topic we know.
      await unsubscribeToken(env, { agentId: "agent123", topic: "nope" as never }),
    ];
    for (const candidate of bad) expect(await verifyUnsubscribeToken(env, candidate), candidate).toBeNull();
  });

  it("still verifies a link signed with the previous key after a rotation", async () => {
    const oldKey = encodeBase64(crypto.getRandomValues(new Uint8Array(32)));
    const newKey = encodeBase64(crypto.getRandomValues(new Uint8Array(32)));
    const token = await unsubscribeToken(
      { TOKEN_ENCRYPTION_KEY: oldKey, TOKEN_ENCRYPTION_KEY_PREVIOUS: "" },
      target,
    );
    const rotated = { TOKEN_ENCRYPTION_KEY: newKey, TOKEN_ENCRYPTION_KEY_PREVIOUS: oldKey };
    expect(await verifyUnsubscribeToken(rotated, token)).toEqual(target);
    expect(await verifyUnsubscribeToken({ ...rotated, TOKEN_ENCRYPTION_KEY_PREVIOUS: "" }, token)).toBeNull();
  });

  it("puts the one-click headers on https origins only", () => {
    expect(unsubscribeHeaders({ APP_ORIGIN: "https://app.test/" }, "a.b")).toEqual({
      "List-Unsubscribe": "<https://app.test/api/email/unsubscribe?token=a.b>",
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    });
    expect(unsubscribeHeaders({ APP_ORIGIN: "http://localhost:8787" }, "a.b")).toEqual({});
  });
});

describe("sender addresses for the Cloudflare binding", () => {
  it("splits a display name from the address", () => {
    expect(parseAddress("Realtor Marketing <noreply@example.com>")).toEqual({
      name: "Realtor Marketing",
      email: "noreply@example.com",
    });
    expect(parseAddress('"Chris, Agent" <c@example.com>')).toEqual({
      name: "Chris, Agent",
      email: "c@example.com",
    });
    expect(parseAddress("noreply@example.com")).toBe("noreply@example.com");
    expect(parseAddress("<noreply@example.com>")).toBe("noreply@example.com");
  });
});
