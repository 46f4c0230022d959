import * as schema from "db";
import { drizzle } from "drizzle-orm/d1";

// Built per request from the binding: Workers have no process-wide connection to share.
export function createDb(d1: D1Database) {
  return drizzle(d1, { schema });
}

export type Db = ReturnType<typeof createDb>;
