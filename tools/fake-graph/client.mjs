// Control-API client for the fake Graph API, plus a bare Graph caller for tests of the fake. Uses only fetch
// and Web Crypto, so it runs in Node and in workerd tests.

async function call(base, method, path, body) {
  const response = await fetch(`${base}/__control${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) {
    throw new Error(`fake Graph ${method} ${path}: ${response.status} ${data.error?.message ?? ""}`);
  }
  return data;
}

const query = (filter = {}) => {
  const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined));
  return q.size ? `?${q}` : "";
};

/** appsecret_proof: hex HMAC-SHA256 of the token keyed with the app secret. */
export async function appSecretProof(secret, token) {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(token)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function fakeGraphControl(base) {
  return {
    url: base,
    reset: () => call(base, "POST", "/reset", {}),
    createUser: (spec = {}) => call(base, "POST", "/users", spec),
    addFaults: (faults) => call(base, "POST", "/faults", faults),
    faults: () => call(base, "GET", "/faults"),
    clearFaults: (ids) => call(base, "DELETE", "/faults", ids ? { ids } : {}),
    expireToken: (target) => call(base, "POST", "/expire-token", target),
    setPermission: (change) => call(base, "POST", "/permissions", change),
    config: (changes) => call(base, "POST", "/config", changes),
    advanceClock: (ms) => call(base, "POST", "/clock", { advanceMs: ms }),
    published: (filter) => call(base, "GET", `/published${query(filter)}`),
    calls: (filter) => call(base, "GET", `/calls${query(filter)}`),
    metrics: (id) => call(base, "GET", `/metrics${query({ id })}`),
    signedRequest: (userId, appId) => call(base, "POST", "/signed-request", { userId, appId }),
    newInstance: async (options = {}) => {
      const { url } = await call(base, "POST", "/instances", options);
      return fakeGraphControl(url);
    },

    /**
     * Plays the browser on the consent dialog: opens `dialogUrl` as `userId` (default: the demo user), then
     * presses Continue with every shown permission but `decline`, or Cancel. Returns the redirect.
     */
    async authorize(dialogUrl, { userId, decline = [], cancel = false } = {}) {
      const url = new URL(dialogUrl);
      const target = new URL(`${url.pathname}${url.search}`, base);
      if (userId) target.searchParams.set("fake_user", userId);
      const page = await fetch(target, { redirect: "manual" });
      const html = await page.text();
      if (page.status !== 200)
        throw new Error(`fake Graph dialog: ${page.status} ${html.replace(/<[^>]+>/g, " ")}`);
      const version = /action="\/(v\d+\.\d+)\/dialog\/oauth\/confirm"/.exec(html)?.[1];
      const request = /name="request" value="([^"]+)"/.exec(html)?.[1];
      const shown = [...html.matchAll(/name="scope" value="([^"]+)"/g)].map((m) => m[1]);
      if (!version || !request) throw new Error("fake Graph dialog: no consent form");
      const answer = cancel
        ? await fetch(`${base}/${version}/dialog/oauth/cancel?request=${encodeURIComponent(request)}`, {
            redirect: "manual",
          })
        : await fetch(`${base}/${version}/dialog/oauth/confirm`, {
            method: "POST",
            redirect: "manual",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams([
              ["request", request],
              ...shown.filter((p) => !decline.includes(p)).map((p) => ["scope", p]),
            ]).toString(),
          });
      const location = answer.headers.get("location");
      if (answer.status !== 302 || !location) throw new Error(`fake Graph dialog: answered ${answer.status}`);
      return { location, params: Object.fromEntries(new URL(location).searchParams), shown };
    },

    /** A bare Graph caller (token in the Authorization header, with appsecret_proof), for tests of the fake. */
    graph({ token, appSecret, version = "v27.0", timeoutMs } = {}) {
      const send = async (method, path, params = {}) => {
        const form = new URLSearchParams();
        for (const [k, v] of Object.entries(params)) if (v !== undefined) form.set(k, String(v));
        const headers = {};
        if (token) {
          headers.authorization = `Bearer ${token}`;
          if (appSecret) form.set("appsecret_proof", await appSecretProof(appSecret, token));
        }
        const target = new URL(`${base}/${version}/${path.replace(/^\/+/, "")}`);
        let body;
        if (method === "POST") {
          headers["content-type"] = "application/x-www-form-urlencoded";
          body = form.toString();
        } else for (const [k, v] of form) target.searchParams.set(k, v);
        const signal = timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined;
        const response = await fetch(target, { method, headers, body, signal });
        return { status: response.status, headers: response.headers, body: await response.json() };
      };
      return {
        get: (path, params) => send("GET", path, params),
        post: (path, params) => send("POST", path, params),
        delete: (path, params) => send("DELETE", path, params),
      };
    },
  };
}
