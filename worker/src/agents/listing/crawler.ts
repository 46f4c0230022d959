// The one client that fetches builder sites: polite (User-Agent, robots.txt, bounded concurrency, page cap),
// patient (timeouts, retries with backoff) and never throwing for one bad page.

export interface CrawlerOptions {
  baseUrl: string;
  userAgent: string;
  maxPages?: number;
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  /** First backoff step; doubles per retry, plus up to as much again of jitter. */
  retryBaseMs?: number;
  /** Cap on any single wait, including a server's Retry-After. */
  maxRetryDelayMs?: number;
  /** Bodies larger than this are refused (a detail page is ~10 KB). */
  maxBodyBytes?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Called each time a page is taken from the budget (before it is fetched), for live progress. */
  onPage?: () => void;
}

export interface Page {
  /** The URL asked for. */
  url: string;
  /** Where the site's redirects, if any, ended. */
  finalUrl: string;
  /** True when a redirect led to another path than the one asked for. */
  redirected: boolean;
  status: number;
  contentType: string;
  body: string;
}

/**
 * What fetching one URL came to. `missing` (404/410) is evidence that the page is gone, not an error;
 * `failed` (5xx after retries, timeout, network) says nothing about the page; `skipped` was never asked
 * (robots.txt or the page cap).
 */
export type PageResult =
  | { kind: "page"; page: Page }
  | { kind: "missing"; url: string; status: number }
  | { kind: "failed"; url: string; reason: string }
  | { kind: "skipped"; url: string; reason: "robots" | "cap" };

export const CRAWLER_DEFAULTS = {
  maxPages: 600,
  concurrency: 4,
  timeoutMs: 10_000,
  retries: 2,
  retryBaseMs: 500,
  maxRetryDelayMs: 10_000,
  maxBodyBytes: 5_000_000,
} as const;

interface RobotsRule {
  allow: boolean;
  pattern: RegExp;
  length: number;
}

/** robots.txt rules for one user agent (RFC 9309: most specific group, longest match wins, Allow on ties). */
export class RobotsRules {
  private constructor(
    private readonly rules: RobotsRule[],
    /** `Sitemap:` lines, which belong to no group. */
    readonly sitemaps: string[] = [],
  ) {}

  static allowAll() {
    return new RobotsRules([]);
  }

