import { env, exports } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { facebookPhotoUrls, instagramPhotoUrls, instagramTarget } from "../src/agents/social/media";
import { MAX_IMAGE_BYTES } from "../src/lib/image-fetch";
import { APP_ORIGIN, signedUpBrowser } from "./helpers/http";
import { encodePng } from "./helpers/png";

/** A `width` x `height` RGB PNG: sky over lawn, so a crop is still a picture. */
function png(width: number, height: number): Promise<Uint8Array> {
  return encodePng(width, height, 3, (_x, y) => (y < height / 2 ? [120, 170, 230] : [70, 150, 60]));
}

/** A JPEG (or WebP) of that size, made with the Images binding itself. */
async function encoded(
  width: number,
  height: number,
  format: "image/jpeg" | "image/webp",
): Promise<Uint8Array> {
  const result = await env.IMAGES.input(new Blob([await png(width, height)]).stream()).output({ format });
  return new Uint8Array(await new Response(result.image()).arrayBuffer());
}
const jpeg = (width: number, height: number) => encoded(width, height, "image/jpeg");

async function infoOf(bytes: ArrayBuffer | Uint8Array) {
  const info = await env.IMAGES.info(new Blob([bytes]).stream());
  if (!("width" in info)) throw new Error("not a bitmap");
  return info;
}

const PUBLIC = "https://photos.builder-example.com";
let fixtures: Record<string, { body: Uint8Array; type: string }> = {};
let fetched: string[] = [];

beforeAll(async () => {
  fixtures = {
    [`${PUBLIC}/pano.png`]: { body: await png(3000, 1000), type: "image/png" },
    [`${PUBLIC}/tall.png`]: { body: await png(1000, 2000), type: "image/png" },
    [`${PUBLIC}/square.png`]: { body: await png(1080, 1080), type: "image/png" },
    [`${PUBLIC}/valid.jpg`]: { body: await jpeg(1080, 1080), type: "image/jpeg" },
    [`${PUBLIC}/huge.jpg`]: { body: await jpeg(2400, 1600), type: "image/jpeg" },
    [`${PUBLIC}/small.jpg`]: { body: await jpeg(250, 250), type: "image/jpeg" },
    [`${PUBLIC}/thumb.jpg`]: { body: await jpeg(16, 12), type: "image/jpeg" },
    [`${PUBLIC}/giant.jpg`]: { body: new Uint8Array(MAX_IMAGE_BYTES + 1), type: "image/jpeg" },
    [`${PUBLIC}/photo.webp`]: { body: await encoded(1200, 800, "image/webp"), type: "image/webp" },
    [`${PUBLIC}/lying.jpg`]: { body: new TextEncoder().encode("<!doctype html><p>hi"), type: "image/jpeg" },
    [`${PUBLIC.replace("https:", "http:")}/valid.jpg`]: { body: await jpeg(1080, 1350), type: "image/jpeg" },
  };
});

/**
 * The public image hosts are faked here (the worker would reach the internet); the local builder site
 * (loopback, allow-listed in tests) is fetched for real.
 */
function fakeImageHosts() {
  fetched = [];
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.startsWith("http://127.0.0.1")) return realFetch(input, init);
    fetched.push(url);
    const fixture = fixtures[url];
    return fixture
      ? new Response(fixture.body, { headers: { "Content-Type": fixture.type } })
      : new Response("no such fake", { status: 404 });
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

async function agent(): Promise<string> {
  return (await signedUpBrowser()).agentId;
}

/** The stored JPEG behind a /media URL, read back through the Worker as Meta would. */
async function served(url: string): Promise<Response> {
  expect(url.startsWith(`${APP_ORIGIN}/media/`)).toBe(true);
  return exports.default.fetch(new Request(url));
}

async function servedInfo(url: string) {
  const response = await served(url);
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("image/jpeg");
  return infoOf(await response.arrayBuffer());
}

const assetRows = (agentId: string) =>
  env.DB.prepare("select * from rltr_mktg_media_assets where agent_id = ? order by created_at")
    .bind(agentId)
    .all<{ id: string; source_url: string; width: number; height: number; bytes: number; r2_key: string }>();

describe("instagramTarget", () => {
  it("crops to the nearest allowed ratio and clamps the width", () => {
    expect(instagramTarget(3000, 1000)).toEqual({ width: 1440, height: 754 });
    expect(instagramTarget(1000, 2000)).toEqual({ width: 1000, height: 1250 });
    expect(instagramTarget(2000, 4000)).toEqual({ width: 1440, height: 1800 });
    expect(instagramTarget(250, 250)).toEqual({ width: 320, height: 320 });
    expect(instagramTarget(16, 12)).toBeNull();
    for (const [w, h] of [
      [3001, 997],
      [401, 1003],
      [5000, 2617],
      [333, 417],
    ] as const) {
      const target = instagramTarget(w, h);
      if (!target) throw new Error("no target");
      expect(target.width / target.height).toBeGreaterThanOrEqual(0.8);
      expect(target.width / target.height).toBeLessThanOrEqual(1.91);
    }
  });
});

