// The dashboard's reads are tRPC queries over GET: the web client's httpBatchLink sends `?batch=1` with one or
// a few calls, scripts send single calls. tRPC's general fetch adapter prepares for much more on each
// (JSONL streaming, SSE subscriptions, method override, form and binary inputs, abort signals), about
// 0.13 ms of CPU a call, a tenth of what a whole dashboard read costs. This answers exactly these requests
// with the same parts of tRPC the adapter uses (procedure lookup, input decoding, error formatting, status
// codes), so the wire format stays tRPC's; anything else returns null and goes to the adapter unchanged.
// worker/test/trpc-get-queries-integration-self.test.ts holds the two answers side by side for every outcome
// (data, each error family, malformed input, batches, a refreshed session): keep it passing on tRPC
// upgrades, as these are tRPC's internal exports.
import type { AnyProcedure, AnyRouter } from "@trpc/server";
import {
  defaultTransformer,
  getErrorShape,
  getHTTPStatusCode,
  getProcedureAtPath,
  getTRPCErrorFromUnknown,
  TRPCError,
  type TRPCResponse,
  transformTRPCResponse,
} from "@trpc/server/unstable-core-do-not-import";

export type GetQueriesOptions<Ctx> = {
  router: AnyRouter;
  /** Where the router is mounted, without a trailing slash ("/api/trpc"). */
  endpoint: string;
  /** At most this many calls in a batch; a longer one is the adapter's to refuse. */
  maxBatchSize: number;
  /** Builds the calls' context; a header appended to `resHeaders` goes out with the answer. */
  createContext: (resHeaders: Headers) => Ctx | Promise<Ctx>;
  onError?: (opts: {
    error: TRPCError;
    path: string;
    input: unknown;
    ctx: Ctx | undefined;
    req: Request;
  }) => void;
};

/** What does not parse is a BAD_REQUEST with the parser's message, as tRPC's adapter has it. */
function asInputError(cause: unknown): TRPCError {
  if (cause instanceof TRPCError) return cause;
  return new TRPCError({
    code: "BAD_REQUEST",
    message: cause instanceof Error ? cause.message : "Invalid input",
    cause,
  });
}

/**
 * The answer to `GET <endpoint>/<query>?input=<json>` or `GET <endpoint>/<q1>,<q2>?batch=1&input=<json>`
 * when every call names a query, or null for anything else: the general adapter answers it, errors
 * included.
 */
export async function answerGetQueries<Ctx>(
  req: Request,
  url: URL,
  opts: GetQueriesOptions<Ctx>,
): Promise<Response | null> {
  const { headers: h } = req;
  const batch = url.searchParams.get("batch");
  // A content type on a GET would pick another of tRPC's input parsers; trpc-accept asks for a stream.
  if (req.method !== "GET" || h.has("trpc-accept") || h.has("content-type")) return null;
  if (batch !== null && batch !== "1") return null;
  if (!url.pathname.startsWith(`${opts.endpoint}/`)) return null;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname.slice(opts.endpoint.length + 1));
  } catch {
    return null;
  }
  const isBatch = batch === "1";
  const paths = isBatch ? path.split(",") : [path];
  if (paths.length > opts.maxBatchSize) return null;
  const procedures = await Promise.all(paths.map((p) => getProcedureAtPath(opts.router, p)));
  const queries = procedures.filter((p): p is AnyProcedure => p?._def.type === "query");
  if (queries.length !== paths.length) return null;

  const config = opts.router._def._config;
  const deserialize = (value: unknown) => config.transformer.input.deserialize(value);
  // The `input` parameter, read once when the first call asks for its input (as the adapter's memo).
  let inputs: Promise<Record<number, unknown>> | undefined;
  let parsed: Record<number, unknown> | undefined;
  const readInputs = () => {
    inputs ??= (async () => {
      try {
        const raw = url.searchParams.get("input");
        const value: unknown = raw ? JSON.parse(raw) : undefined;
        const byIndex: Record<number, unknown> = Object.create(null);
        if (value !== undefined && !isBatch) byIndex[0] = deserialize(value);
        else if (value !== undefined) {
          if (typeof value !== "object" || value === null || Array.isArray(value))
            throw new TRPCError({
              code: "BAD_REQUEST",
              message: '"input" needs to be an object when doing a batch call',
            });
          for (const index of paths.keys()) {
            const item = (value as Record<number, unknown>)[index];
            if (item !== undefined) byIndex[index] = deserialize(item);
          }
        }
        parsed = byIndex;
        return byIndex;
      } catch (cause) {
        throw asInputError(cause);
      }
    })();
    return inputs;
  };

  const resHeaders = new Headers();
  let ctx: Ctx | undefined;
  let ctxError: TRPCError | undefined;
  try {
    ctx = await opts.createContext(resHeaders);
  } catch (cause) {
    ctxError = getTRPCErrorFromUnknown(cause);
  }
  const answers: TRPCResponse[] = await Promise.all(
    queries.map(async (procedure, index) => {
      const callPath = paths[index] ?? "";
      try {
        if (ctxError) throw ctxError;
        const data = await procedure({
          path: callPath,
          type: "query",
          ctx,
          signal: undefined,
          batchIndex: index,
          getRawInput: async () => (await readInputs())[index],
        });
        return { result: { data } };
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        const input = parsed?.[index];
        opts.onError?.({ error, path: callPath, input, ctx, req });
        return { error: getErrorShape({ config, ctx, error, input, path: callPath, type: "query" }) };
      }
    }),
  );
  const body = isBatch ? answers : (answers[0] as TRPCResponse);
  const headers = new Headers([
    ["vary", "trpc-accept, accept"],
    ["content-type", "application/json"],
  ]);
  for (const [name, value] of resHeaders) headers.append(name, value);
  // Without a transformer (ours has none) tRPC's serialize is identity: its copy of each answer is skipped.
  const wire = config.transformer === defaultTransformer ? body : transformTRPCResponse(config, body);
  return new Response(JSON.stringify(wire), {
    status: getHTTPStatusCode(body),
    headers,
  });
}