  static disallowAll() {
    return new RobotsRules([{ allow: false, pattern: /^\//, length: 1 }]);
  }

  static parse(text: string, userAgent: string): RobotsRules {
    const token = productToken(userAgent);
    const groups: { agents: string[]; rules: RobotsRule[] }[] = [];
    let current: { agents: string[]; rules: RobotsRule[] } | undefined;
    let lastWasAgent = false;
    const sitemaps: string[] = [];
    for (const rawLine of text.split(/\r?\n/)) {
      const line = rawLine.replace(/#.*$/, "").trim();
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const key = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (key === "sitemap") {
        if (value) sitemaps.push(value);
        continue;
      }
      if (key === "user-agent") {
        if (!current || !lastWasAgent) {
          current = { agents: [], rules: [] };
          groups.push(current);
        }
        current.agents.push(value.toLowerCase());
        lastWasAgent = true;
        continue;
      }
      lastWasAgent = false;
      if (!current || (key !== "allow" && key !== "disallow")) continue;
      // An empty Disallow allows everything, so it adds no rule.
      if (value === "") continue;
      current.rules.push({ allow: key === "allow", pattern: robotsPattern(value), length: value.length });
    }
    const own = groups.filter((g) => g.agents.some((a) => a !== "*" && productToken(a) === token));
    const chosen = own.length > 0 ? own : groups.filter((g) => g.agents.includes("*"));
    return new RobotsRules(
      chosen.flatMap((g) => g.rules),
      sitemaps,
    );
  }

  allows(url: URL): boolean {
    const path = `${url.pathname}${url.search}`;
    let best: RobotsRule | undefined;
    for (const rule of this.rules) {
      if (!rule.pattern.test(path)) continue;
      if (!best || rule.length > best.length || (rule.length === best.length && rule.allow)) best = rule;
    }
    return best ? best.allow : true;
  }
}

/** "RealtorMarketingBot/1.0 (+https://…)" -> "realtormarketingbot". */
export function productToken(userAgent: string): string {
  return (userAgent.split(/[/\s]/)[0] ?? "").toLowerCase();
}

function robotsPattern(value: string): RegExp {
  const anchored = value.endsWith("$");
  const body = (anchored ? value.slice(0, -1) : value)
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}${anchored ? "$" : ""}`);
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Seconds or an HTTP date -> milliseconds to wait; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\s*\d+\s*$/.test(header)) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

class MissingError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

class RetryableError extends Error {
  constructor(
    message: string,
    readonly waitMs?: number,
  ) {
    super(message);
  }
}

export class Crawler {
  readonly origin: string;
  readonly errors: string[] = [];
  /** Distinct URLs requested in this run (retries not counted); robots.txt included. */
  pagesFetched = 0;
  private readonly options: { [K in keyof typeof CRAWLER_DEFAULTS]: number } & { userAgent: string };
  private readonly doFetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private robots: Promise<RobotsRules> | undefined;
  private readonly onPage: (() => void) | undefined;
  private capped = 0;

  constructor(options: CrawlerOptions) {
    const { fetch: _fetch, sleep: _sleep, random: _random, baseUrl: _base, onPage, ...limits } = options;
    this.onPage = onPage;
    this.options = { ...CRAWLER_DEFAULTS, ...stripUndefined(limits) };
    this.origin = new URL(options.baseUrl).origin;
    this.doFetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /** How many URLs were not fetched because the page cap was reached. */
  get skippedByCap(): number {
    return this.capped;
  }

  /** Resolves a link against the site; null for other origins and non-http(s) links. */
  resolve(link: string, base: string = this.origin): URL | null {
    try {
      const url = new URL(link, base);
      if (url.origin !== this.origin) return null;
      url.hash = "";
      return url;
    } catch {
      return null;
    }
  }

  /** Whether robots.txt lets us fetch `link` (robots.txt is fetched once, on first use). */
  async allows(link: string): Promise<boolean> {
    const url = this.resolve(link);
    return url !== null && (await this.loadRobots()).allows(url);
  }

  /** The sitemaps robots.txt names, resolved (other origins dropped). */
  async sitemaps(): Promise<string[]> {
    const named = (await this.loadRobots()).sitemaps;
    return named.flatMap((link) => this.resolve(link)?.href ?? []);
  }

  /** Fetches one page; on any failure (404 included) records an error naming the URL and returns null. */
  async get(link: string): Promise<Page | null> {
    const result = await this.fetchPage(link);
    if (result.kind === "missing") this.errors.push(`${result.url}: HTTP ${result.status}`);
    return result.kind === "page" ? result.page : null;
  }

  /** Fetches one page and says what it came to; only `failed` is recorded in `errors`. */
  async fetchPage(link: string): Promise<PageResult> {
    const url = this.resolve(link);
    if (!url) {
      this.errors.push(`${link}: not on ${this.origin}, skipped`);
      return { kind: "failed", url: link, reason: "not on this site" };
    }
    const rules = await this.loadRobots();
    if (!rules.allows(url)) return { kind: "skipped", url: url.href, reason: "robots" };
    if (!this.takePage()) return { kind: "skipped", url: url.href, reason: "cap" };
    return this.fetchWithRetry(url);
  }

  /** Runs `task` over `items` with at most `concurrency` in flight; results keep the input order. */
  async map<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
    const results = new Array<R>(items.length);
    let next = 0;
    const lanes = Array.from({ length: Math.min(this.options.concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index] as T);
      }
    });
    await Promise.all(lanes);
    return results;
  }

  private takePage(): boolean {
    if (this.pagesFetched >= this.options.maxPages) {
      if (this.capped === 0) this.errors.push(`page cap reached (maxPages ${this.options.maxPages})`);
      this.capped++;
      return false;
    }
    this.pagesFetched++;
    this.onPage?.();
    return true;
  }

  private loadRobots(): Promise<RobotsRules> {
    this.robots ??= (async () => {
      const url = new URL("/robots.txt", this.origin);
      if (!this.takePage()) return RobotsRules.disallowAll();
      const result = await this.fetchWithRetry(url, { missingIsOk: true });
      if (result.kind === "failed") {
        // RFC 9309: an unreachable robots.txt means crawl nothing.
        this.errors.push(`${url.href}: robots.txt unreachable, crawled nothing`);
        return RobotsRules.disallowAll();
      }
      if (result.kind !== "page" || result.page.status >= 400) return RobotsRules.allowAll();
      return RobotsRules.parse(result.page.body, this.options.userAgent);
    })();
    return this.robots;
  }

  private async fetchWithRetry(url: URL, { missingIsOk = false } = {}): Promise<PageResult> {
    const { retries } = this.options;
    for (let attempt = 0; ; attempt++) {
      try {
        return { kind: "page", page: await this.fetchOnce(url, missingIsOk) };
      } catch (error) {
        if (error instanceof MissingError) return { kind: "missing", url: url.href, status: error.status };
        const message = error instanceof Error ? error.message : String(error);
        if (!(error instanceof RetryableError) || attempt >= retries) {
          const reason = `${message}${attempt > 0 ? ` (after ${attempt + 1} attempts)` : ""}`;
          this.errors.push(`${url.href}: ${reason}`);
          return { kind: "failed", url: url.href, reason };
        }
        await this.sleep(this.backoff(attempt, error.waitMs));
      }
    }
  }

  private backoff(attempt: number, serverWaitMs: number | undefined): number {
    const step = this.options.retryBaseMs * 2 ** attempt;
    const jittered = step + this.random() * step;
    return Math.min(this.options.maxRetryDelayMs, Math.max(jittered, serverWaitMs ?? 0));
  }

  private async fetchOnce(url: URL, missingIsOk: boolean): Promise<Page> {
    let response: Response;
    try {
      response = await this.doFetch(url.href, {
        headers: {
          "user-agent": this.options.userAgent,
          accept: "text/html,application/xml;q=0.9,*/*;q=0.5",
        },
        redirect: "follow",
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new RetryableError(describeFetchError(error, this.options.timeoutMs));
    }
    if (RETRYABLE.has(response.status)) {
      await response.body?.cancel();
      throw new RetryableError(`HTTP ${response.status}`, retryAfterMs(response.headers.get("retry-after")));
    }
    if (response.url && new URL(response.url).origin !== this.origin) {
      await response.body?.cancel();
      throw new Error(`redirected off-site to ${new URL(response.url).origin}`);
    }
    if (!response.ok && !(missingIsOk && response.status < 500)) {
      await response.body?.cancel();
      if (response.status === 404 || response.status === 410) throw new MissingError(response.status);
      throw new Error(`HTTP ${response.status}`);
    }
    const length = Number(response.headers.get("content-length") ?? 0);
    if (length > this.options.maxBodyBytes) {
      await response.body?.cancel();
      throw new Error(`body of ${length} bytes is over the ${this.options.maxBodyBytes} byte limit`);
    }
    let body: string;
    try {
      body = await response.text();
    } catch (error) {
      throw new RetryableError(describeFetchError(error, this.options.timeoutMs));
    }
    if (body.length > this.options.maxBodyBytes) throw new Error("body over the size limit");
    const finalUrl = response.url || url.href;
    return {
      url: url.href,
      finalUrl,
      redirected: samePath(new URL(finalUrl).pathname) !== samePath(url.pathname),
      status: response.status,
      contentType: response.headers.get("content-type") ?? "",
      body,
    };
  }
}

/** "/homes/x/" and "/homes/x" are one page. */
const samePath = (path: string) => path.replace(/\/+$/, "") || "/";

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `timed out after ${timeoutMs} ms`;
  }
  return `network error: ${error instanceof Error ? error.message : String(error)}`;
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
