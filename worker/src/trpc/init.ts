import { initTRPC, TRPCError } from "@trpc/server";
import type { FetchCreateContextFnOptions } from "@trpc/server/adapters/fetch";
import { createDb } from "../lib/db";
import { ServiceError } from "../lib/errors";
import { readSessionToken, sessionCookie, validateSessionToken } from "../services/auth/sessions";

/** `d1` is the request's D1 session (lib/d1-session.ts); without one, queries go to the primary. */
export function createContext(
  { req, resHeaders }: Pick<FetchCreateContextFnOptions, "req" | "resHeaders">,
  env: Env,
  d1: D1Database | D1DatabaseSession = env.DB,
) {
  return {
    env,
    db: createDb(d1),
    req,
    resHeaders,
    ip: req.headers.get("CF-Connecting-IP") ?? "unknown",
  };
}
export type Context = ReturnType<typeof createContext>;

type FieldErrors = Record<string, string[]>;

type SchemaIssue = { path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>; message: string };

// zod (parseAsync) and Standard Schema validators both throw an error with an `issues` list.
function schemaIssuesOf(cause: unknown): SchemaIssue[] | null {
  const issues = (cause as { issues?: unknown } | undefined)?.issues;
  return Array.isArray(issues) ? (issues as SchemaIssue[]) : null;
}

function fieldErrorsOf(cause: unknown): FieldErrors | null {
  const issues = schemaIssuesOf(cause);
  if (issues) {
    const fields: FieldErrors = {};
    for (const issue of issues) {
      const key =
        (issue.path ?? []).map((p) => (typeof p === "object" ? String(p.key) : String(p))).join(".") ||
        "input";
      fields[key] = [...(fields[key] ?? []), issue.message];
    }
    return fields;
  }
  if (cause instanceof ServiceError && cause.details.field) return { [cause.details.field]: [cause.message] };
  return null;
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const fieldErrors = fieldErrorsOf(error.cause);
    const first = fieldErrors && Object.entries(fieldErrors)[0];
    const message =
      error.code === "BAD_REQUEST" && schemaIssuesOf(error.cause) && first
        ? `${first[0]}: ${first[1][0]}`
        : shape.message;
    const retryAfterSeconds =
      error.cause instanceof ServiceError ? error.cause.details.retryAfterSeconds : undefined;
    const data = { ...shape.data, fieldErrors, retryAfterSeconds };
    // Never leak stack traces or internal messages of unexpected errors.
    delete (data as { stack?: string }).stack;
    return error.code === "INTERNAL_SERVER_ERROR"
      ? { ...shape, message: "Something went wrong. Please try again.", data }
      : { ...shape, message, data };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** A procedure's result with the service error family mapped to tRPC codes, in one place. */
function withServiceErrors<R extends { ok: boolean; error?: TRPCError }>(result: R): R {
  const cause = result.ok ? undefined : result.error?.cause;
  if (cause instanceof ServiceError) throw new TRPCError({ code: cause.code, message: cause.message, cause });
  return result;
}

// Cross-origin mutations are refused before tRPC runs: see lib/csrf.ts, mounted in app.ts.
export const publicProcedure = t.procedure.use(async ({ next }) => withServiceErrors(await next()));

// One middleware for a signed-in call (each one tRPC runs copies its options and the context twice, a
// measurable part of a dashboard read): the session check, then the service errors of what follows.
// tRPC merges the session and agent into the context.
const requireSession = t.middleware(async ({ ctx, next }) => {
  const token = readSessionToken(ctx.req.headers.get("Cookie"));
  const auth = token ? await validateSessionToken(ctx.db, token) : null;
  if (!token || !auth) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  if (auth.session.refreshed)
    ctx.resHeaders.append("Set-Cookie", sessionCookie(token, auth.session.expiresAt));
  return withServiceErrors(await next({ ctx: { session: auth.session, agent: auth.agent } }));
});

export const protectedProcedure = t.procedure.use(requireSession);

/** True only where DEV_TOOLS_ENABLED is "true" (.dev.vars, `pnpm dev`, the e2e servers), never by default. */
export const devToolsEnabled = (env: Pick<Env, "DEV_TOOLS_ENABLED">) => env.DEV_TOOLS_ENABLED === "true";

/** Development tools: NOT_FOUND, before the session is even read, unless DEV_TOOLS_ENABLED is "true". */
export const devProcedure = t.procedure
  .use(({ ctx, next }) => {
    if (!devToolsEnabled(ctx.env)) throw new TRPCError({ code: "NOT_FOUND", message: "Not found" });
    return next();
  })
  .use(requireSession);
