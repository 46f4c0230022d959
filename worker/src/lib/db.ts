import { drizzle } from "drizzle-orm/d1";

// Built per request from the binding: Workers have no process-wide connection to share. A Sessions API
// session (lib/d1-session.ts) has the same prepare/batch drizzle uses, so it stands in for the binding.
// No `{ schema }`: nothing uses the relational `db.query` API, and building it costs ~0.07 ms a request.
export function createDb(d1: D1Database | D1DatabaseSession) {
  return drizzle(d1 as D1Database);
}

export type Db = ReturnType<typeof createDb>;
