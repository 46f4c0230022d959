// The one way the worker talks to Meta's Graph API. Every call carries GRAPH_API_VERSION, the token goes in
// the Authorization header (never a URL that could be logged) with its appsecret_proof, and every answer
// is sorted into Meta's error taxonomy so callers decide by kind, not by parsing messages.
import { encodeHexLowerCase } from "@oslojs/encoding";

/** Graph's error object, as Meta documents it. */
export type GraphErrorBody = {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
  error_user_title?: string;
  error_user_msg?: string;
  fbtrace_id?: string;
};

/** One entry of X-Business-Use-Case-Usage (per business or Page id). */
export type BusinessUseCaseUsage = {
  type?: string;
  call_count?: number;
  total_cputime?: number;
  total_time?: number;
  estimated_time_to_regain_access?: number;
};

export type GraphUsage = {
  app?: { call_count?: number; total_time?: number; total_cputime?: number };
  businessUseCase?: Record<string, BusinessUseCaseUsage[]>;
};

/**
 * What an error means for the caller:
 * - reconnect: the token is invalid or expired, or a permission is missing (190, subcodes 458-467/492,
 *   10, 200-299): Chris must reconnect; retrying will not help.
 * - rate_limited: 4, 17, 32, 613, 80001-80014: wait (`retryAfterMs`) and retry.
 * - blocked: 368, temporarily blocked for policy reasons: retry much later.
 * - not_ready: 9007 / 2207027, the Instagram media is not ready: keep polling.
 * - quota: Instagram's publishing limit (9 / 2207042): hold until the window frees.
 * - ambiguous: timeout, connection lost, 5xx, code 1/2 or is_transient: a write may or may not have
 *   happened; read back before retrying.
 * - rejected: any other 4xx; Meta's user-facing message is kept when it sends one.
 */
export type GraphErrorKind =
  | "reconnect"
  | "rate_limited"
  | "blocked"
  | "not_ready"
  | "quota"
  | "ambiguous"
  | "rejected";

const RECONNECT_SUBCODES = new Set([458, 459, 460, 461, 462, 463, 464, 465, 466, 467, 492]);
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);

export function classifyGraphError(status: number, body: GraphErrorBody | undefined): GraphErrorKind {
  const code = body?.code;
  const subcode = body?.error_subcode;
  if (code === 190 || code === 102 || (subcode !== undefined && RECONNECT_SUBCODES.has(subcode))) {
    return "reconnect";
  }
  if (code !== undefined && (RATE_LIMIT_CODES.has(code) || (code >= 80001 && code <= 80014))) {
    return "rate_limited";
  }
  if (code === 368) return "blocked";
  if (code === 9007 || subcode === 2207027) return "not_ready";
  if (code === 9 && subcode === 2207042) return "quota";
  if (code === 10 || (code !== undefined && code >= 200 && code <= 299)) return "reconnect";
  if (code === 1 || code === 2 || body?.is_transient || status >= 500) return "ambiguous";
  return "rejected";
}

export class GraphError extends Error {
  readonly kind: GraphErrorKind;
  constructor(
    readonly status: number,
    readonly body: GraphErrorBody | undefined,
    readonly usage: GraphUsage,
    kind?: GraphErrorKind,
  ) {
    // Meta's message names the problem, never the token; it is still kept out of user-facing text.
    super(body?.message ?? `Graph API answered HTTP ${status}`);
    this.name = "GraphError";
    this.kind = kind ?? classifyGraphError(status, body);
  }

  get code() {
    return this.body?.code;
  }
  get subcode() {
    return this.body?.error_subcode;
  }

  /** Meta's own words for Chris when it sends them (error_user_title / error_user_msg). */
  get userMessage(): string | undefined {
    const { error_user_title: title, error_user_msg: msg } = this.body ?? {};
    if (title && msg) return `${title}: ${msg}`;
    return msg ?? title;
  }

  /** How long to wait before the next call, from the usage headers (at least a minute when limited). */
  get retryAfterMs(): number {
    return retryAfterMs(this.usage, this.kind);
  }
}

/** How long Graph's usage headers ask us to wait; 0 when nothing is near its limit. */
export function retryAfterMs(usage: GraphUsage, kind?: GraphErrorKind): number {
  let minutes = 0;
  for (const entries of Object.values(usage.businessUseCase ?? {})) {
    for (const entry of entries) minutes = Math.max(minutes, entry.estimated_time_to_regain_access ?? 0);
  }
  if (minutes > 0) return minutes * 60_000;
  const app = usage.app;
  const appPeak = Math.max(app?.call_count ?? 0, app?.total_time ?? 0, app?.total_cputime ?? 0);
  // App-level limits are a rolling hour; past 100% nothing goes through for a while.
  if (appPeak >= 100) return 15 * 60_000;
  if (kind === "rate_limited") return 5 * 60_000;
  if (kind === "blocked") return 60 * 60_000;
  return 0;
}

