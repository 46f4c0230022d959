import { env, exports } from "cloudflare:workers";
import { agents, mediaAssets, notifications } from "db";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { emailNotification } from "../src/agents/notifications/email";
import { createDb } from "../src/lib/db";
import { newId } from "../src/lib/ids";
import type { BrandView } from "../src/schemas/brand";
import { APP_ORIGIN, signedUpBrowser, type TestBrowser } from "./helpers/http";
import { encodePng } from "./helpers/png";

const db = () => createDb(env.DB);

/** A `width` x `height` RGBA PNG: an opaque disc on a transparent square. */
function png(width: number, height: number, shade = 40): Promise<Uint8Array> {
  const r = Math.min(width, height) / 2;
  return encodePng(width, height, 4, (x, y) => {
    const inside = (x - width / 2) ** 2 + (y - height / 2) ** 2 < r * r;
    return [shade, 90, 160, inside ? 255 : 0];
  });
}

async function encoded(width: number, height: number, format: "image/jpeg" | "image/webp") {
  const result = await env.IMAGES.input(new Blob([await png(width, height)]).stream()).output({ format });
  return new Uint8Array(await new Response(result.image()).arrayBuffer());
}

async function infoOf(bytes: ArrayBuffer | Uint8Array) {
  const info = await env.IMAGES.info(new Blob([bytes]).stream());
  if (!("width" in info)) throw new Error("not a bitmap");
  return info;
}

// The smallest GIF: one transparent pixel.
const GIF = Uint8Array.from(atob("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"), (c) =>
  c.charCodeAt(0),
);
const SVG = new TextEncoder().encode(
  '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><circle cx="50" cy="50" r="40"/></svg>',
);

let PNG_WIDE: Uint8Array;
let PNG_SQUARE: Uint8Array;
let JPEG_SMALL: Uint8Array;
let JPEG_WIDE: Uint8Array;
let WEBP_TALL: Uint8Array;

beforeAll(async () => {
  PNG_WIDE = await png(1200, 800);
  PNG_SQUARE = await png(300, 300, 200);
  JPEG_SMALL = await encoded(300, 200, "image/jpeg");
  JPEG_WIDE = await encoded(1000, 600, "image/jpeg");
  WEBP_TALL = await encoded(800, 1200, "image/webp");
});

type Upload = { status: number; body: BrandView & { error?: string } };

