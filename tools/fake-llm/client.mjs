// Control-API client for the fake LLM gateway. Uses only fetch, so it runs in Node and in workerd tests.

async function call(base, method, path, body) {
  const response = await fetch(`${base}/__control${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) {
    throw new Error(`fake LLM ${method} ${path}: ${response.status} ${data.error?.message ?? ""}`);
  }
  return data;
}

export function fakeLlmControl(base) {
  return {
    url: base,
    baseUrl: `${base}/v1`,
    reset: () => call(base, "POST", "/reset", {}),
    /** Replaces the queue of behaviours for the next model requests. */
    script: (steps) => call(base, "POST", "/script", steps),
    pending: () => call(base, "GET", "/script"),
    /** { schemaProfile: "strict" | "fine_tuned", style: "tidy" | "sloppy" }; kept until reset. */
    mode: (mode) => call(base, "POST", "/mode", mode),
    requests: () => call(base, "GET", "/requests"),
    /** A separate fake on its own port with its own state, closed together with this one. */
    newInstance: async (options = {}) => {
      const { url } = await call(base, "POST", "/instances", options);
      return fakeLlmControl(url);
    },
  };
}
