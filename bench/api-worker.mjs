// Entry of the Worker `pnpm bench:api` starts (bench/api.mjs): the real Worker (worker/src/index.ts, its
// Hono app, tRPC, drizzle, every binding of wrangler.toml) for every request, plus two bench-only routes
// under /api/__bench/ that the product never has:
//   POST /api/__bench/capture  one tRPC call through the real Worker on a D1 binding that records each
//                          statement (SQL, parameters, round trip); the recording becomes the case's plan.
//   GET  /api/__bench/bare/<case>?input=  the bare handler: the same session lookup (cookie, SHA-256, the same
//                          SELECT) and then the case's recorded statements, raw prepare/bind/all on D1,
//                          in the same round trips (a batch stays a batch, parallel reads stay parallel),
//                          answered with Response.json of the rows and the response headers every API
//                          answer of the Worker carries (security headers, no-store, vary): no router, no
//                          validation, no mapping. BENCH_BARE_HEADERS=0 (bench/api.mjs) leaves them out.

// tRPC's fetch adapter, which the Worker uses for all but GET queries, from the worker package (bench/ has
// no dependencies).
import { fetchRequestHandler } from "../worker/node_modules/@trpc/server/dist/adapters/fetch/index.mjs";
import worker from "../worker/src/index";
import { openRequestSession } from "../worker/src/lib/d1-session";
import { createDb } from "../worker/src/lib/db";
import { SECURITY_HEADERS } from "../worker/src/lib/security-headers";
// Namespace imports: the runner can be pointed at an older tree whose services lack one of these.
import * as contentSchemas from "../worker/src/schemas/content";
import * as listingSchemas from "../worker/src/schemas/listings";
import * as notificationSchemas from "../worker/src/schemas/notifications";
import * as postSchemas from "../worker/src/schemas/posts";
import {
  readSessionToken,
  sessionIdFromToken,
  validateSessionToken,
} from "../worker/src/services/auth/sessions";
import * as content from "../worker/src/services/content";
import * as dashboard from "../worker/src/services/dashboard";
import * as listings from "../worker/src/services/listings";
import * as notify from "../worker/src/services/notify";
import * as posts from "../worker/src/services/posts";
import { answerGetQueries } from "../worker/src/trpc/get-queries";
import { createCallerFactory, createContext } from "../worker/src/trpc/init";
import { appRouter } from "../worker/src/trpc/router";

export { NotificationHub, PostScheduler } from "../worker/src/index";

/**
 * Plans by case name: { agentId, sessionId, input, trips }, each trip one call to D1 ({ via: "batch" |
 * "all" | "raw" | "first" | "run", statements: [{ sql, params }], parallel: sent while another was open }).
 */
const plans = new Map();

const RUNNERS = ["all", "raw", "first", "run"];

/** A D1 binding (or session) that records each call into `trips`. */
function recording(target, trips) {
  const sqlOf = new WeakMap();
  let open = 0;
  const tracked = async (trip, run) => {
    const entry = { ...trip, parallel: open > 0 };
    trips.push(entry);
    open++;
    try {
      // Kept (not sent back) for the replay D1 of the CPU measurement.
      entry.result = await run();
      return entry.result;
    } finally {
      open--;
    }
  };
  const watch = (statement, sql, params) => {
    sqlOf.set(statement, { sql, params });
    const bind = statement.bind.bind(statement);
    Object.defineProperty(statement, "bind", {
      value: (...values) => watch(bind(...values), sql, values),
    });
    for (const name of RUNNERS) {
      const run = statement[name].bind(statement);
      Object.defineProperty(statement, name, {
        value: (...args) => tracked({ via: name, statements: [{ sql, params }] }, () => run(...args)),
      });
    }
    return statement;
  };
  return new Proxy(target, {
    get(inner, property) {
      if (property === "prepare") return (sql) => watch(inner.prepare(sql), sql, []);
      if (property === "batch")
        return (statements) =>
          tracked(
            {
              via: "batch",
              statements: statements.map((s) => sqlOf.get(s) ?? { sql: "<unknown>", params: [] }),
            },
            () => inner.batch(statements),
          );
      if (property === "withSession") return (...args) => recording(inner.withSession(...args), trips);
      const value = Reflect.get(inner, property);
      return typeof value === "function" ? value.bind(inner) : value;
    },
  });
}