async function upload(
  browser: TestBrowser,
  kind: string,
  body: BodyInit,
  headers: Record<string, string> = {},
): Promise<Upload> {
  const response = await browser.fetch(`/api/brand/${kind}`, {
    method: "POST",
    headers: { Origin: APP_ORIGIN, "Content-Type": "image/png", ...headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as Upload["body"] };
}

const assetOf = (id: string) => db().select().from(mediaAssets).where(eq(mediaAssets.id, id)).get();
const idOf = (url: string) => /\/media\/([0-9a-f]{32})\.(png|jpg)$/.exec(url)?.[1] ?? "";

async function sha256(bytes: Uint8Array) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("brand images: POST /api/brand/<kind>", () => {
  it("a PNG logo is fitted within 600x600, kept transparent as PNG, stored, recorded and served", async () => {
    const { browser, agentId } = await signedUpBrowser();
    const res = await upload(browser, "logo", PNG_WIDE);
    expect(res.status).toBe(200);
    expect(res.body.logo).toMatchObject({ width: 600, height: 400 });
    expect(res.body.logo?.url).toMatch(/^\/media\/[0-9a-f]{32}\.png$/);
    expect(res.body.headshot).toBeNull();

    const id = idOf(res.body.logo?.url ?? "");
    const asset = await assetOf(id);
    expect(asset).toMatchObject({
      agentId,
      purpose: "logo",
      sourceUrl: `upload:${await sha256(PNG_WIDE)}`,
      contentType: "image/png",
      width: 600,
      height: 400,
    });
    const agent = await db().select().from(agents).where(eq(agents.id, agentId)).get();
    expect(agent?.logoAssetId).toBe(id);

    const served = await exports.default.fetch(new Request(`${APP_ORIGIN}${res.body.logo?.url}`));
    expect(served.status).toBe(200);
    expect(served.headers.get("Content-Type")).toBe("image/png");
    expect(served.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(served.headers.get("Cache-Control")).toContain("immutable");
    const bytes = new Uint8Array(await served.arrayBuffer());
    expect(await infoOf(bytes)).toMatchObject({ format: "image/png", width: 600, height: 400 });
    // IHDR colour type 6 (RGBA) or 4 (grey + alpha): the transparency survived.
    expect([4, 6]).toContain(bytes[25]);
    // Served under its own extension only.
    const asJpg = await exports.default.fetch(new Request(`${APP_ORIGIN}/media/${id}.jpg`));
    expect(asJpg.status).toBe(404);
  });

  it("a small JPEG logo is not enlarged; a JPEG headshot is cropped to a 400x400 JPEG", async () => {
    const { browser } = await signedUpBrowser();
    const logo = await upload(browser, "logo", JPEG_SMALL, { "Content-Type": "application/octet-stream" });
    expect(logo.status).toBe(200);
    expect(logo.body.logo).toMatchObject({ width: 300, height: 200 });
    expect(logo.body.logo?.url).toMatch(/\.png$/);

    const headshot = await upload(browser, "headshot", JPEG_WIDE);
    expect(headshot.status).toBe(200);
    expect(headshot.body.headshot).toMatchObject({ width: 400, height: 400 });
    expect(headshot.body.headshot?.url).toMatch(/^\/media\/[0-9a-f]{32}\.jpg$/);
    expect(headshot.body.logo).toEqual(logo.body.logo);
    const served = await exports.default.fetch(new Request(`${APP_ORIGIN}${headshot.body.headshot?.url}`));
    expect(served.headers.get("Content-Type")).toBe("image/jpeg");
    expect(await infoOf(await served.arrayBuffer())).toMatchObject({
      format: "image/jpeg",
      width: 400,
      height: 400,
    });
  });

  it("a WebP is accepted as a logo (PNG out) and as a headshot (JPEG out)", async () => {
    const { browser } = await signedUpBrowser();
    const logo = await upload(browser, "logo", WEBP_TALL, { "Content-Type": "image/webp" });
    expect(logo.status).toBe(200);
    expect(logo.body.logo).toMatchObject({ width: 400, height: 600 });
    const headshot = await upload(browser, "headshot", WEBP_TALL);
    expect(headshot.status).toBe(200);
    expect(headshot.body.headshot).toMatchObject({ width: 400, height: 400 });
    const asset = await assetOf(idOf(headshot.body.headshot?.url ?? ""));
    expect(asset?.contentType).toBe("image/jpeg");
    const object = await env.MEDIA.get(asset?.r2Key ?? "");
    expect(await infoOf(await (object as R2ObjectBody).arrayBuffer())).toMatchObject({
      format: "image/jpeg",
      width: 400,
      height: 400,
    });
  });

  it("refuses by content: a renamed text file, an SVG, a GIF and a broken PNG, whatever they claim", async () => {
    const { browser, agentId } = await signedUpBrowser();
    const refused = [new TextEncoder().encode("Just some notes, saved as logo.png"), SVG, GIF];
    for (const body of refused) {
      const res = await upload(browser, "logo", body, { "Content-Type": "image/png" });
      expect(res.status).toBe(415);
      expect(res.body.error).toBe("That file is not a PNG, JPEG or WebP image");
    }
    // A PNG's header with its pixels cut off passes the sniffing but not the resizing.
    const broken = await upload(browser, "logo", PNG_WIDE.slice(0, 60));
    expect(broken.status).toBe(415);
    expect(broken.body.error).toBe("That image could not be read. Try saving it again as PNG or JPEG.");
    // A few kilobytes that unpack past the Images binding's 12,000 px.
    const wide = await upload(browser, "logo", await png(12_001, 2));
    expect(wide.status).toBe(415);
    expect(wide.body.error).toBe("The image must be at most 12,000 pixels on each side");
    const stored = await db().select().from(mediaAssets).where(eq(mediaAssets.agentId, agentId));
    expect(stored).toEqual([]);
  });

  it("refuses more than 5 MB: by Content-Length, and while reading a body that declares none", async () => {
    const { browser, agentId } = await signedUpBrowser();
    const big = new Uint8Array(5 * 1024 * 1024 + 1);
    big.set(PNG_WIDE.subarray(0, 8));
    const declared = await upload(browser, "logo", big);
    expect(declared.status).toBe(413);
    expect(declared.body.error).toBe("The image must be at most 5 MB");

    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 6 * 1024 * 1024) return controller.close();
        sent += 256 * 1024;
        controller.enqueue(new Uint8Array(256 * 1024));
      },
    });
    const streamed = await upload(browser, "logo", stream);
    expect(streamed.status).toBe(413);
    expect(streamed.body.error).toBe("The image must be at most 5 MB");
    const stored = await db().select().from(mediaAssets).where(eq(mediaAssets.agentId, agentId));
    expect(stored).toEqual([]);
  });

  it("answers 401 without a session, 403 cross-origin and 404 for an unknown kind", async () => {
    const { browser } = await signedUpBrowser();
    const anonymous = await exports.default.fetch(
      new Request(`${APP_ORIGIN}/api/brand/logo`, {
        method: "POST",
        headers: { Origin: APP_ORIGIN },
        body: PNG_SQUARE,
      }),
    );
    expect(anonymous.status).toBe(401);
    const foreign = await browser.fetch("/api/brand/logo", {
      method: "POST",
      headers: { Origin: "https://evil.test" },
      body: PNG_SQUARE,
    });
    expect(foreign.status).toBe(403);
    const siteless = await browser.fetch("/api/brand/logo", {
      method: "POST",
      headers: { Origin: APP_ORIGIN, "Sec-Fetch-Site": "cross-site" },
      body: PNG_SQUARE,
    });
    expect(siteless.status).toBe(403);
    expect((await upload(browser, "banner", PNG_SQUARE)).status).toBe(404);
    expect((await browser.query<BrandView>("agent.getBrand")).data.logo).toBeNull();
  });

  it("a replaced logo's object and row are deleted; the same file again changes nothing", async () => {
    const { browser, agentId } = await signedUpBrowser();
    const first = await upload(browser, "logo", PNG_WIDE);
    const firstAsset = await assetOf(idOf(first.body.logo?.url ?? ""));
    expect(await env.MEDIA.head(firstAsset?.r2Key ?? "")).not.toBeNull();

    const again = await upload(browser, "logo", PNG_WIDE);
    expect(again.body.logo).toEqual(first.body.logo);

    const second = await upload(browser, "logo", PNG_SQUARE);
    expect(second.status).toBe(200);
    expect(second.body.logo?.url).not.toBe(first.body.logo?.url);
    expect(second.body.logo).toMatchObject({ width: 300, height: 300 });
    expect(await env.MEDIA.head(firstAsset?.r2Key ?? "")).toBeNull();
    expect(await assetOf(firstAsset?.id ?? "")).toBeUndefined();
    const old = await exports.default.fetch(new Request(`${APP_ORIGIN}${first.body.logo?.url}`));
    expect(old.status).toBe(404);
    const rows = await db().select().from(mediaAssets).where(eq(mediaAssets.agentId, agentId));
    expect(rows.map((row) => row.purpose)).toEqual(["logo"]);

    // Removing it deletes the object too.
    const secondAsset = await assetOf(idOf(second.body.logo?.url ?? ""));
    const removed = await browser.mutate<BrandView>("agent.removeBrandImage", { kind: "logo" });
    expect(removed.status).toBe(200);
    expect(removed.data.logo).toBeNull();
    expect(await env.MEDIA.head(secondAsset?.r2Key ?? "")).toBeNull();
    expect(await assetOf(secondAsset?.id ?? "")).toBeUndefined();
  });

  it("another agent neither sees nor changes your images or colours", async () => {
    const chris = await signedUpBrowser();
    const other = await signedUpBrowser("Other Agent");
    const logo = await upload(chris.browser, "logo", PNG_WIDE);
    await chris.browser.mutate("agent.updateBrand", {
      primaryColor: "#0a3d62",
      accentColor: "#8e2a0b",
      tagline: "Chris sells homes",
    });

    const theirs = await other.browser.query<BrandView>("agent.getBrand");
    expect(theirs.data.logo).toBeNull();
    expect(theirs.data.tagline).toBe("");
    await other.browser.mutate("agent.removeBrandImage", { kind: "logo" });
    await other.browser.mutate("agent.updateBrand", {
      primaryColor: "#222222",
      accentColor: "#333333",
      tagline: "Mine",
    });
    await upload(other.browser, "logo", PNG_SQUARE);

    const mine = await chris.browser.query<BrandView>("agent.getBrand");
    expect(mine.data).toMatchObject({
      primaryColor: "#0a3d62",
      accentColor: "#8e2a0b",
      tagline: "Chris sells homes",
      logo: logo.body.logo,
    });
    expect(
      await env.MEDIA.head((await assetOf(idOf(logo.body.logo?.url ?? "")))?.r2Key ?? ""),
    ).not.toBeNull();
  });
});

