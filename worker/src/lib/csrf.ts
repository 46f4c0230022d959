import type { MiddlewareHandler } from "hono";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** True when an unsafe request provably comes from our own pages. */
export function isSameOriginRequest(request: Request, appOrigin: string): boolean {
  const allowed = appOrigin || new URL(request.url).origin;
  const fetchSite = request.headers.get("Sec-Fetch-Site");
  return request.headers.get("Origin") === allowed && (fetchSite === null || fetchSite === "same-origin");
}

/**
 * CSRF guard for every state-changing API call, whatever its content type: browsers always send
 * Origin on POST, so a missing or foreign Origin is refused before any handler (or body parser) runs.
 * The refusal is shaped like a tRPC error (one per call in a batch) so the client shows its message.
 */
export function sameOriginMutations(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method) || isSameOriginRequest(c.req.raw, c.env.APP_ORIGIN)) return next();
    const error = {
      error: {
        message: "Cross-origin request refused",
        code: -32003,
        data: { code: "FORBIDDEN", httpStatus: 403, fieldErrors: null },
      },
    };
    const url = new URL(c.req.url);
    const calls = url.pathname.replace(/^\/api\/trpc\/?/, "").split(",").length;
    return c.json(
      url.searchParams.get("batch") === "1" ? Array.from({ length: calls }, () => error) : error,
      403,
    );
  };
}
