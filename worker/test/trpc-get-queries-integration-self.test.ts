import { env } from "cloudflare:workers";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { sessions } from "db";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { z } from "zod/mini";
import { createDb } from "../src/lib/db";
import { ServiceError } from "../src/lib/errors";
import { sessionIdFromToken } from "../src/services/auth/sessions";
import { answerGetQueries } from "../src/trpc/get-queries";
import { createContext, protectedProcedure, publicProcedure, router } from "../src/trpc/init";
import { appRouter } from "../src/trpc/router";
import { APP_ORIGIN, signedUpBrowser } from "./helpers/http";

// worker/src/trpc/get-queries.ts answers GET queries (single or batched) without tRPC's fetch adapter. Whatever the
// outcome, its answer must be the adapter's, byte for byte: status, body and headers.

const testRouter = router({
  echo: publicProcedure.input(z.object({ n: z.number().check(z.minimum(1)) })).query(({ input }) => input),
  noInput: publicProcedure.query(() => ({ ok: true, at: "2026-12-01" })),
  boom: publicProcedure.query(() => {
    throw new Error("secret internal detail");
  }),
  gone: publicProcedure.query(() => {
    throw new ServiceError("NOT_FOUND", "That listing is gone");
  }),
  me: protectedProcedure.query(({ ctx }) => ({ agent: ctx.agent.id })),
  change: publicProcedure.mutation(() => "changed"),
});

type Outcome = { status: number; body: string; headers: [string, string][]; errors: string[] };

const headersOf = (res: Response) => [...res.headers].sort(([a], [b]) => a.localeCompare(b));

/** The same request answered by the fast path and by tRPC's adapter, each with its own context. */
async function both(
  path: string,
  { cookie, appRouterToo = false } = {} as { cookie?: string; appRouterToo?: boolean },
) {
  const target = appRouterToo ? appRouter : testRouter;
  const request = () => new Request(`${APP_ORIGIN}${path}`, { headers: cookie ? { Cookie: cookie } : {} });
  const fastErrors: string[] = [];
  const req = request();
  const fast = await answerGetQueries(req, new URL(req.url), {
    router: target,
    endpoint: "/api/trpc",
    maxBatchSize: 3,
    createContext: (resHeaders) => createContext({ req, resHeaders }, env),
    onError: ({ error, path }) => fastErrors.push(`${path} ${error.code}`),
  });
  const adapterErrors: string[] = [];
  const adapter = await fetchRequestHandler({
    endpoint: "/api/trpc",
    maxBatchSize: 3,
    req: request(),
    router: target,
    createContext: (opts) => createContext(opts, env),
    onError: ({ error, path }) => adapterErrors.push(`${path} ${error.code}`),
  });
  const outcome = async (res: Response, errors: string[]): Promise<Outcome> => ({
    status: res.status,
    body: await res.text(),
    headers: headersOf(res),
    errors,
  });
  return {
    fast: fast && (await outcome(fast, fastErrors)),
    adapter: await outcome(adapter, adapterErrors),
  };
}

const batchInput = (value: unknown) => encodeURIComponent(JSON.stringify(value));

