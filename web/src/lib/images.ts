/**
 * Listing photos live on the builder's site; the worker proxies them so the page's CSP stays `img-src 'self'`
 * tight and http photos still show on https pages. Never put a listing image URL in `src` directly.
 */
export function imageSrc(url: string): string {
  return `/api/images?src=${encodeURIComponent(url)}`;
}