describe("brand colours and tagline: agent.updateBrand", () => {
  it("returns defaults first, saves valid colours with their contrast, and keeps the legacy logo URL", async () => {
    const { browser, agentId } = await signedUpBrowser();
    const initial = await browser.query<BrandView>("agent.getBrand");
    expect(initial.data).toMatchObject({ primaryColor: "#1f5f8b", tagline: "", logo: null, headshot: null });
    expect(initial.data.contrast.primary).toBeGreaterThanOrEqual(4.5);
    expect(initial.data.contrast.accent).toBeGreaterThanOrEqual(4.5);

    await db()
      .update(agents)
      .set({ brand: { logoUrl: "https://cdn.example.com/logo.png" } })
      .where(eq(agents.id, agentId));
    const saved = await browser.mutate<BrandView>("agent.updateBrand", {
      primaryColor: "#000000",
      accentColor: " #0A7D3B ",
      tagline: "  New homes, honest advice  ",
    });
    expect(saved.status).toBe(200);
    expect(saved.data).toMatchObject({
      primaryColor: "#000000",
      accentColor: "#0a7d3b",
      tagline: "New homes, honest advice",
      contrast: { primary: 21 },
    });
    expect(saved.data.contrast.accent).toBe(5.23);
    const agent = await db().select().from(agents).where(eq(agents.id, agentId)).get();
    expect(agent?.brand.logoUrl).toBe("https://cdn.example.com/logo.png");
  });

  it("refuses a colour under 4.5:1 against white text with a field error, and a long tagline", async () => {
    const { browser } = await signedUpBrowser();
    const light = await browser.mutate("agent.updateBrand", {
      primaryColor: "#1f5f8b",
      accentColor: "#ffcc00",
      tagline: "",
    });
    expect(light.status).toBe(400);
    expect(light.error?.data.fieldErrors?.accentColor?.[0]).toBe(
      "Accent colour is too light: white text on it must have a contrast of at least 4.5:1",
    );
    // #777777 is 4.48:1: just under the line.
    const grey = await browser.mutate("agent.updateBrand", {
      primaryColor: "#777777",
      accentColor: "#0a7d3b",
      tagline: "",
    });
    expect(grey.error?.data.fieldErrors?.primaryColor?.[0]).toContain("contrast of at least 4.5:1");
    const notHex = await browser.mutate("agent.updateBrand", {
      primaryColor: "red",
      accentColor: "#0a7d3b",
      tagline: "",
    });
    expect(notHex.error?.data.fieldErrors?.primaryColor?.[0]).toBe(
      "Primary colour must be a colour like #1f5f8b",
    );
    const long = await browser.mutate("agent.updateBrand", {
      primaryColor: "#1f5f8b",
      accentColor: "#0a7d3b",
      tagline: "x".repeat(121),
    });
    expect(long.error?.data.fieldErrors?.tagline?.[0]).toBe("Tagline must be at most 120 characters");
    expect((await browser.query<BrandView>("agent.getBrand")).data.tagline).toBe("");
  });
});

describe("the notification email's logo", () => {
  it("is the uploaded logo, as an absolute https /media URL", async () => {
    const url = inject("fakeEmailUrl");
    const { browser, agentId } = await signedUpBrowser();
    const logo = await upload(browser, "logo", PNG_SQUARE);
    const id = newId();
    await db()
      .insert(notifications)
      .values({ id, agentId, eventType: "post_succeeded", title: "Live", body: "Posted", dedupeKey: id });
    const row = await db().select().from(notifications).where(eq(notifications.id, id)).get();
    if (!row) throw new Error("no notification");
    const mailEnv = { ...env, APP_ORIGIN, EMAIL_API_URL: url, EMAIL_API_KEY: "re_test_key" };
    expect(await emailNotification(mailEnv, db(), row)).toBe(true);
    const sent = (await (await fetch(`${url}/__control/sent`)).json()) as {
      html: string;
      headers: Record<string, string>;
    }[];
    const mail = sent.find((m) => m.headers["idempotency-key"] === `notification:${id}:email`);
    expect(mail?.html).toContain(`<img src="${APP_ORIGIN}${logo.body.logo?.url}"`);
  });
});
