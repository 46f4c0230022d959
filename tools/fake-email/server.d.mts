export interface FakeEmail {
  url: string;
  close(): Promise<void>;
}
export function startFakeEmail(options?: {
  port?: number;
  host?: string;
  apiKey?: string;
}): Promise<FakeEmail>;