describe("GET queries without tRPC's fetch adapter", () => {
  it("answers data, with and without input, exactly as the adapter does", async () => {
    for (const path of [
      `/api/trpc/echo?input=${encodeURIComponent('{"n":2}')}`,
      "/api/trpc/noInput",
      `/api/trpc/noInput?input=${encodeURIComponent("{}")}`,
      `/api/trpc/${encodeURIComponent("echo")}?input=${encodeURIComponent('{"n":5}')}`,
    ]) {
      const { fast, adapter } = await both(path);
      expect(fast, path).toStrictEqual(adapter);
      expect(fast?.status).toBe(200);
    }
    const { fast } = await both(`/api/trpc/echo?input=${encodeURIComponent('{"n":2}')}`);
    expect(JSON.parse(fast?.body ?? "")).toStrictEqual({ result: { data: { n: 2 } } });
    expect(fast?.headers).toContainEqual(["content-type", "application/json"]);
  });

  it("answers every error family as the adapter does: validation, parse, service, unauthorized, internal", async () => {
    const cases: [string, number, string][] = [
      [`/api/trpc/echo?input=${encodeURIComponent('{"n":0}')}`, 400, "BAD_REQUEST"],
      [`/api/trpc/echo?input=${encodeURIComponent('{"n":"x"}')}`, 400, "BAD_REQUEST"],
      ["/api/trpc/echo", 400, "BAD_REQUEST"],
      [`/api/trpc/echo?input=${encodeURIComponent("{not json")}`, 400, "BAD_REQUEST"],
      ["/api/trpc/gone", 404, "NOT_FOUND"],
      ["/api/trpc/me", 401, "UNAUTHORIZED"],
      ["/api/trpc/boom", 500, "INTERNAL_SERVER_ERROR"],
    ];
    for (const [path, status, code] of cases) {
      const { fast, adapter } = await both(path);
      expect(fast, path).toStrictEqual(adapter);
      expect(fast?.status, path).toBe(status);
      expect(JSON.parse(fast?.body ?? "").error.data.code, path).toBe(code);
      expect(fast?.errors, path).toHaveLength(1);
    }
    const internal = await both("/api/trpc/boom");
    expect(internal.fast?.body).not.toContain("secret internal detail");
    const invalid = await both(`/api/trpc/echo?input=${encodeURIComponent('{"n":0}')}`);
    expect(JSON.parse(invalid.fast?.body ?? "").error.data.fieldErrors).toHaveProperty("n");
  });

  it("answers batches as the adapter does: all data, a failing call among them, inputs that do not fit", async () => {
    const cases: [string, number][] = [
      [`/api/trpc/echo,noInput?batch=1&input=${batchInput({ 0: { n: 3 } })}`, 200],
      [`/api/trpc/noInput?batch=1`, 200],
      [`/api/trpc/echo,echo?batch=1&input=${batchInput({ 0: { n: 1 }, 1: { n: 2 } })}`, 200],
      [`/api/trpc/echo,gone,noInput?batch=1&input=${batchInput({ 0: { n: 1 } })}`, 207],
      [`/api/trpc/echo,echo?batch=1&input=${batchInput({ 1: { n: 2 } })}`, 207],
      [`/api/trpc/me,boom?batch=1`, 207],
      [`/api/trpc/echo,noInput?batch=1&input=${batchInput([{ n: 3 }])}`, 207],
      [`/api/trpc/echo,noInput?batch=1&input=${batchInput("text")}`, 207],
      [`/api/trpc/echo,noInput?batch=1&input=${encodeURIComponent("{oops")}`, 207],
      [`/api/trpc/echo,echo?batch=1&input=${encodeURIComponent("{oops")}`, 400],
      [`/api/trpc/${encodeURIComponent("echo,noInput")}?batch=1&input=${batchInput({ 0: { n: 9 } })}`, 200],
    ];
    for (const [path, status] of cases) {
      const { fast, adapter } = await both(path);
      expect(fast, path).toStrictEqual(adapter);
      expect(fast?.status, path).toBe(status);
      expect(Array.isArray(JSON.parse(fast?.body ?? "")), path).toBe(true);
    }
    const { fast } = await both(`/api/trpc/echo,gone?batch=1&input=${batchInput({ 0: { n: 4 } })}`);
    const [first, second] = JSON.parse(fast?.body ?? "[]");
    expect(first).toStrictEqual({ result: { data: { n: 4 } } });
    expect(second.error.data.code).toBe("NOT_FOUND");
  });

  it("answers the app's own queries as the adapter does, a refreshed session's cookie included", async () => {
    const { browser, agentId } = await signedUpBrowser();
    const token = browser.cookies.get("rm_session") ?? "";
    const cookie = `rm_session=${token}`;
    const paths = [
      "/api/trpc/auth.me",
      `/api/trpc/listings.list?input=${encodeURIComponent(JSON.stringify({ status: "active" }))}`,
      `/api/trpc/listings.get?input=${encodeURIComponent(JSON.stringify({ id: "no-such-listing" }))}`,
      `/api/trpc/listings.list?input=${encodeURIComponent(JSON.stringify({ sort: "sideways" }))}`,
      "/api/trpc/notifications.list",
      "/api/trpc/dashboard.overview",
      `/api/trpc/dashboard.overview,notifications.list?batch=1&input=${batchInput({})}`,
    ];
    for (const path of paths) {
      const { fast, adapter } = await both(path, { cookie, appRouterToo: true });
      expect(fast, path).toStrictEqual(adapter);
    }
    expect((await both(paths[2] ?? "", { cookie, appRouterToo: true })).fast?.status).toBe(404);

    // A session past half its life is slid forward on the read, and the new cookie goes out.
    const id = sessionIdFromToken(token);
    const age = () =>
      createDb(env.DB)
        .update(sessions)
        .set({ expiresAt: new Date(Date.now() + 5 * 86_400_000) })
        .where(eq(sessions.id, id));
    await age();
    const req = new Request(`${APP_ORIGIN}/api/trpc/auth.me`, { headers: { Cookie: cookie } });
    const fast = await answerGetQueries(req, new URL(req.url), {
      router: appRouter,
      endpoint: "/api/trpc",
      maxBatchSize: 3,
      createContext: (resHeaders) => createContext({ req, resHeaders }, env),
    });
    await age();
    const adapter = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request(req.url, { headers: { Cookie: cookie } }),
      router: appRouter,
      createContext: (opts) => createContext(opts, env),
    });
    const refreshed = fast?.headers.getSetCookie() ?? [];
    expect(refreshed.join()).toMatch(/^rm_session=[^;]+;.*Expires=/);
    expect(adapter.headers.getSetCookie()).toHaveLength(1);
    expect(JSON.parse((await fast?.text()) ?? "")).toStrictEqual(await adapter.json());
    expect(agentId).toBeTruthy();
  });

  it("leaves every other request to the adapter", async () => {
    const take = (path: string, init: RequestInit = {}) => {
      const req = new Request(`${APP_ORIGIN}${path}`, init);
      return answerGetQueries(req, new URL(req.url), {
        router: testRouter,
        endpoint: "/api/trpc",
        maxBatchSize: 3,
        createContext: (resHeaders) => createContext({ req, resHeaders }, env),
      });
    };
    expect(await take("/api/trpc/noInput")).not.toBeNull();
    expect(await take("/api/trpc/noInput", { method: "POST", body: "{}" })).toBeNull();
    expect(await take("/api/trpc/noInput?batch=1")).not.toBeNull();
    expect(await take("/api/trpc/noInput?batch=true")).toBeNull();
    expect(await take("/api/trpc/noInput,noInput,noInput,noInput?batch=1")).toBeNull();
    expect(await take("/api/trpc/noInput,change?batch=1")).toBeNull();
    expect(await take("/api/trpc/noInput,nothing?batch=1")).toBeNull();
    expect(await take("/api/trpc/noInput", { headers: { "trpc-accept": "application/jsonl" } })).toBeNull();
    expect(
      await take("/api/trpc/noInput", { headers: { "Content-Type": "multipart/form-data" } }),
    ).toBeNull();
    expect(await take("/api/trpc/nothing.here")).toBeNull();
    expect(await take("/api/trpc/change")).toBeNull();
    expect(await take("/api/trpc/%E0%A4%A")).toBeNull();
    expect(await take("/api/trpcnoInput")).toBeNull();
  });
});