describe("instagramPhotoUrls", () => {
  it("crops a wide panorama to 1.91:1 at 1440 px and serves the JPEG from /media", async () => {
    fakeImageHosts();
    const agentId = await agent();
    const result = await instagramPhotoUrls(env, {
      agentId,
      origin: APP_ORIGIN,
      urls: [`${PUBLIC}/pano.png`],
    });
    expect(result.problems).toEqual([]);
    expect(result.urls).toHaveLength(1);
    const info = await servedInfo(result.urls[0] as string);
    expect(info).toMatchObject({ format: "image/jpeg", width: 1440, height: 754 });
    expect(info.width / info.height).toBeLessThanOrEqual(1.91);
  });

  it("crops a tall photo to 4:5 and turns a PNG of a valid ratio into a JPEG of the same size", async () => {
    fakeImageHosts();
    const agentId = await agent();
    const result = await instagramPhotoUrls(env, {
      agentId,
      origin: APP_ORIGIN,
      urls: [`${PUBLIC}/tall.png`, `${PUBLIC}/square.png`, `${PUBLIC}/huge.jpg`],
    });
    expect(result.problems).toEqual([]);
    const [tall, square, huge] = await Promise.all(result.urls.map(servedInfo));
    expect(tall).toMatchObject({ format: "image/jpeg", width: 1000, height: 1250 });
    expect(square).toMatchObject({ format: "image/jpeg", width: 1080, height: 1080 });
    // A JPEG wider than 1440 px is scaled down, its 3:2 ratio kept.
    expect(huge).toMatchObject({ format: "image/jpeg", width: 1440, height: 960 });
    const rows = (await assetRows(agentId)).results;
    expect(rows.map((row) => [row.source_url, row.width, row.height])).toEqual([
      [`${PUBLIC}/tall.png`, 1000, 1250],
      [`${PUBLIC}/square.png`, 1080, 1080],
      [`${PUBLIC}/huge.jpg`, 1440, 960],
    ]);
    for (const row of rows) expect(row.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it("keeps a valid JPEG on a public https host and re-hosts one Meta could not fetch", async () => {
    fakeImageHosts();
    const agentId = await agent();
    const http = `${PUBLIC.replace("https:", "http:")}/valid.jpg`;
    const result = await instagramPhotoUrls(env, {
      agentId,
      origin: APP_ORIGIN,
      urls: [`${PUBLIC}/valid.jpg`, http],
    });
    expect(result.problems).toEqual([]);
    expect(result.urls[0]).toBe(`${PUBLIC}/valid.jpg`);
    // Copied as it was: the same bytes, not re-encoded.
    const copy = await served(result.urls[1] as string);
    expect(new Uint8Array(await copy.arrayBuffer())).toEqual(fixtures[http]?.body);
  });

  it("upscales a 250 px photo to 320 (200 px at least) and skips a thumbnail smaller than that", async () => {
    fakeImageHosts();
    const agentId = await agent();
    const thumbnail = `${PUBLIC}/thumb.jpg`;
    const result = await instagramPhotoUrls(env, {
      agentId,
      origin: APP_ORIGIN,
      urls: [`${PUBLIC}/small.jpg`, thumbnail],
    });
    expect(await servedInfo(result.urls[0] as string)).toMatchObject({ width: 320, height: 320 });
    expect(result.urls).toHaveLength(1);
    expect(result.problems).toEqual([
      `Photo 2 (${thumbnail}) was skipped: it is 16×12 px, too small for Instagram (320 px wide at least).`,
    ]);
  });

  it("skips a web page, a fake image, a missing, a private and an oversized photo, in plain words", async () => {
    fakeImageHosts();
    const agentId = await agent();
    const page = `${inject("builderSiteUrl")}/`;
    const result = await instagramPhotoUrls(env, {
      agentId,
      origin: APP_ORIGIN,
      urls: [
        page,
        `${PUBLIC}/lying.jpg`,
        `${PUBLIC}/gone.jpg`,
        "http://10.0.0.1/x.jpg",
        `${PUBLIC}/giant.jpg`,
      ],
    });
    expect(result.urls).toEqual([]);
    expect(result.problems).toEqual([
      `Photo 1 (${page}) was skipped: the link does not lead to an image.`,
      `Photo 2 (${PUBLIC}/lying.jpg) was skipped: the file is not an image we can read.`,
      `Photo 3 (${PUBLIC}/gone.jpg) was skipped: image host answered 404.`,
      "Photo 4 (http://10.0.0.1/x.jpg) was skipped: image hosts must be named, not IP addresses.",
      `Photo 5 (${PUBLIC}/giant.jpg) was skipped: the file could not be downloaded in full (over 10 MB or cut off).`,
      "No photo of this listing can be used on Instagram.",
    ]);
    expect((await assetRows(agentId)).results).toEqual([]);
  });

  it("converts a photo once: the second call reuses the row without fetching the source", async () => {
    fakeImageHosts();
    const agentId = await agent();
    const urls = [`${PUBLIC}/pano.png`];
    const first = await instagramPhotoUrls(env, { agentId, origin: APP_ORIGIN, urls });
    const second = await instagramPhotoUrls(env, { agentId, origin: APP_ORIGIN, urls });
    expect(second).toEqual(first);
    expect(fetched).toEqual([`${PUBLIC}/pano.png`]);
    expect((await assetRows(agentId)).results).toHaveLength(1);
    // Another agent's listing with the same photo gets its own copy.
    const other = await agent();
    const theirs = await instagramPhotoUrls(env, { agentId: other, origin: APP_ORIGIN, urls });
    expect(theirs.urls[0]).not.toBe(first.urls[0]);
  });

  it("two conversions of the same photo at once end with one row and one stored object", async () => {
    fakeImageHosts();
    const agentId = await agent();
    const urls = [`${PUBLIC}/tall.png`];
    const [a, b] = await Promise.all([
      instagramPhotoUrls(env, { agentId, origin: APP_ORIGIN, urls }),
      instagramPhotoUrls(env, { agentId, origin: APP_ORIGIN, urls }),
    ]);
    expect(a).toEqual(b);
    const rows = (await assetRows(agentId)).results;
    expect(rows).toHaveLength(1);
    const listed = await env.MEDIA.list({ prefix: `instagram/${agentId}/` });
    expect(listed.objects.map((o) => o.key)).toEqual([rows[0]?.r2_key]);
  });

  it("takes at most 10 photos, in order", async () => {
    fakeImageHosts();
    const agentId = await agent();
    const urls = Array.from({ length: 12 }, () => `${PUBLIC}/valid.jpg`);
    const result = await instagramPhotoUrls(env, { agentId, origin: APP_ORIGIN, urls });
    expect(result.urls).toHaveLength(10);
  });
});

describe("facebookPhotoUrls", () => {
  it("keeps JPEG and PNG URLs of any ratio and reports an unreachable photo", async () => {
    fakeImageHosts();
    const agentId = await agent();
    const urls = [`${PUBLIC}/pano.png`, `${PUBLIC}/valid.jpg`, `${PUBLIC}/gone.jpg`];
    const result = await facebookPhotoUrls(env, { agentId, origin: APP_ORIGIN, urls });
    expect(result.urls).toEqual([`${PUBLIC}/pano.png`, `${PUBLIC}/valid.jpg`]);
    expect(result.problems).toEqual([`Photo 3 (${PUBLIC}/gone.jpg) was skipped: image host answered 404.`]);
  });

  it("converts a WebP photo to a JPEG once and serves it from /media", async () => {
    fakeImageHosts();
    const agentId = await agent();
    const urls = [`${PUBLIC}/photo.webp`];
    const result = await facebookPhotoUrls(env, { agentId, origin: APP_ORIGIN, urls });
    expect(result.problems).toEqual([]);
    expect(await servedInfo(result.urls[0] as string)).toMatchObject({ width: 1200, height: 800 });
    expect(await facebookPhotoUrls(env, { agentId, origin: APP_ORIGIN, urls })).toEqual(result);
    expect(fetched).toEqual(urls);
  });
});

describe("GET /media/:id", () => {
  it("serves the stored JPEG, immutable and never sniffed", async () => {
    fakeImageHosts();
    const agentId = await agent();
    const { urls } = await instagramPhotoUrls(env, {
      agentId,
      origin: APP_ORIGIN,
      urls: [`${PUBLIC}/square.png`],
    });
    const response = await served(urls[0] as string);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("image/jpeg");
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    const body = new Uint8Array(await response.arrayBuffer());
    expect(Number(response.headers.get("Content-Length"))).toBe(body.byteLength);
    expect([...body.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
  });

  it("answers 404 for an unknown, malformed or extension-less id", async () => {
    fakeImageHosts();
    const agentId = await agent();
    await instagramPhotoUrls(env, { agentId, origin: APP_ORIGIN, urls: [`${PUBLIC}/square.png`] });
    const known = (await assetRows(agentId)).results[0]?.id;
    expect(known).toMatch(/^[0-9a-f]{32}$/);
    for (const path of [
      `/media/${"ab".repeat(16)}.jpg`,
      "/media/not-an-id.jpg",
      `/media/${known}`,
      "/media/",
      "/media/a/b.jpg",
    ]) {
      const response = await exports.default.fetch(new Request(`${APP_ORIGIN}${path}`));
      expect(response.status, path).toBe(404);
      expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
      await response.body?.cancel();
    }
  });
});
