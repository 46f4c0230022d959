import { agentListingSources, listingSources } from "db";
import { eq } from "drizzle-orm";
import type { Db } from "../lib/db";
import { newId } from "../lib/ids";

/** Makes an agent follow a builder site (created on first use; shared by every agent who follows it). */
export async function followSource(db: Db, agentId: string, baseUrl: string, adapter = "holidaybuilders") {
  const normalized = new URL(baseUrl).origin;
  await db
    .insert(listingSources)
    .values({
      id: newId(),
      adapter,
      baseUrl: normalized,
      name: new URL(normalized).hostname.replace(/^www\./, ""),
    })
    .onConflictDoNothing();
  const [source] = await db
    .select({ id: listingSources.id })
    .from(listingSources)
    .where(eq(listingSources.baseUrl, normalized))
    .limit(1);
  if (!source) throw new Error(`listing source ${normalized} vanished`);
  await db.insert(agentListingSources).values({ agentId, sourceId: source.id }).onConflictDoNothing();
  return source.id;
}
