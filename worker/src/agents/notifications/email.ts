// Notification emails: one per notification, and the daily digest, in the agent's branded layout
// (lib/email-template.ts) with a button into the app and a signed unsubscribe link in the footer and in
// the List-Unsubscribe headers. The unsubscribe token is not redacted from the outbox: it can only switch
// one kind of this agent's email off, and the development outbox must show working unsubscribe links.
import { agents, type NotificationEvent, type notifications } from "db";
import { eq } from "drizzle-orm";
import type { Db } from "../../lib/db";
import { emailConfigFromEnv, sendEmail } from "../../lib/email";
import { type EmailBranding, type EmailSection, renderEmail } from "../../lib/email-template";
import { uploadedLogoUrl } from "../../services/brand";
import {
  topicLabel,
  unsubscribeHeaders,
  unsubscribePageUrl,
  unsubscribeToken,
} from "../../services/unsubscribe";

type NotificationRow = typeof notifications.$inferSelect;

const origin = (env: Env) => (env.APP_ORIGIN || "http://localhost:8787").replace(/\/$/, "");

/** An absolute link into the app. Only app paths: a stored absolute or protocol-relative URL is ignored. */
function appLink(env: Env, path: string | null): string | null {
  if (!path?.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return null;
  return `${origin(env)}${path}`;
}

async function loadAgent(env: Env, db: Db, agentId: string) {
  const [agent] = await db
    .select({
      email: agents.email,
      name: agents.name,
      brokerageName: agents.brokerageName,
      brand: agents.brand,
    })
    .from(agents)
    .where(eq(agents.id, agentId))
    .limit(1);
  if (!agent) return null;
  // The uploaded logo wins over the legacy URL; renderEmail still shows only an https one.
  const logoUrl = (await uploadedLogoUrl(db, agentId, origin(env))) ?? agent.brand?.logoUrl;
  const branding: EmailBranding = {
    agentName: agent.name,
    brokerageName: agent.brokerageName,
    brand: { ...agent.brand, logoUrl },
  };
  return { email: agent.email, branding };
}

/**
 * Emails one notification to its agent. Idempotent by `notification:<id>:email`. Throws EmailError
 * (retryable or not) when the provider fails; returns false when the agent no longer exists.
 */
export async function emailNotification(env: Env, db: Db, row: NotificationRow): Promise<boolean> {
  const agent = await loadAgent(env, db, row.agentId);
  if (!agent) return false;
  const token = await unsubscribeToken(env, { agentId: row.agentId, topic: row.eventType });
  const { html, text } = renderEmail({
    branding: agent.branding,
    title: row.title,
    body: row.body,
    button: {
      label: "Open in Realtor Marketing",
      url: appLink(env, row.link) ?? `${origin(env)}/notifications`,
    },
    footer: {
      reason: `You get this email because “${topicLabel(row.eventType)}” emails are on.`,
      unsubscribeUrl: unsubscribePageUrl(env, token),
      settingsUrl: `${origin(env)}/settings#notifications`,
    },
  });
  await sendEmail(db, emailConfigFromEnv(env), {
    to: agent.email,
    subject: row.title,
    text,
    html,
    headers: unsubscribeHeaders(env, token),
    idempotencyKey: `notification:${row.id}:email`,
    agentId: row.agentId,
  });
  return true;
}

/** The digest's rows by event, events in the order they first appear (newest first as given). */
function groupByEvent(env: Env, rows: readonly NotificationRow[]): EmailSection[] {
  const groups = new Map<NotificationEvent, NotificationRow[]>();
  for (const row of rows) {
    const group = groups.get(row.eventType);
    if (group) group.push(row);
    else groups.set(row.eventType, [row]);
  }
  return [...groups].map(([event, group]) => ({
    heading: topicLabel(event),
    items: group.map((row) => ({ title: row.title, body: row.body, url: appLink(env, row.link) })),
  }));
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
  const agent = await loadAgent(env, db, agentId);
  if (!agent) return false;
  const token = await unsubscribeToken(env, { agentId, topic: "digest" });
  const count = `${rows.length} update${rows.length === 1 ? "" : "s"}`;
  const { html, text } = renderEmail({
    branding: agent.branding,
    title: `Your daily summary: ${count}`,
    body: "Here is what happened since your last summary.",
    sections: groupByEvent(env, rows),
    button: { label: "See all notifications", url: `${origin(env)}/notifications` },
    footer: {
      reason: "You get this email because the daily summary is on.",
      unsubscribeUrl: unsubscribePageUrl(env, token),
      settingsUrl: `${origin(env)}/settings#notifications`,
    },
  });
  await sendEmail(db, emailConfigFromEnv(env), {
    to: agent.email,
    subject: `Your daily summary: ${count}`,
    text,
    html,
    headers: unsubscribeHeaders(env, token),
    idempotencyKey: digestKey,
    agentId,
  });
  return true;
}
