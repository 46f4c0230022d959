// The one client for listing photos on builders' sites and agents' own image hosts.
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
const TIMEOUT_MS = 10_000;

export type FetchedImage = { ok: true; response: Response } | { ok: false; status: number; reason: string };

export async function fetchListingImage(url: string, userAgent: string): Promise<FetchedImage> {
  let upstream: Response;
  try {
    upstream = await fetch(url, {
      headers: { "User-Agent": userAgent, Accept: "image/avif,image/webp,image/*;q=0.8" },
      redirect: "follow",
      signal: AbortSignal.timeout(TIMEOUT_MS),
      cf: { cacheEverything: true, cacheTtl: 86_400 },
    });
  } catch {
    return { ok: false, status: 502, reason: "Image host unreachable" };
  }
  const type = upstream.headers.get("Content-Type") ?? "";
  if (!upstream.ok) return { ok: false, status: 502, reason: `Image host answered ${upstream.status}` };
  // SVG can carry script; only raster images pass.
  if (!/^image\/(jpeg|png|gif|webp|avif)\b/i.test(type))
    return { ok: false, status: 415, reason: "Not an image" };
  if (Number(upstream.headers.get("Content-Length") ?? 0) > MAX_IMAGE_BYTES) {
    return { ok: false, status: 413, reason: "Image too large" };
  }
  return {
    ok: true,
    response: new Response(upstream.body, {
      headers: {
        "Content-Type": type,
        "Cache-Control": "private, max-age=86400",
        "Content-Security-Policy": "default-src 'none'; sandbox",
      },
    }),
  };
}
