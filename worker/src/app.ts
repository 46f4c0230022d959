import { trpcServer } from "@hono/trpc-server";
import { Hono } from "hono";
import { sameOriginMutations } from "./lib/csrf";
import { SECURITY_HEADERS } from "./lib/security-headers";
import { imagesApp } from "./routes/images";
import { createContext } from "./trpc/init";
import { appRouter } from "./trpc/router";

export const app = new Hono<{ Bindings: Env }>();

app.use("*", async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    if (!c.res.headers.has(name)) c.res.headers.set(name, value);
  }
  if (c.req.path.startsWith("/api/") && !c.res.headers.has("Cache-Control")) {
    c.res.headers.set("Cache-Control", "no-store");
  }
});

app.use("/api/*", sameOriginMutations());

app.get("/api/health", (c) => c.json({ ok: true }));
app.route("/api/images", imagesApp);

app.use(
  "/api/trpc/*",
  trpcServer({
    endpoint: "/api/trpc",
    router: appRouter,
    createContext: (opts, c) => createContext(opts, c.env as Env),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR")
        console.error(`trpc ${path ?? "?"} failed`, error.cause ?? error);
    },
  }),
);

app.all("/api/*", (c) => c.json({ error: "Not found" }, 404));

// Anything else that reaches the Worker is a page: hand it to the static assets (SPA fallback included).
app.all("*", (c) => c.env.ASSETS.fetch(c.req.raw));

app.onError((error, c) => {
  console.error("unhandled error", error);
  return c.json({ error: "Something went wrong" }, 500);
});
