import { env } from "cloudflare:workers";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { app } from "../src/app";
import { MAX_IMAGE_BYTES } from "../src/lib/image-fetch";
import { APP_ORIGIN, signedUpBrowser, TestBrowser } from "./helpers/http";

type Agent = Awaited<ReturnType<typeof signedUpBrowser>>;

/** A signed-up agent with one manual listing whose photos are `urls` (as an agent can type them in). */
async function agentWithPhotos(urls: string[]): Promise<Agent> {
  const agent = await signedUpBrowser();
  const now = Date.now();
  await env.DB.prepare(
    `insert into rltr_mktg_listings (id, agent_id, origin, source_key, content_hash, address_line, image_urls,
       first_seen_at, last_seen_at) values (?, ?, 'manual', ?, 'hash', '1 Test Way', ?, ?, ?)`,
  )
    .bind(crypto.randomUUID(), agent.agentId, crypto.randomUUID(), JSON.stringify(urls), now, now)
    .run();
  return agent;
}

/**
 * GET /api/images through the whole app, with the allow-list given here rather than whatever the
 * developer's .dev.vars says.
 */
function proxy(agent: Agent, src: string, allowHosts = "") {
  return app.request(
    `${APP_ORIGIN}/api/images?src=${encodeURIComponent(src)}`,
    { headers: { Cookie: `rm_session=${agent.browser.cookies.get("rm_session")}` } },
    { ...env, IMAGE_PROXY_ALLOW_HOSTS: allowHosts },
  );
}

const JPEG_BYTES = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);
/** Fakes the image hosts on the public internet; each call answers from `routes` by URL. */
function fakeImageHosts(routes: Record<string, () => Response>) {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
    const url = input instanceof Request ? input.url : String(input);
    const route = routes[url];
    return route ? route() : new Response("no such fake", { status: 404 });
  });
}
const jpeg = () => new Response(JPEG_BYTES, { headers: { "Content-Type": "image/jpeg" } });
const redirectTo = (location: string) => () =>
  new Response(null, { status: 302, headers: { Location: location } });

/** A body of `total` bytes pulled in 64 KiB chunks; `pulled()` tells how much the reader took. */
function endlessImage(total: number) {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      sent += 65_536;
      controller.enqueue(new Uint8Array(65_536));
    },
  });
  return { body, pulled: () => sent };
}