/** `env` with another D1 binding in place of DB. */
const withDb = (env, DB) =>
  new Proxy(env, { get: (target, property) => (property === "DB" ? DB : Reflect.get(target, property)) });

/** Runs one tRPC query through the real Worker on a recording D1 and keeps the plan under `name`. */
async function capture(request, env, ctx) {
  const { name, path, input, cookie } = await request.json();
  const trips = [];
  const recordedEnv = withDb(env, recording(env.DB, trips));
  const qs = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await worker.fetch(
    new Request(`${new URL(request.url).origin}/api/trpc/${path}${qs}`, { headers: { Cookie: cookie } }),
    recordedEnv,
    ctx,
  );
  const body = await response.text();
  const token = readSessionToken(cookie) ?? "";
  const session = await env.DB.prepare("select agent_id from rltr_mktg_sessions where id = ?")
    .bind(sessionIdFromToken(token))
    .first();
  const plan = {
    agentId: session?.agent_id ?? "",
    sessionId: sessionIdFromToken(token),
    input: input ?? {},
    trips,
  };
  plans.set(name, plan);
  // The bare handler's own calls and answers too, for its replay in the CPU measurement.
  const bareUrl = new URL(
    `${new URL(request.url).origin}/api/__bench/bare/${encodeURIComponent(name)}${qs || "?input=%7B%7D"}`,
  );
  const bareTrips = [];
  const bareRes = await bare(
    new Request(bareUrl, { headers: { Cookie: cookie } }),
    withDb(env, recording(env.DB, bareTrips)),
    bareUrl,
  );
  plan.bareTrips = bareTrips;
  return Response.json({
    bareStatus: bareRes.status,
    status: response.status,
    bytes: body.length,
    trips: trips.map(({ result, ...trip }) => trip),
    body: body.slice(0, 400),
  });
}

/**
 * The headers of the Worker's API answers (app.ts's middleware and trpc/get-queries.ts), in one init as
 * the cheapest handler would send them. Every answer has to carry them whatever its framework, and each
 * costs every request (in workerd, wrangler's dev proxy and the client): with the bare handler sending
 * them, the comparison is the framework's cost, on the same wire answer but for the body's shape.
 */
const BARE_HEADERS = [
  ...Object.entries(SECURITY_HEADERS),
  ["Cache-Control", "no-store"],
  ["vary", "trpc-accept, accept"],
];

/** The parameters of `statement` for another agent and input: recorded values swapped for the new ones. */
function rebind(statement, swaps) {
  return statement.params.map((value) => (swaps.has(value) ? swaps.get(value) : value));
}

async function bare(request, env, url) {
  const plan = plans.get(decodeURIComponent(url.pathname.slice("/api/__bench/bare/".length)));
  if (!plan) return Response.json({ error: "no plan captured" }, { status: 500 });
  const token = readSessionToken(request.headers.get("Cookie"));
  if (!token) return Response.json({ error: "unauthorized" }, { status: 401 });
  const sessionId = sessionIdFromToken(token);
  const [sessionTrip, ...trips] = plan.trips;
  const sessionStatement = sessionTrip?.statements[0];
  if (!sessionStatement) return Response.json({ error: "no session lookup in the plan" }, { status: 500 });
  // Reads through a D1 session from the browser's bookmark, as the Worker's (lib/d1-session.ts).
  const bookmark = /(?:^|;\s*)rltr_d1b=([^;]+)/.exec(request.headers.get("Cookie") ?? "")?.[1];
  const db = env.DB.withSession(bookmark ?? "first-unconstrained");
  const sessionParams = rebind(sessionStatement, new Map([[plan.sessionId, sessionId]]));
  const row = await db
    .prepare(sessionStatement.sql)
    .bind(...sessionParams)
    .first();
  if (!row || Date.now() >= row.expires_at) return Response.json({ error: "unauthorized" }, { status: 401 });

  const swaps = new Map([[plan.agentId, row.id]]);
  const input = JSON.parse(url.searchParams.get("input") ?? "{}");
  for (const [key, value] of Object.entries(plan.input)) {
    if (input[key] !== value && typeof value === "string") swaps.set(value, input[key]);
  }
  const run = (trip) => {
    const statements = trip.statements.map((s) => db.prepare(s.sql).bind(...rebind(s, swaps)));
    return trip.via === "batch"
      ? db.batch(statements).then((results) => results.map((r) => r.results))
      : statements[0].all().then((r) => r.results);
  };
  // The same round trips in the same order; those the Worker sent together are sent together.
  const results = [];
  let group = [];
  for (const trip of trips) {
    if (!trip.parallel && group.length) results.push(...(await Promise.all(group)));
    if (!trip.parallel) group = [];
    group.push(run(trip));
  }
  results.push(...(await Promise.all(group)));
  return Response.json(
    { agent: row.id, results },
    { headers: env.BENCH_BARE_HEADERS === "0" ? [] : BARE_HEADERS },
  );
}

