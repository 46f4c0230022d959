// The one client for listing photos on builders' sites and agents' own image hosts. The URLs come from
// agents (manual listings) as much as from builders, so every hop is checked before it is fetched.
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
const MAX_REDIRECTS = 3;
const TIMEOUT_MS = 10_000;
// SVG can carry script; only raster images pass.
const RASTER_TYPE = /^image\/(jpeg|png|gif|webp|avif)$/;

export type ImagePolicy = {
  /** Host names (no port) fetched although they are IP literals or local names: local development only. */
  allowHosts: ReadonlySet<string>;
  maxBytes?: number;
};

export type FetchedImage = { ok: true; response: Response } | { ok: false; status: number; reason: string };

/** IMAGE_PROXY_ALLOW_HOSTS is a comma-separated list of host names, empty in production. */
export function imagePolicyFromEnv(env: Pick<Env, "IMAGE_PROXY_ALLOW_HOSTS">): ImagePolicy {
  const hosts = (env.IMAGE_PROXY_ALLOW_HOSTS ?? "")
    .split(",")
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean);
  return { allowHosts: new Set(hosts) };
}

// Names that resolve to this machine or a private network by convention (RFC 6761, 6762, 8375) or
// serve cloud metadata (metadata.google.internal).
const LOCAL_NAME = /(^|\.)(localhost|local|localdomain|internal|intranet|lan|home|corp|home\.arpa|arpa)$/;

/**
 * Why `url` may not be fetched, or null. Every IP literal is refused (the URL parser has already turned
 * decimal, hex and octal IPv4 forms into dotted quads), and so are local names and single-label hosts:
 * what is left is a public DNS name on the standard port.
 */
export function refusedImageUrl(url: URL, policy: ImagePolicy): string | null {
  if (url.protocol !== "https:" && url.protocol !== "http:") return "Only http and https images";
  if (url.username || url.password) return "Image URLs may not carry credentials";
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (policy.allowHosts.has(host)) return null;
  if (host.startsWith("[") || /^\d+\.\d+\.\d+\.\d+$/.test(host))
    return "Image hosts must be named, not IP addresses";
  if (url.port !== "") return "Image hosts must use the standard port";
  if (!host.includes(".") || LOCAL_NAME.test(host)) return "Image host is not public";
  return null;
}

/** Passes at most `maxBytes` through and errors the stream (cancelling the upstream) past it. */
function capped(body: ReadableStream<Uint8Array>, maxBytes: number): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(new Error("Image too large"));
        else controller.enqueue(chunk);
      },
    }),
  );
}

export async function fetchListingImage(
  src: string,
  userAgent: string,
  policy: ImagePolicy,
): Promise<FetchedImage> {
  const maxBytes = policy.maxBytes ?? MAX_IMAGE_BYTES;
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  let url: URL;
  try {
    url = new URL(src);
  } catch {
    return { ok: false, status: 400, reason: "Bad image URL" };
  }
  for (let hop = 0; ; hop++) {
    const refused = refusedImageUrl(url, policy);
    if (refused) return { ok: false, status: 403, reason: hop ? `Redirect refused: ${refused}` : refused };
    let upstream: Response;
    try {
      upstream = await fetch(url, {
        headers: { "User-Agent": userAgent, Accept: "image/avif,image/webp,image/*;q=0.8" },
        // Followed here, not by fetch, so each hop is checked like the first.
        redirect: "manual",
        signal,
        cf: { cacheEverything: true, cacheTtl: 86_400 },
      });
    } catch {
      return { ok: false, status: 502, reason: "Image host unreachable" };
    }
    const location = upstream.headers.get("Location");
    if (upstream.status >= 300 && upstream.status < 400 && location) {
      await upstream.body?.cancel();
      if (hop >= MAX_REDIRECTS) return { ok: false, status: 502, reason: "Too many redirects" };
      try {
        url = new URL(location, url);
      } catch {
        return { ok: false, status: 502, reason: "Bad redirect" };
      }
      continue;
    }
    if (!upstream.ok || !upstream.body) {
      await upstream.body?.cancel();
      return { ok: false, status: 502, reason: `Image host answered ${upstream.status}` };
    }
    const type = (upstream.headers.get("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (!RASTER_TYPE.test(type)) {
      await upstream.body.cancel();
      return { ok: false, status: 415, reason: "Not an image" };
    }
    // A declared size over the cap is refused at once; an absent or lying one is caught while streaming.
    if (Number(upstream.headers.get("Content-Length") ?? 0) > maxBytes) {
      await upstream.body.cancel();
      return { ok: false, status: 413, reason: "Image too large" };
    }
    return {
      ok: true,
      response: new Response(capped(upstream.body, maxBytes), {
        headers: {
          "Content-Type": type,
          "Cache-Control": "private, max-age=86400",
          "Content-Security-Policy": "default-src 'none'; sandbox",
        },
      }),
    };
  }
}
