import type { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { TRPC_MAX_BATCH } from "db/rules";
import { Hono } from "hono";
import { sameOriginMutations, trpcRefusal } from "./lib/csrf";
import { openRequestSession } from "./lib/d1-session";
import { SECURITY_HEADERS } from "./lib/security-headers";
import { brandApp } from "./routes/brand";
import { imagesApp } from "./routes/images";
import { mediaApp } from "./routes/media";
import { notificationsApp } from "./routes/notifications";
import { metaApp, oauthApp } from "./routes/oauth";
import { unsubscribeApp } from "./routes/unsubscribe";
import { answerGetQueries } from "./trpc/get-queries";
import { createContext, devToolsEnabled } from "./trpc/init";
import { appRouter } from "./trpc/router";

export const app = new Hono<{ Bindings: Env }>();

const SECURITY_HEADER_ENTRIES = Object.entries(SECURITY_HEADERS);

app.use("*", async (c, next) => {
  await next();
  for (const [name, value] of SECURITY_HEADER_ENTRIES) {
    if (!c.res.headers.has(name)) c.res.headers.set(name, value);
  }
  if (c.req.path.startsWith("/api/") && !c.res.headers.has("Cache-Control")) {
    c.res.headers.set("Cache-Control", "no-store");
  }
});

// Meta's deauthorize and data-deletion callbacks come server to server, without our Origin: mounted ahead
// of the CSRF guard, they are authenticated by their signed_request instead.
app.route("/api/meta", metaApp);
// One-click unsubscribe (RFC 8058) is posted by mail providers without our Origin; the signed token in
// the URL is its credential (routes/unsubscribe.ts).
app.route("/api/email/unsubscribe", unsubscribeApp);

app.use("/api/*", sameOriginMutations());

app.get("/api/health", (c) => c.json({ ok: true }));
app.route("/api/brand", brandApp);
app.route("/api/images", imagesApp);
app.route("/api/notifications", notificationsApp);
app.route("/api/oauth", oauthApp);

/** Refused before any procedure runs: a batch of sign-ins would race the throttle inside one request. */
function refuseBatch(request: Request, url: URL): Response | null {
  if (url.searchParams.get("batch") !== "1") return null;
  let paths: string[];
  try {
    // tRPC decodes the path before splitting it, so an encoded comma is a batch too.
    paths = decodeURIComponent(url.pathname.slice("/api/trpc/".length)).split(",");
  } catch {
    return null; // tRPC answers malformed paths itself
  }
  if (paths.length > TRPC_MAX_BATCH)
    return trpcRefusal(request, 400, "BAD_REQUEST", `At most ${TRPC_MAX_BATCH} calls per request`);
  if (paths.some((path) => path.startsWith("auth.")))
    return trpcRefusal(request, 400, "BAD_REQUEST", "Sign-in calls cannot be batched");
  return null;
}

const onTrpcError = ({ error, path }: { error: TRPCError; path?: string }) => {
  if (error.code === "INTERNAL_SERVER_ERROR")
    console.error(`trpc ${path ?? "?"} failed`, error.cause ?? error);
};

// One handler for the API's procedures (each middleware layer costs a dashboard read measurable CPU):
// the batch guard, then one D1 session for every call whose bookmark goes back to the browser
// (lib/d1-session.ts), then queries over GET (every dashboard read) without tRPC's general adapter
// (trpc/get-queries.ts), and everything else through it.
app.all("/api/trpc/*", async (c) => {
  const request = c.req.raw;
  const url = new URL(request.url);
  const refused = refuseBatch(request, url);
  if (refused) return refused;
  const d1 = openRequestSession(c.env.DB, request);
  const response =
    (await answerGetQueries(request, url, {
      router: appRouter,
      endpoint: "/api/trpc",
      maxBatchSize: TRPC_MAX_BATCH,
      createContext: (resHeaders) => createContext({ req: request, resHeaders }, c.env, d1.session),
      onError: onTrpcError,
    })) ??
    (await fetchRequestHandler({
      endpoint: "/api/trpc",
      maxBatchSize: TRPC_MAX_BATCH,
      req: request,
      router: appRouter,
      createContext: (opts) => createContext(opts, c.env, d1.session),
      onError: onTrpcError,
    }));
  const cookie = d1.cookie();
  if (cookie) response.headers.append("Set-Cookie", cookie);
  return response;
});

app.all("/api/*", (c) => c.json({ error: "Not found" }, 404));

// Photos converted for Instagram, fetched by Meta without a session (wrangler.toml's run_worker_first).
app.route("/media", mediaApp);
app.all("/media/*", (c) => c.text("Not found", 404));

// The development pages (wrangler.toml's run_worker_first sends /dev/* here) exist only with the flag.
app.all("/dev/*", (c) => (devToolsEnabled(c.env) ? c.env.ASSETS.fetch(c.req.raw) : c.text("Not found", 404)));

// Anything else that reaches the Worker is a page: hand it to the static assets (SPA fallback included).
app.all("*", (c) => c.env.ASSETS.fetch(c.req.raw));

app.onError((error, c) => {
  console.error("unhandled error", error);
  return c.json({ error: "Something went wrong" }, 500);
});
