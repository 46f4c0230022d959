// The one email client: a Resend-compatible HTTP API. Every message is kept in the outbox table, with its
// secrets (a review link's token) redacted: the provider gets the real message, the table a copy. With no
// EMAIL_API_KEY (local development) messages are only stored, and the development-only page shows them.
import { emailOutbox } from "db";
import { eq } from "drizzle-orm";
import type { Db } from "./db";
import { newId } from "./ids";

export type EmailMessage = {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Same key, same message: a retry never sends twice (the provider dedupes on it too). */
  idempotencyKey: string;
  agentId: string | null;
  /** Strings (link tokens) that reach the provider but are never stored. */
  secrets?: readonly string[];
};

export const REDACTED = "[redacted]";

function redact(value: string, secrets: readonly string[]): string {
  return secrets.reduce((text, secret) => (secret ? text.replaceAll(secret, REDACTED) : text), value);
}

export type EmailConfig = { apiUrl: string; apiKey: string; from: string; fetch?: typeof fetch };
export type EmailResult = { status: "stored" | "sent"; id: string };

export class EmailError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "EmailError";
  }
}

const USER_AGENT = "RealtorMarketing/1.0 (email)";

export function emailConfigFromEnv(env: Env): EmailConfig {
  return { apiUrl: env.EMAIL_API_URL, apiKey: env.EMAIL_API_KEY ?? "", from: env.EMAIL_FROM };
}

export async function sendEmail(db: Db, config: EmailConfig, message: EmailMessage): Promise<EmailResult> {
  const [existing] = await db
    .select({ id: emailOutbox.id, status: emailOutbox.status })
    .from(emailOutbox)
    .where(eq(emailOutbox.idempotencyKey, message.idempotencyKey))
    .limit(1);
  if (existing && existing.status !== "failed") return { status: existing.status, id: existing.id };

  const id = existing?.id ?? newId();
  const secrets = message.secrets ?? [];
  const row = {
    id,
    agentId: message.agentId,
    toAddress: message.to,
    subject: redact(message.subject, secrets),
    html: redact(message.html, secrets),
    text: redact(message.text, secrets),
    idempotencyKey: message.idempotencyKey,
  };
  if (!config.apiKey) {
    await db
      .insert(emailOutbox)
      .values({ ...row, status: "stored" })
      .onConflictDoNothing();
    return { status: "stored", id };
  }

  let response: Response;
  try {
    response = await (config.fetch ?? fetch)(`${config.apiUrl.replace(/\/$/, "")}/emails`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${config.apiKey}`,
        "Content-Type": "application/json",
        "Idempotency-Key": message.idempotencyKey,
        "User-Agent": USER_AGENT,
      },
      body: JSON.stringify({
        from: config.from,
        to: [message.to],
        subject: message.subject,
        html: message.html,
        text: message.text,
      }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    await recordFailure(db, row, `Email API unreachable: ${String(error)}`);
    throw new EmailError("Email API unreachable", true);
  }
  const body = (await response.json().catch(() => ({}))) as { id?: string; message?: string };
  if (!response.ok || !body.id) {
    const reason = `Email API answered ${response.status}: ${body.message ?? "no message"}`;
    await recordFailure(db, row, reason);
    throw new EmailError(reason, response.status === 429 || response.status >= 500);
  }
  await db
    .insert(emailOutbox)
    .values({ ...row, status: "sent", providerId: body.id })
    .onConflictDoUpdate({
      target: emailOutbox.id,
      set: { status: "sent", providerId: body.id, error: null },
    });
  return { status: "sent", id };
}

async function recordFailure(db: Db, row: Omit<typeof emailOutbox.$inferInsert, "status">, error: string) {
  await db
    .insert(emailOutbox)
    .values({ ...row, status: "failed", error })
    .onConflictDoUpdate({ target: emailOutbox.id, set: { status: "failed", error } });
}

/** Escapes text for HTML email bodies: generated and scraped text is never markup. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}
