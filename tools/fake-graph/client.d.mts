import type {
  FakeGraphCall,
  FakeGraphConfig,
  FakeGraphFault,
  FakeGraphPublished,
  FakeGraphUserSpec,
  FakeGraphWorld,
} from "./server.mjs";

export interface GraphAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: Graph bodies vary by endpoint; tests read what they assert.
  body: any;
}

export interface FakeGraphCaller {
  get(path: string, params?: Record<string, string | number | boolean | undefined>): Promise<GraphAnswer>;
  post(path: string, params?: Record<string, string | number | boolean | undefined>): Promise<GraphAnswer>;
  delete(path: string, params?: Record<string, string | number | boolean | undefined>): Promise<GraphAnswer>;
}

export interface FakeGraphControl {
  url: string;
  reset(): Promise<{ ok: true }>;
  createUser(spec?: FakeGraphUserSpec): Promise<FakeGraphWorld>;
  addFaults(faults: FakeGraphFault | FakeGraphFault[]): Promise<{ ids: string[] }>;
  faults(): Promise<(FakeGraphFault & { id: string; fired: number; remaining: number | null })[]>;
  clearFaults(ids?: string[]): Promise<{ ok: true }>;
  /** subcode 463 (default) expires; 458/460/467/492 invalidate. Matches a token, a user's or a Page's tokens. */
  expireToken(target: {
    token?: string;
    userId?: string;
    pageId?: string;
    kind?: "user" | "page";
    subcode?: number;
  }): Promise<{ expired: number }>;
  setPermission(change: {
    userId: string;
    permission: string;
    status: "granted" | "declined";
    appId?: string;
  }): Promise<{ ok: true }>;
  /** Global to the instance: use `newInstance()` for tests that change it. */
  config(changes: FakeGraphConfig): Promise<Required<FakeGraphConfig>>;
  /** Moves the fake's clock (token and code expiry, container expiry, quota window). Global too. */
  advanceClock(ms: number): Promise<{ now: string; offsetMs: number }>;
  published(filter?: { userId?: string; pageId?: string; igId?: string }): Promise<FakeGraphPublished>;
  calls(filter?: { userId?: string; pageId?: string }): Promise<FakeGraphCall[]>;
  /** The numbers the insights endpoints answer now for a published post or media (by Graph metric name;
   * Facebook also `reactionsTotal`, `comments`, `shares`). */
  metrics(id: string): Promise<Record<string, number | Record<string, number>>>;
  signedRequest(userId: string, appId?: string): Promise<{ signed_request: string }>;
  newInstance(options?: { seedDemo?: boolean; config?: FakeGraphConfig }): Promise<FakeGraphControl>;
  authorize(
    dialogUrl: string,
    options?: { userId?: string; decline?: string[]; cancel?: boolean },
  ): Promise<{ location: string; params: Record<string, string>; shown: string[] }>;
  graph(options?: {
    token?: string;
    appSecret?: string;
    version?: string;
    timeoutMs?: number;
  }): FakeGraphCaller;
}

export function appSecretProof(secret: string, token: string): Promise<string>;
export function fakeGraphControl(base: string): FakeGraphControl;
