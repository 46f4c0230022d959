import { trpcServer } from "@hono/trpc-server";
import { TRPC_MAX_BATCH } from "db/rules";
import { Hono } from "hono";
import { sameOriginMutations, trpcRefusal } from "./lib/csrf";
import { openRequestSession, type RequestSession } from "./lib/d1-session";
import { SECURITY_HEADERS } from "./lib/security-headers";
import { brandApp } from "./routes/brand";
import { imagesApp } from "./routes/images";
import { mediaApp } from "./routes/media";
import { notificationsApp } from "./routes/notifications";
import { metaApp, oauthApp } from "./routes/oauth";
import { unsubscribeApp } from "./routes/unsubscribe";
import { createContext, devToolsEnabled } from "./trpc/init";
import { appRouter } from "./trpc/router";

export const app = new Hono<{ Bindings: Env; Variables: { d1: RequestSession } }>();

app.use("*", async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
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

// Refused before any procedure runs: a batch of sign-ins would race the throttle inside one request.
app.use("/api/trpc/*", async (c, next) => {
  const url = new URL(c.req.url);
  if (url.searchParams.get("batch") !== "1") return next();
  let paths: string[];
  try {
    // tRPC decodes the path before splitting it, so an encoded comma is a batch too.
    paths = decodeURIComponent(url.pathname.slice("/api/trpc/".length)).split(",");
  } catch {
    return next(); // tRPC answers malformed paths itself
  }
  if (paths.length > TRPC_MAX_BATCH)
    return trpcRefusal(c.req.raw, 400, "BAD_REQUEST", `At most ${TRPC_MAX_BATCH} calls per request`);
  if (paths.some((path) => path.startsWith("auth.")))
    return trpcRefusal(c.req.raw, 400, "BAD_REQUEST", "Sign-in calls cannot be batched");
  return next();
});

// Every procedure reads through one D1 session; its bookmark goes back to the browser (lib/d1-session.ts).
app.use("/api/trpc/*", async (c, next) => {
  const d1 = openRequestSession(c.env.DB, c.req.raw);
  c.set("d1", d1);
  await next();
  const cookie = d1.cookie();
  if (cookie) c.res.headers.append("Set-Cookie", cookie);
});

app.use(
  "/api/trpc/*",
  trpcServer({
    endpoint: "/api/trpc",
    maxBatchSize: TRPC_MAX_BATCH,
    router: appRouter,
    createContext: (opts, c) => createContext(opts, c.env as Env, c.get("d1").session),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR")
        console.error(`trpc ${path ?? "?"} failed`, error.cause ?? error);
    },
  }),
);

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
