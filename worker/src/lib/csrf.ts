import type { MiddlewareHandler } from "hono";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** True when an unsafe request provably comes from our own pages. */
export function isSameOriginRequest(request: Request, appOrigin: string): boolean {
  const allowed = appOrigin || new URL(request.url).origin;
  const fetchSite = request.headers.get("Sec-Fetch-Site");
  return request.headers.get("Origin") === allowed && (fetchSite === null || fetchSite === "same-origin");
}

/**
 * A refusal shaped like a tRPC error (one per call when the request is a batch), so the web client shows
 * its message.
 */
export function trpcRefusal(
  request: Request,
  status: 400 | 403,
  code: "BAD_REQUEST" | "FORBIDDEN",
  message: string,
): Response {
  const error = {
    error: {
      message,
      code: status === 403 ? -32003 : -32600,
      data: { code, httpStatus: status, fieldErrors: null },
    },
  };
  const url = new URL(request.url);
  const path = url.pathname.replace(/^\/api\/trpc\/?/, "");
  let calls = path.split(",").length;
  try {
    calls = decodeURIComponent(path).split(",").length;
  } catch {
    // Malformed encoding: count the raw path's calls.
  }
  const body = url.searchParams.get("batch") === "1" ? Array.from({ length: calls }, () => error) : error;
  return Response.json(body, { status });
}

/**
 * CSRF guard for every state-changing API call, whatever its content type: browsers always send
 * Origin on POST, so a missing or foreign Origin is refused before any handler (or body parser) runs.
 */
export function sameOriginMutations(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method) || isSameOriginRequest(c.req.raw, c.env.APP_ORIGIN)) return next();
    return trpcRefusal(c.req.raw, 403, "FORBIDDEN", "Cross-origin request refused");
  };
}
