import { exports } from "cloudflare:workers";

export const APP_ORIGIN = "https://app.test";

export type TrpcResponse<T = unknown> = {
  status: number;
  headers: Headers;
  data: T;
  error: {
    message: string;
    code: number;
    data: { code: string; httpStatus: number; fieldErrors: Record<string, string[]> | null };
  } | null;
};

/** A cookie-keeping client that speaks tRPC's HTTP protocol to the Worker, like the browser does. */
export class TestBrowser {
  cookies = new Map<string, string>();

  constructor(readonly ip = `198.51.100.${Math.floor(Math.random() * 250) + 1}`) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("CF-Connecting-IP", this.ip);
    if (this.cookies.size && !headers.has("Cookie")) {
      headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    const response = await exports.default.fetch(new Request(`${APP_ORIGIN}${path}`, { ...init, headers }));
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...value] = (pair ?? "").split("=");
      if (!name) continue;
      if (/Max-Age=0/i.test(line) || value.join("=") === "") this.cookies.delete(name);
      else this.cookies.set(name, value.join("="));
    }
    return response;
  }

  query<T = unknown>(procedure: string, input?: unknown, headers: HeadersInit = {}) {
    const qs = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    return this.parse<T>(this.fetch(`/api/trpc/${procedure}${qs}`, { headers }));
  }

  mutate<T = unknown>(procedure: string, input?: unknown, headers: HeadersInit = {}) {
    return this.parse<T>(
      this.fetch(`/api/trpc/${procedure}`, {
        method: "POST",
        headers: { Origin: APP_ORIGIN, "Content-Type": "application/json", ...headers },
        body: input === undefined ? undefined : JSON.stringify(input),
      }),
    );
  }

  private async parse<T>(pending: Promise<Response>): Promise<TrpcResponse<T>> {
    const response = await pending;
    const body = (await response.json()) as { result?: { data: T }; error?: TrpcResponse["error"] };
    return {
      status: response.status,
      headers: response.headers,
      data: body.result?.data as T,
      error: body.error ?? null,
    };
  }
}

let counter = 0;
export function uniqueEmail(prefix = "agent") {
  counter++;
  return `${prefix}-${Date.now()}-${counter}@example.com`;
}

export const PASSWORD = "a-long-enough-passphrase";

export async function signedUpBrowser(name = "Chris Agent") {
  const browser = new TestBrowser();
  const email = uniqueEmail();
  const res = await browser.mutate<{ agentId: string }>("auth.register", { email, password: PASSWORD, name });
  if (res.status !== 200) throw new Error(`register failed: ${JSON.stringify(res.error)}`);
  return { browser, email, agentId: res.data.agentId };
}
