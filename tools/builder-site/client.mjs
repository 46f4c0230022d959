// Control-API client for the fake builder site. Uses only fetch, so it runs in Node and in workerd tests.

async function call(base, method, path, body) {
  const response = await fetch(`${base}/__control${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) throw new Error(`builder site ${method} ${path}: ${response.status} ${data.error ?? ""}`);
  return data;
}

export function builderSiteControl(base) {
  return {
    url: base,
    reset: (count, theme) => call(base, "POST", "/reset", { count, theme }),
    state: () => call(base, "GET", "/state"),
    homes: () => call(base, "GET", "/homes"),
    home: (slug) => call(base, "GET", `/homes/${encodeURIComponent(slug)}`),
    addHome: (fields = {}) => call(base, "POST", "/homes", fields),
    patchHome: (slug, patch) => call(base, "POST", `/homes/${encodeURIComponent(slug)}`, patch),
    deleteHome: (slug, options = {}) => call(base, "DELETE", `/homes/${encodeURIComponent(slug)}`, options),
    setMode: (mode, delayMs = 0) => call(base, "POST", "/mode", { mode, delayMs }),
    setRobots: (text) => call(base, "POST", "/robots", { text }),
    setTheme: (theme) => call(base, "POST", "/theme", { theme }),
    setFailures: (paths) => call(base, "POST", "/failures", { paths }),
    /** A separate site on its own port with its own state, closed together with this one. */
    newInstance: async (count, theme) => {
      const { url } = await call(base, "POST", "/instances", { count, theme });
      return builderSiteControl(url);
    },
  };
}