async function drain(response: Response): Promise<{ bytes: number; failed: boolean }> {
  const reader = response.body?.getReader();
  let bytes = 0;
  try {
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) return { bytes, failed: false };
      bytes += chunk.value.byteLength;
    }
  } catch {
    return { bytes, failed: true };
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("image proxy /api/images", () => {
  it("serves a photo of the agent's listing from an explicitly allowed host (the local builder site)", async () => {
    const src = `${inject("builderSiteUrl")}/images/test-home-1.jpg`;
    const agent = await agentWithPhotos([src]);
    const res = await proxy(agent, src, "127.0.0.1");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("image/jpeg");
    expect(res.headers.get("Content-Security-Policy")).toBe("default-src 'none'; sandbox");
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it("refuses the same loopback photo when the host is not on the allow-list", async () => {
    const src = `${inject("builderSiteUrl")}/images/test-home-1.jpg`;
    const agent = await agentWithPhotos([src]);
    const upstream = vi.spyOn(globalThis, "fetch");
    const res = await proxy(agent, src, "");
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/IP address/);
    expect(upstream).not.toHaveBeenCalled();
  });

  const refused = [
    "http://127.0.0.2/a.jpg",
    "http://2130706433/a.jpg", // 127.0.0.1 in decimal
    "http://0x7f.0.0.1/a.jpg", // hex
    "http://0177.0.0.1/a.jpg", // octal
    "http://[::1]/a.jpg",
    "http://[::ffff:127.0.0.1]/a.jpg",
    "http://10.1.2.3/a.jpg",
    "http://172.16.0.9/a.jpg",
    "http://192.168.1.20/a.jpg",
    "http://100.64.0.1/a.jpg", // CGNAT
    "http://169.254.169.254/latest/meta-data/", // link-local cloud metadata
    "http://[fd00::1]/a.jpg", // unique local
    "http://[fe80::1]/a.jpg", // link-local
    "http://localhost/a.jpg",
    "http://photos.localhost/a.jpg",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://printer.local/a.jpg",
    "http://intranet/a.jpg",
    "http://photos.example.com:8080/a.jpg",
    "http://user:secret@photos.example.com/a.jpg",
  ];
  it("refuses loopback, private, link-local, CGNAT, metadata and local hosts before fetching", async () => {
    const agent = await agentWithPhotos(refused);
    const upstream = vi.spyOn(globalThis, "fetch");
    for (const src of refused) expect((await proxy(agent, src)).status, src).toBe(403);
    // The allow-list names exact hosts: allowing the builder site's 127.0.0.1 does not open loopback.
    expect((await proxy(agent, "http://127.0.0.2/a.jpg", "127.0.0.1")).status).toBe(403);
    expect(upstream).not.toHaveBeenCalled();
  });

  it("sees decimal, hex and octal IPv4 forms as the address they are", () => {
    for (const form of ["2130706433", "0x7f.0.0.1", "0177.0.0.1", "0x7f000001", "127.1"]) {
      expect(new URL(`http://${form}/`).hostname).toBe("127.0.0.1");
    }
  });

  it("follows redirects by hand and refuses a hop to a private host", async () => {
    const src = "https://photos.example.com/a.jpg";
    const agent = await agentWithPhotos([src]);
    const upstream = fakeImageHosts({
      [src]: redirectTo("https://cdn.example.net/a.jpg"),
      "https://cdn.example.net/a.jpg": redirectTo("http://169.254.169.254/latest/meta-data/"),
    });
    const res = await proxy(agent, src);
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/^Redirect refused/);
    expect(upstream).toHaveBeenCalledTimes(2);
    for (const [, init] of upstream.mock.calls) expect(init?.redirect).toBe("manual");
  });

  it("follows up to three public redirects, and refuses a fourth", async () => {
    const src = "https://photos.example.com/a.jpg";
    const agent = await agentWithPhotos([src]);
    fakeImageHosts({
      [src]: redirectTo("/b.jpg"),
      "https://photos.example.com/b.jpg": redirectTo("https://cdn.example.net/c.jpg"),
      "https://cdn.example.net/c.jpg": redirectTo("https://cdn.example.net/d.jpg"),
      "https://cdn.example.net/d.jpg": jpeg,
    });
    expect((await proxy(agent, src)).status).toBe(200);
    vi.restoreAllMocks();
    fakeImageHosts({
      [src]: redirectTo("/b.jpg"),
      "https://photos.example.com/b.jpg": redirectTo("/c.jpg"),
      "https://photos.example.com/c.jpg": redirectTo("/d.jpg"),
      "https://photos.example.com/d.jpg": redirectTo("/e.jpg"),
      "https://photos.example.com/e.jpg": jpeg,
    });
    const res = await proxy(agent, src);
    expect(res.status).toBe(502);
    expect(await res.text()).toBe("Too many redirects");
  });

  it("counts the bytes it streams and stops past 10 MB, whatever Content-Length says", async () => {
    const src = "https://photos.example.com/huge.jpg";
    const agent = await agentWithPhotos([src]);
    for (const declared of [null, "1024"]) {
      const upstream = endlessImage(4 * MAX_IMAGE_BYTES);
      fakeImageHosts({
        [src]: () =>
          new Response(upstream.body, {
            headers: { "Content-Type": "image/jpeg", ...(declared ? { "Content-Length": declared } : {}) },
          }),
      });
      const res = await proxy(agent, src);
      const { bytes, failed } = await drain(res);
      expect(failed, `Content-Length ${declared}`).toBe(true);
      expect(bytes).toBeLessThanOrEqual(MAX_IMAGE_BYTES);
      // The upstream was cancelled, not drained to its end.
      expect(upstream.pulled()).toBeLessThan(2 * MAX_IMAGE_BYTES);
      vi.restoreAllMocks();
    }
  });

  it("refuses a declared size over 10 MB at once", async () => {
    const src = "https://photos.example.com/big.jpg";
    const agent = await agentWithPhotos([src]);
    fakeImageHosts({
      [src]: () =>
        new Response(endlessImage(1024).body, {
          headers: { "Content-Type": "image/jpeg", "Content-Length": String(MAX_IMAGE_BYTES + 1) },
        }),
    });
    expect((await proxy(agent, src)).status).toBe(413);
  });

  it.each([
    ["text/html", "<script>alert(1)</script>"],
    ["image/svg+xml", "<svg onload='alert(1)'/>"],
    ["application/octet-stream", "MZ"],
  ])("serves raster images only, not %s", async (type, body) => {
    const src = "https://photos.example.com/not-a-photo";
    const agent = await agentWithPhotos([src]);
    fakeImageHosts({ [src]: () => new Response(body, { headers: { "Content-Type": type } }) });
    const res = await proxy(agent, src);
    expect(res.status).toBe(415);
    expect(await res.text()).toBe("Not an image");
  });

  it("serves only the signed-in agent's own listing photos, and nothing without a session", async () => {
    const src = "https://photos.example.com/mine.jpg";
    await agentWithPhotos([src]);
    const other = await signedUpBrowser();
    const upstream = fakeImageHosts({ [src]: jpeg });
    expect((await proxy(other, src)).status).toBe(404);
    const visitor = await new TestBrowser().fetch(`/api/images?src=${encodeURIComponent(src)}`);
    expect(visitor.status).toBe(401);
    expect(upstream).not.toHaveBeenCalled();
  });
});
