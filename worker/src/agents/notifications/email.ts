// Notification emails: one per notification, and the daily digest. (Templates, providers and unsubscribe
// links are built out in issue 10; this is the shape the consumer and the scheduler call.)
import { agents, type notifications } from "db";
import { eq } from "drizzle-orm";
import type { Db } from "../../lib/db";
import { emailConfigFromEnv, escapeHtml, sendEmail } from "../../lib/email";

type NotificationRow = typeof notifications.$inferSelect;

/**
 * Emails one notification to its agent. Idempotent by `notification:<id>:email`. Throws EmailError
 * (retryable or not) when the provider fails; returns false when the agent no longer exists.
 */
export async function emailNotification(env: Env, db: Db, row: NotificationRow): Promise<boolean> {
  const [agent] = await db
    .select({ email: agents.email, name: agents.name })
    .from(agents)
    .where(eq(agents.id, row.agentId))
    .limit(1);
  if (!agent) return false;
  const link = row.link ? new URL(row.link, env.APP_ORIGIN || "http://localhost").toString() : null;
  await sendEmail(db, emailConfigFromEnv(env), {
    to: agent.email,
    subject: row.title,
    text: [row.title, "", row.body, ...(link ? ["", `Open: ${link}`] : [])].join("\n"),
    html: [
      `<h1>${escapeHtml(row.title)}</h1>`,
      row.body ? `<p>${escapeHtml(row.body)}</p>` : "",
      link ? `<p><a href="${escapeHtml(link)}">Open in Realtor Marketing</a></p>` : "",
    ].join(""),
    idempotencyKey: `notification:${row.id}:email`,
    agentId: row.agentId,
  });
  return true;
}

/**
 * Emails one digest of low-priority notifications. `digestKey` (e.g. `digest:<agentId>:<local date>`)
 * is the idempotency key. Never called with no rows. Throws EmailError like emailNotification.
 */
export async function emailDigest(
  env: Env,
  db: Db,
  agentId: string,
  rows: readonly NotificationRow[],
  digestKey: string,
): Promise<boolean> {
  const [agent] = await db
    .select({ email: agents.email, name: agents.name })
    .from(agents)
    .where(eq(agents.id, agentId))
    .limit(1);
  if (!agent) return false;
  await sendEmail(db, emailConfigFromEnv(env), {
    to: agent.email,
    subject: `Your daily summary: ${rows.length} update${rows.length === 1 ? "" : "s"}`,
    text: rows.map((row) => `- ${row.title}`).join("\n"),
    html: `<ul>${rows.map((row) => `<li>${escapeHtml(row.title)}</li>`).join("")}</ul>`,
    idempotencyKey: digestKey,
    agentId,
  });
  return true;
}
