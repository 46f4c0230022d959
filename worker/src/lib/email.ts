// The one email client, with two providers: a Resend-compatible HTTP API (EMAIL_PROVIDER=resend, the
// default) or Cloudflare Email Service's `send_email` binding (EMAIL_PROVIDER=cloudflare). Every message is
// kept in the outbox table, with its secrets (a review link's token) redacted: the provider gets the real
// message, the table a copy. With no EMAIL_API_KEY (resend) or no EMAIL binding (cloudflare), as in local
// development, messages are only stored, and the development-only page shows them.
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
  /**
   * Extra message headers (List-Unsubscribe and List-Unsubscribe-Post). Sent to the provider, not stored:
   * the outbox has no column for them, and the links they hold are in the stored body too.
   */
  headers?: Readonly<Record<string, string>>;
};

export const REDACTED = "[redacted]";

function redact(value: string, secrets: readonly string[]): string {
  return secrets.reduce((text, secret) => (secret ? text.replaceAll(secret, REDACTED) : text), value);
}

export type EmailProvider = "resend" | "cloudflare";
export type EmailConfig = {
  /** Default "resend". */
  provider?: EmailProvider;
  apiUrl: string;
  apiKey: string;
  from: string;
  fetch?: typeof fetch;
  /** Cloudflare Email Service's binding, used when provider is "cloudflare". */
  binding?: SendEmail;
};
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
  return {
    provider: env.EMAIL_PROVIDER === "cloudflare" ? "cloudflare" : "resend",
    apiUrl: env.EMAIL_API_URL,
    apiKey: env.EMAIL_API_KEY ?? "",
    from: env.EMAIL_FROM,
    binding: env.EMAIL,
  };
}

type Sent = { ok: true; providerId: string } | { ok: false; reason: string; retryable: boolean };

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
  const provider = config.provider ?? "resend";
  if (provider === "resend" ? !config.apiKey : !config.binding) {
    await db
      .insert(emailOutbox)
      .values({ ...row, status: "stored" })
      .onConflictDoNothing();
    return { status: "stored", id };
  }

  const sent =
    provider === "resend"
      ? await sendWithResend(config, message)
      : await sendWithCloudflare(config.binding as SendEmail, config.from, message);
  if (!sent.ok) {
    await recordFailure(db, row, sent.reason);
    throw new EmailError(sent.reason, sent.retryable);
  }
  await db
    .insert(emailOutbox)
    .values({ ...row, status: "sent", providerId: sent.providerId })
    .onConflictDoUpdate({
      target: emailOutbox.id,
      set: { status: "sent", providerId: sent.providerId, error: null },
    });
  return { status: "sent", id };
}

async function sendWithResend(config: EmailConfig, message: EmailMessage): Promise<Sent> {
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
        ...(message.headers && Object.keys(message.headers).length > 0 ? { headers: message.headers } : {}),
      }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    return { ok: false, reason: `Email API unreachable: ${String(error)}`, retryable: true };
  }
  const body = (await response.json().catch(() => ({}))) as { id?: string; message?: string };
  if (!response.ok || !body.id) {
    const reason = `Email API answered ${response.status}: ${body.message ?? "no message"}`;
    return { ok: false, reason, retryable: response.status === 429 || response.status >= 500 };
  }
  return { ok: true, providerId: body.id };
}

/**
 * Cloudflare Email Service's error codes that a later attempt may get past (limits, an outage). The rest
 * (validation, an unverified sender, a suppressed recipient, a refused header) fail the same way again.
 */
const CLOUDFLARE_RETRYABLE = new Set([
  "E_RATE_LIMIT_EXCEEDED",
  "E_DAILY_LIMIT_EXCEEDED",
  "E_INTERNAL_SERVER_ERROR",
]);

/** "Name <address>" -> {name, email}: the binding takes the display name as its own field. */
export function parseAddress(from: string): string | EmailAddress {
  const match = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from);
  if (!match) return from.trim();
  const name = (match[1] ?? "").replace(/^"(.*)"$/, "$1");
  return name ? { name, email: match[2] as string } : (match[2] as string);
}

/**
 * The binding has no idempotency key: the outbox row checked above is what keeps a retry from sending
 * twice. (A send that succeeds and whose outbox write then fails can be sent again; Resend's key covers
 * that case, this provider cannot.)
 */
async function sendWithCloudflare(binding: SendEmail, from: string, message: EmailMessage): Promise<Sent> {
  try {
    const result = await binding.send({
      from: parseAddress(from),
      to: message.to,
      subject: message.subject,
      html: message.html,
      text: message.text,
      ...(message.headers && Object.keys(message.headers).length > 0
        ? { headers: { ...message.headers } }
        : {}),
    });
    return { ok: true, providerId: result.messageId };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const detail = error instanceof Error ? error.message : String(error);
    if (typeof code !== "string") {
      // No code: the binding itself failed (a network or runtime error), not a refusal.
      return { ok: false, reason: `Email Service unreachable: ${detail}`, retryable: true };
    }
    return {
      ok: false,
      reason: `Email Service refused the message (${code}): ${detail}`,
      retryable: CLOUDFLARE_RETRYABLE.has(code),
    };
  }
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
