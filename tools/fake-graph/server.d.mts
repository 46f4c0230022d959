export interface FakeGraphConfig {
  /** Status polls a new container answers IN_PROGRESS before FINISHED (default 1). */
  containerPolls?: number;
  /** And at least this long after creation (default 0). */
  containerReadyMs?: number;
  /** Instagram posts per rolling 24 h (default 50, as content_publishing_limit's config reports). */
  quotaTotal?: number;
  /** Image URLs starting with one of these answer Graph's "could not fetch" errors (324 / 9004). */
  unreachableUrls?: string[];
  /** Calls per hour per user of the app that make X-App-Usage call_count 100 (default 200, as Graph). */
  appCallBudget?: number;
  /** User and Page token calls must carry appsecret_proof (default true, like "Require App Secret"). */
  requireAppSecretProof?: boolean;
}

export interface FakeGraphOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** The app tests use (default "test-app" / "test-app-secret"); the demo app always exists too. */
  appId?: string;
  appSecret?: string;
  /** Pre-issue the demo user's long-lived token and the demo Page's token (`--demo`). */
  seedDemo?: boolean;
  config?: FakeGraphConfig;
}

export interface FakeGraph {
  /** Origin without a trailing slash: GRAPH_API_URL and FACEBOOK_OAUTH_URL. */
  url: string;
  /** Live state, for Node-side inspection only. */
  readonly state: unknown;
  close(): Promise<void>;
}

export type FaultKind =
  | "transient"
  | "ghost"
  | "rate_limit"
  | "blocked"
  | "token_expired"
  | "permission_revoked"
  | "container_error"
  | "container_in_progress_polls"
  /** Insights calls asking for one of `metrics` answer "(#10) Not enough viewers" (code 10). */
  | "insights_small";

/** `POST /__control/faults` (one or an array). Unset `count`: every matching call. */
export interface FakeGraphFault {
  kind: FaultKind;
  /** All given conditions must hold. `id`: a Page, Instagram, post or container id the call touches. */
  match?: {
    id?: string;
    /** Regular expression on the path after the version, e.g. "/media_publish$". */
    path?: string;
    method?: string;
    userId?: string;
    tokenKind?: "user" | "page" | "app";
    token?: string;
  };
  count?: number;
  /** 0..1, drawn from a PRNG seeded with `seed` (default 1). */
  probability?: number;
  seed?: number;
  /** rate_limit: 4 (default), 17, 32, 613, 80001; permission_revoked: 200 (default) or 10. */
  code?: number;
  /** token_expired: 463 (default), 460, 458, 467, 492. */
  subcode?: number;
  /** rate_limit: estimated_time_to_regain_access in the usage headers (default 5). */
  estimatedMinutes?: number;
  /** rate_limit below 100: the call succeeds, but the usage headers report this share (e.g. 95). */
  usagePercent?: number;
  /** insights_small: the metrics refused (default every metric of the call). */
  metrics?: string[];
  /** ghost: "error" (the write happens, the answer is a transient 500; default) or "hang". */
  mode?: "error" | "hang";
  /** ghost hang: how long before the connection is dropped (default 30000). */
  hangMs?: number;
  /** container_in_progress_polls: IN_PROGRESS polls (default 3). */
  polls?: number;
  /** container_error: the container ends "ERROR" (default) or is "EXPIRED". */
  status?: "ERROR" | "EXPIRED";
}

/** `POST /__control/users`: a user with Pages (and Instagram accounts), isolated from other tests. */
export interface FakeGraphUserSpec {
  name?: string;
  /** The app the grants and tokens are for (default the tests' app). */
  appId?: string;
  /** Granted permissions (default BUSINESS_PERMISSIONS). */
  permissions?: string[];
  /** Default one Page "<name> Homes" with Instagram @chrismorganhomes. `instagram: null` for none. */
  pages?: {
    name?: string;
    category?: string;
    tasks?: string[];
    instagram?: { username?: string; name?: string } | null;
  }[];
  /** The returned user token is long-lived (default true; Page tokens then never expire). */
  longLived?: boolean;
}

export interface FakeGraphWorld {
  user: { id: string; name: string; accessToken: string };
  pages: {
    id: string;
    name: string;
    tasks: string[];
    accessToken: string;
    instagram: { id: string; username: string } | null;
  }[];
}

export interface FakeGraphPublished {
  facebook: {
    network: "facebook";
    id: string;
    pageId: string;
    pageName: string;
    userId: string;
    message: string;
    link: string | null;
    imageUrls: string[];
    altTexts: (string | null)[];
    published: boolean;
    permalink: string;
    version: string;
    createdAt: string;
  }[];
  instagram: {
    network: "instagram";
    id: string;
    igId: string;
    username: string;
    pageId: string;
    userId: string;
    caption: string;
    mediaType: "IMAGE" | "CAROUSEL_ALBUM";
    imageUrls: string[];
    altTexts: (string | null)[];
    containerId: string;
    permalink: string;
    version: string;
    createdAt: string;
  }[];
}

/** One Graph call as `GET /__control/calls` reports it; secrets in `params` are "[redacted]". */
export interface FakeGraphCall {
  method: string;
  /** Without the version, e.g. "/109000000000001/photos". */
  path: string;
  version: string | null;
  tokenKind: "user" | "page" | "app" | "none" | "invalid";
  tokenSource?: "header" | "param";
  userId?: string;
  pageId?: string;
  params?: Record<string, unknown>;
  status?: number;
  errorCode?: number;
  errorSubcode?: number;
  fault?: FaultKind;
  at: string;
}

export const SUPPORTED_VERSIONS: string[];
export const BUSINESS_PERMISSIONS: string[];
export const ALL_TASKS: string[];
export const DEMO: {
  appId: string;
  appSecret: string;
  userId: string;
  userName: string;
  pageId: string;
  pageName: string;
  igId: string;
  igUsername: string;
  userToken: string;
  pageToken: string;
};
export function startFakeGraph(options?: FakeGraphOptions): Promise<FakeGraph>;
