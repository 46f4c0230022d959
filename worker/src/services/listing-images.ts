import { listings } from "db";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../lib/db";

/** True when `url` is one of this agent's listing photos: the proxy serves nothing else. */
export async function isAgentListingImage(db: Db, agentId: string, url: string): Promise<boolean> {
  const [row] = await db
    .select({ id: listings.id })
    .from(listings)
    .where(
      and(
        eq(listings.agentId, agentId),
        sql`exists (select 1 from json_each(${listings.imageUrls}) where json_each.value = ${url})`,
      ),
    )
    .limit(1);
  return row !== undefined;
}