/**
 * A D1 that answers each call with what the real one answered when the plan was recorded, in order,
 * instantly: what is left of a request's time is the handler's own CPU (routing, validation, SQL
 * building, session check, mapping, JSON). Throws if the handler asks for different SQL.
 */
function replayD1(trips) {
  let next = 0;
  const answer = (sql) => {
    const trip = trips[next++];
    if (!trip || (sql !== undefined && trip.statements[0]?.sql !== sql))
      throw new Error(`replay: unexpected statement ${sql}`);
    return Promise.resolve(trip.result);
  };
  const statement = (sql) => {
    const prepared = {
      sql,
      bind: () => prepared,
      all: () => answer(sql),
      raw: () => answer(sql),
      first: () => answer(sql),
      run: () => answer(sql),
    };
    return prepared;
  };
  const db = {
    prepare: statement,
    batch: () => answer(undefined),
    withSession: () => db,
    getBookmark: () => null,
  };
  return db;
}

/** Parts of the Worker's path, alone, for `?side=<stage>` (where the Worker's own CPU goes). */
const STAGES = {
  /** drizzle(d1, { schema }) as createContext builds it per request. */
  createDb: ({ env }) => void createDb(env.DB),
  /** Hono and its middlewares around the cheapest route (no tRPC, no D1). */
  health: async ({ env, ctx, origin }) => {
    const res = await worker.fetch(new Request(`${origin}/api/health`), env, ctx);
    await res.arrayBuffer();
  },
  /** The session check as the Worker does it (drizzle, D1 replayed). */
  session: async ({ plan, cookie }) => {
    const db = createDb(replayD1(plan.trips.slice(0, 1)));
    await validateSessionToken(db, readSessionToken(cookie) ?? "");
  },
  /** SHA-256 of the cookie's token (pure JS, @oslojs), as both handlers do it. */
  sha256: ({ cookie }) => void sessionIdFromToken(readSessionToken(cookie) ?? ""),
  /** The procedure through tRPC's caller: middlewares, session check, zod, the service (drizzle). */
  caller: async ({ env, plan, cookie, procedure, input }) => {
    const req = new Request("http://bench.local/", { headers: { Cookie: cookie } });
    const ctx = createContext({ req, resHeaders: new Headers(), info: {} }, env, replayD1(plan.trips));
    const [router, name] = procedure.split(".");
    await createCaller(ctx)[router][name](input);
  },
  /** The procedure's service alone (drizzle building, D1 replayed, mapping): no tRPC, no session. */
  service: async ({ plan, procedure, input }) => {
    const db = createDb(replayD1(plan.trips.slice(1)));
    await SERVICES[procedure](db, plan.agentId, input);
  },
  /** The service's rows as JSON (what the fetch adapter then does with them). */
  serviceJson: async ({ plan, procedure, input }) => {
    const db = createDb(replayD1(plan.trips.slice(1)));
    JSON.stringify(await SERVICES[procedure](db, plan.agentId, input));
  },
  /** tRPC's fetch adapter alone (no Hono): URL and input parsing, the caller, JSON, the Response. */
  trpcFetch: async ({ env, plan, cookie, procedure, rawInput, origin }) => {
    const qs = rawInput ? `?input=${encodeURIComponent(rawInput)}` : "";
    const res = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request(`${origin}/api/trpc/${procedure}${qs}`, { headers: { Cookie: cookie } }),
      router: appRouter,
      createContext: (opts) => createContext(opts, env, replayD1(plan.trips)),
    });
    await res.arrayBuffer();
  },
  /** The Worker's GET-query path (trpc/get-queries.ts) alone, no Hono. */
  getQueries: async ({ env, plan, cookie, procedure, rawInput, origin }) => {
    const qs = rawInput ? `?input=${encodeURIComponent(rawInput)}` : "";
    const req = new Request(`${origin}/api/trpc/${procedure}${qs}`, { headers: { Cookie: cookie } });
    const db = replayD1(plan.trips);
    const res = await answerGetQueries(req, new URL(req.url), {
      router: appRouter,
      endpoint: "/api/trpc",
      maxBatchSize: 10,
      createContext: (resHeaders) => createContext({ req, resHeaders }, env, db),
    });
    await res.arrayBuffer();
  },
  /** The whole Worker's fetch, D1 replayed, env proxied (what `side=worker` runs). */
  worker: async ({ env, ctx, plan, cookie, procedure, rawInput, origin }) => {
    const qs = rawInput ? `?input=${encodeURIComponent(rawInput)}` : "";
    const req = new Request(`${origin}/api/trpc/${procedure}${qs}`, { headers: { Cookie: cookie } });
    const res = await worker.fetch(req, withDb(env, replayD1(plan.trips)), ctx);
    await res.arrayBuffer();
  },
  /** The whole Worker's fetch on a plain env object (no Proxy). */
  workerPlainEnv: async ({ env, ctx, plan, cookie, procedure, rawInput, origin }) => {
    const qs = rawInput ? `?input=${encodeURIComponent(rawInput)}` : "";
    const req = new Request(`${origin}/api/trpc/${procedure}${qs}`, { headers: { Cookie: cookie } });
    const res = await worker.fetch(req, { ...env, DB: replayD1(plan.trips) }, ctx);
    await res.arrayBuffer();
  },
  /** The session check on a db built once (createDb left out). */
  sessionSharedDb: async ({ plan, cookie }) => {
    sharedReplay.trips = plan.trips.slice(0, 1);
    sharedReplay.next = 0;
    await validateSessionToken(sharedDb, readSessionToken(cookie) ?? "");
  },
};
const createCaller = createCallerFactory(appRouter);
const SERVICES = {
  "listings.list": (db, agentId, input) =>
    listings.listListings(db, agentId, listingSchemas.listInput.parse(input)),
  "listings.get": (db, agentId, input) => listings.getListing(db, agentId, input.id),
  "content.pendingApprovals": (db, agentId, input) =>
    content.listOpenPieces(db, agentId, contentSchemas.pendingApprovalsInput.parse(input)),
  "posts.list": (db, agentId, input) => posts.listPosts(db, agentId, postSchemas.listPostsInput.parse(input)),
  "notifications.list": (db, agentId, input) =>
    notify.listNotifications(db, agentId, notificationSchemas.notificationListInput.parse(input)),
  "dashboard.overview": async (db, agentId) => {
    const now = Date.now();
    const rows = await db.batch([
      ...listings.listingOverviewReads(db, agentId, now),
      content.contentOverviewRead(db, agentId),
      ...dashboard.dashboardPerformanceReads(db, agentId, now),
    ]);
    return {
      listings: listings.listingOverviewFrom(agentId, rows.slice(0, 4)),
      content: content.contentOverviewFrom(rows[4]),
      ...dashboard.dashboardPerformanceFrom(rows.slice(5), "America/New_York", now),
    };
  },
};
const sharedReplay = { trips: [], next: 0 };
const sharedDb = createDb({
  prepare: (sql) => {
    const prepared = {
      bind: () => prepared,
      all: () => Promise.resolve(sharedReplay.trips[sharedReplay.next++]?.result),
      raw: () => Promise.resolve(sharedReplay.trips[sharedReplay.next++]?.result),
      first: () => Promise.resolve(sharedReplay.trips[sharedReplay.next++]?.result),
      run: () => Promise.resolve(sharedReplay.trips[sharedReplay.next++]?.result),
      sql,
    };
    return prepared;
  },
});