function parseJsonHeader<T>(value: string | null): T | undefined {
  if (!value) return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}

export function readUsage(headers: Headers): GraphUsage {
  return {
    app: parseJsonHeader(headers.get("x-app-usage")),
    businessUseCase: parseJsonHeader(headers.get("x-business-use-case-usage")),
  };
}

export type GraphParams = Record<string, string | number | boolean | undefined>;
type GraphEnv = Pick<Env, "GRAPH_API_URL" | "GRAPH_API_VERSION" | "FACEBOOK_APP_SECRET">;

export type GraphResponse<T> = { data: T; usage: GraphUsage };

export interface GraphClientOptions {
  /** Per call; a write that times out is ambiguous (it may have happened). */
  timeoutMs?: number;
}

const proofs = new Map<string, Promise<string>>();

/** appsecret_proof: HMAC-SHA256 of the token with the app secret (Meta's "Require App Secret"). */
async function appSecretProof(secret: string, token: string): Promise<string> {
  const cacheKey = `${secret.length}:${token}`;
  let proof = proofs.get(cacheKey);
  if (!proof) {
    proof = (async () => {
      const enc = new TextEncoder();
      const key = await crypto.subtle.importKey(
        "raw",
        enc.encode(secret),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      );
      return encodeHexLowerCase(new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(token))));
    })();
    if (proofs.size > 500) proofs.clear();
    proofs.set(cacheKey, proof);
  }
  return proof;
}

export function graphBaseUrl(env: Pick<Env, "GRAPH_API_URL" | "GRAPH_API_VERSION">): string {
  const version = env.GRAPH_API_VERSION || "v27.0";
  return `${env.GRAPH_API_URL.replace(/\/+$/, "")}/${version}`;
}

export class GraphClient {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly env: GraphEnv,
    options: GraphClientOptions = {},
  ) {
    this.base = graphBaseUrl(env);
    this.timeoutMs = options.timeoutMs ?? 20_000;
  }

  get<T>(path: string, params: GraphParams, token?: string): Promise<GraphResponse<T>> {
    return this.call<T>("GET", path, params, token);
  }

  post<T>(path: string, params: GraphParams, token?: string): Promise<GraphResponse<T>> {
    return this.call<T>("POST", path, params, token);
  }

  delete<T>(path: string, params: GraphParams, token?: string): Promise<GraphResponse<T>> {
    return this.call<T>("DELETE", path, params, token);
  }

  private async call<T>(
    method: "GET" | "POST" | "DELETE",
    path: string,
    params: GraphParams,
    token?: string,
  ): Promise<GraphResponse<T>> {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined) form.set(name, String(value));
    }
    const headers: Record<string, string> = { accept: "application/json" };
    if (token) {
      headers.authorization = `Bearer ${token}`;
      if (this.env.FACEBOOK_APP_SECRET) {
        form.set("appsecret_proof", await appSecretProof(this.env.FACEBOOK_APP_SECRET, token));
      }
    }
    const url = new URL(`${this.base}/${path.replace(/^\/+/, "")}`);
    let body: string | undefined;
    if (method === "POST") {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = form.toString();
    } else {
      for (const [name, value] of form) url.searchParams.set(name, value);
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      // Timeout or connection lost: for a write, it may have taken effect.
      const message = error instanceof Error ? error.name : "network error";
      throw new GraphError(0, { message: `Graph API unreachable (${message})` }, {}, "ambiguous");
    }
    const usage = readUsage(response.headers);
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = undefined;
    }
    if (response.ok && json === undefined) {
      // A garbled success: a write may have happened.
      throw new GraphError(
        response.status,
        { message: "Graph API answered without JSON" },
        usage,
        "ambiguous",
      );
    }
    if (!response.ok || (typeof json === "object" && json && "error" in json)) {
      const errorBody =
        json && typeof json === "object" && "error" in json
          ? ((json as { error: GraphErrorBody }).error ?? undefined)
          : { message: `Graph API answered HTTP ${response.status} without a JSON error` };
      throw new GraphError(response.status, errorBody, usage);
    }
    return { data: json as T, usage };
  }
}