/**
 * Runs a recorded case `n` times, one at a time, through the Worker's whole fetch (Hono, tRPC, zod,
 * drizzle, session check, mapping, JSON) or through the bare handler, with D1 replayed (no I/O). The
 * runner reads workerd's CPU time around this request: the handler's own CPU per call. (Timers inside
 * the isolate do not advance without I/O, so they cannot measure it.)
 */
async function cpu(env, url, ctx) {
  const name = url.searchParams.get("case") ?? "";
  const plan = plans.get(name);
  if (!plan) return Response.json({ error: "no plan captured" }, { status: 500 });
  const n = Number(url.searchParams.get("n") ?? 200);
  const cookie = url.searchParams.get("cookie") ?? "";
  const input = url.searchParams.get("input");
  const side = url.searchParams.get("side");
  const target =
    side === "bare"
      ? new URL(
          `${url.origin}/api/__bench/bare/${encodeURIComponent(name)}?input=${encodeURIComponent(input ?? "{}")}`,
        )
      : `${url.origin}/api/trpc/${url.searchParams.get("path")}${input ? `?input=${encodeURIComponent(input)}` : ""}`;
  const stage = STAGES[side];
  if (stage) {
    const procedure = url.searchParams.get("path") ?? "";
    const parsed = input ? JSON.parse(input) : undefined;
    for (let i = 0; i < n; i++)
      await stage({ env, ctx, plan, cookie, origin: url.origin, procedure, input: parsed, rawInput: input });
    return Response.json({ calls: n });
  }
  for (let i = 0; i < n; i++) {
    const request = new Request(target, { headers: { Cookie: cookie } });
    const res =
      side === "bare"
        ? await bare(request, withDb(env, replayD1(plan.bareTrips)), target)
        : await worker.fetch(request, withDb(env, replayD1(plan.trips)), ctx);
    if (res.status !== 200) throw new Error(`cpu ${side} ${name}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  }
  return Response.json({ calls: n });
}

/**
 * Parts of the Worker's path over real HTTP and real D1, for `--http-stages`:
 * /api/__bench/http/<stage>/<procedure>?input=. Each adds one layer to the one before (the bare
 * handler is the floor): `drizzle` the session check and the service on drizzle, `caller` tRPC's
 * caller, `trpcFetch` tRPC's fetch adapter without Hono; the Worker itself is all of them plus Hono.
 */
async function httpStage(request, env, url) {
  const [stage, procedure] = url.pathname.slice("/api/__bench/http/".length).split("/");
  const rawInput = url.searchParams.get("input");
  const input = rawInput ? JSON.parse(rawInput) : undefined;
  const d1 = openRequestSession(env.DB, request);
  if (stage === "trpcFetch")
    return fetchRequestHandler({
      endpoint: `/api/__bench/http/${stage}`,
      req: request,
      router: appRouter,
      createContext: (opts) => createContext(opts, env, d1.session),
    });
  if (stage === "getQueries") {
    const response = await answerGetQueries(request, url, {
      router: appRouter,
      endpoint: `/api/__bench/http/${stage}`,
      maxBatchSize: 10,
      createContext: (resHeaders) => createContext({ req: request, resHeaders }, env, d1.session),
    });
    return response ?? new Response("not a query", { status: 400 });
  }
  if (stage === "caller") {
    const ctx = createContext({ req: request, resHeaders: new Headers(), info: {} }, env, d1.session);
    const [router, name] = procedure.split(".");
    return Response.json({ result: { data: await createCaller(ctx)[router][name](input) } });
  }
  if (stage === "drizzle") {
    const db = createDb(d1.session);
    const auth = await validateSessionToken(db, readSessionToken(request.headers.get("Cookie")) ?? "");
    if (!auth) return Response.json({ error: "unauthorized" }, { status: 401 });
    return Response.json(await SERVICES[procedure](db, auth.agent.id, input));
  }
  return new Response("no such stage", { status: 404 });
}

export default {
  ...worker,
  fetch(request, env, ctx) {
    // One string test ahead of the Worker; everything else is the Worker's own fetch, unchanged.
    if (!request.url.includes("/api/__bench/")) return worker.fetch(request, env, ctx);
    const url = new URL(request.url);
    if (url.pathname === "/api/__bench/capture" && request.method === "POST")
      return capture(request, env, ctx);
    if (url.pathname.startsWith("/api/__bench/bare/")) return bare(request, env, url);
    if (url.pathname === "/api/__bench/cpu") return cpu(env, url, ctx);
    if (url.pathname.startsWith("/api/__bench/http/")) return httpStage(request, env, url);
    return new Response("no such bench route", { status: 404 });
  },
};
