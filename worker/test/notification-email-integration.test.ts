import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { agents, emailOutbox, type NotificationEvent, notifications } from "db";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { emailDigest, emailNotification } from "../src/agents/notifications/email";
import { createDb } from "../src/lib/db";
import { EmailError, emailConfigFromEnv, sendEmail } from "../src/lib/email";
import { newId } from "../src/lib/ids";
import { handleQueue } from "../src/queues";
import type { NotificationMessage } from "../src/queues/messages";
import { verifyUnsubscribeToken } from "../src/services/unsubscribe";

const db = () => createDb(env.DB);
const APP = "https://app.test";

async function newAgent() {
  const id = newId();
  await db()
    .insert(agents)
    .values({
      id,
      email: `mail-${id}@example.com`,
      passwordHash: "x",
      name: "Chris <Agent>",
      brokerageName: "Sunshine Realty",
      brand: { primaryColor: "#0a7d3b", tagline: "Florida homes, new" },
    });
  return id;
}

async function row(
  agentId: string,
  event: NotificationEvent,
  title = `A ${event}`,
  link: string | null = "/posts",
) {
  const id = newId();
  await db()
    .insert(notifications)
    .values({ id, agentId, eventType: event, title, body: "Line one\nLine <two>", link, dedupeKey: id });
  return (
    await db().select().from(notifications).where(eq(notifications.id, id))
  )[0] as typeof notifications.$inferSelect;
}

type Sent = {
  to: string[];
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  emailHeaders: Record<string, string>;
};
const sentWithKey = async (url: string, key: string) =>
  ((await (await fetch(`${url}/__control/sent`)).json()) as Sent[]).filter(
    (mail) => mail.headers["idempotency-key"] === key,
  );
const tokenOf = (listUnsubscribe: string | undefined) =>
  new URL((listUnsubscribe ?? "").slice(1, -1)).searchParams.get("token") ?? "";

afterEach(() => vi.restoreAllMocks());

describe("notification emails through the Resend-compatible API", () => {
  it("sends the branded email with the title as subject, the button, and both unsubscribe headers", async () => {
    const url = inject("fakeEmailUrl");
    const agentId = await newAgent();
    const notification = await row(
      agentId,
      "post_succeeded",
      `<script>alert(1)</script> is live`,
      "/posts?id=7",
    );
    const mailEnv = { ...env, APP_ORIGIN: APP, EMAIL_API_URL: url, EMAIL_API_KEY: "re_test_key" };
    expect(await emailNotification(mailEnv, db(), notification)).toBe(true);

    const [mail, ...more] = await sentWithKey(url, `notification:${notification.id}:email`);
    expect(more).toEqual([]);
    if (!mail) throw new Error("not sent");
    expect(mail.subject).toBe(`<script>alert(1)</script> is live`);
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; is live");
    expect(mail.html).toContain("Line one<br>Line &lt;two&gt;");
    expect(mail.html).toContain("Chris &lt;Agent&gt;");
    expect(mail.html).toContain("Sunshine Realty");
    expect(mail.html).toContain('href="https://app.test/posts?id=7"');
    expect(mail.text).toContain("Open in Realtor Marketing: https://app.test/posts?id=7");
    expect(mail.text).toContain("Notification settings: https://app.test/settings#notifications");
    expect(mail.emailHeaders["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const token = tokenOf(mail.emailHeaders["List-Unsubscribe"]);
    expect(await verifyUnsubscribeToken(env, token)).toEqual({ agentId, topic: "post_succeeded" });
    expect(mail.text).toContain(
      `Turn off these emails: ${APP}/unsubscribe?token=${encodeURIComponent(token)}`,
    );

    // The outbox keeps the email (the unsubscribe token included: it only switches this email off).
    const [stored] = await db()
      .select()
      .from(emailOutbox)
      .where(eq(emailOutbox.idempotencyKey, `notification:${notification.id}:email`));
    expect(stored).toMatchObject({ status: "sent", subject: mail.subject, html: mail.html, text: mail.text });
  });

  it("a link that is not an app path is not followed: the button opens the notifications page", async () => {
    const url = inject("fakeEmailUrl");
    const agentId = await newAgent();
    const notification = await row(agentId, "post_failed", "Failed", "https://evil.test/phish");
    await emailNotification(
      { ...env, APP_ORIGIN: APP, EMAIL_API_URL: url, EMAIL_API_KEY: "re_test_key" },
      db(),
      notification,
    );
    const [mail] = await sentWithKey(url, `notification:${notification.id}:email`);
    expect(mail?.html).not.toContain("evil.test");
    expect(mail?.text).toContain("Open in Realtor Marketing: https://app.test/notifications");
  });

  it("on an http origin (local development) sends no List-Unsubscribe, but keeps the footer link", async () => {
    const url = inject("fakeEmailUrl");
    const agentId = await newAgent();
    const notification = await row(agentId, "post_failed");
    await emailNotification(
      { ...env, APP_ORIGIN: "http://localhost:8787", EMAIL_API_URL: url, EMAIL_API_KEY: "re_test_key" },
      db(),
      notification,
    );
    const [mail] = await sentWithKey(url, `notification:${notification.id}:email`);
    expect(mail?.emailHeaders).toEqual({});
    expect(mail?.text).toContain("Turn off these emails: http://localhost:8787/unsubscribe?token=");
  });

  it("the digest is one email, keyed by the digest key, grouped by event, with its own unsubscribe", async () => {
    const url = inject("fakeEmailUrl");
    const agentId = await newAgent();
    const rows = [
      await row(agentId, "listing_new", "3 new homes", "/listings"),
      await row(agentId, "content_ready", "Drafts ready for 12 Palm Ct", "/approvals"),
      await row(agentId, "listing_new", "2 new homes", "/listings?page=2"),
    ];
    const key = `digest:${agentId}:2026-12-01`;
    const mailEnv = { ...env, APP_ORIGIN: APP, EMAIL_API_URL: url, EMAIL_API_KEY: "re_test_key" };
    expect(await emailDigest(mailEnv, db(), agentId, rows, key)).toBe(true);
    expect(await emailDigest(mailEnv, db(), agentId, rows, key)).toBe(true);

    const sent = await sentWithKey(url, key);
    expect(sent).toHaveLength(1);
    const mail = sent[0] as Sent;
    expect(mail.subject).toBe("Your daily summary: 3 updates");
    // Grouped: both listing rows under one heading, before the drafts.
    const text = mail.text;
    expect(text.indexOf("NEW LISTINGS")).toBeLessThan(text.indexOf("- 3 new homes"));
    expect(text.indexOf("- 2 new homes")).toBeLessThan(text.indexOf("DRAFTS READY"));
    expect(text).toContain("  https://app.test/listings?page=2");
    expect(text).toContain("See all notifications: https://app.test/notifications");
    expect(mail.html).toContain('href="https://app.test/approvals"');
    expect(await verifyUnsubscribeToken(env, tokenOf(mail.emailHeaders["List-Unsubscribe"]))).toEqual({
      agentId,
      topic: "digest",
    });
  });

  it("a rate limit and a dropped connection are retryable; the retry sends the same email once", async () => {
    const url = inject("fakeEmailUrl");
    const agentId = await newAgent();
    const notification = await row(agentId, "content_approved");
    const key = `notification:${notification.id}:email`;
    await fetch(`${url}/__control/fail`, {
      method: "POST",
      body: JSON.stringify({ key, faults: [429, "drop"] }),
    });
    const mailEnv = { ...env, APP_ORIGIN: APP, EMAIL_API_URL: url, EMAIL_API_KEY: "re_test_key" };

    const limited = emailNotification(mailEnv, db(), notification);
    await expect(limited).rejects.toMatchObject({ name: "EmailError", retryable: true });
    await expect(limited).rejects.toThrow(/429/);
    const dropped = emailNotification(mailEnv, db(), notification);
    await expect(dropped).rejects.toMatchObject({ name: "EmailError", retryable: true });
    await expect(dropped).rejects.toThrow(/unreachable/);
    const [failed] = await db().select().from(emailOutbox).where(eq(emailOutbox.idempotencyKey, key));
    expect(failed?.status).toBe("failed");

    expect(await emailNotification(mailEnv, db(), notification)).toBe(true);
    expect(await emailNotification(mailEnv, db(), notification)).toBe(true);
    expect(await sentWithKey(url, key)).toHaveLength(1);
    const [sent] = await db().select().from(emailOutbox).where(eq(emailOutbox.idempotencyKey, key));
    expect(sent).toMatchObject({ status: "sent", error: null });
  });

  it("returns false for an agent that no longer exists", async () => {
    const agentId = await newAgent();
    const notification = await row(agentId, "post_failed");
    await db().delete(agents).where(eq(agents.id, agentId));
    expect(await emailNotification(env, db(), notification)).toBe(false);
    expect(await emailDigest(env, db(), agentId, [notification], `digest:${agentId}:x`)).toBe(false);
  });
});

/** Records what reaches the real (miniflare) EMAIL binding, or fails the first calls with the given codes. */
function watchedBinding(failWith: (string | null)[] = []) {
  const calls: EmailMessageBuilder[] = [];
  const binding = {
    async send(message: EmailMessageBuilder) {
      calls.push(message);
      const code = failWith.shift();
      if (code !== undefined) {
        throw code === null
          ? new Error("binding unavailable")
          : Object.assign(new Error(`refused: ${code}`), { code });
      }
      return env.EMAIL.send(message);
    },
  } as SendEmail;
  return { binding, calls };
}

describe("the Cloudflare Email Service provider (EMAIL_PROVIDER=cloudflare)", () => {
  it("sends through the EMAIL binding with the headers and the parsed sender, once per key", async () => {
    const agentId = await newAgent();
    const notification = await row(agentId, "post_succeeded");
    const { binding, calls } = watchedBinding();
    const cfEnv = { ...env, APP_ORIGIN: APP, EMAIL_PROVIDER: "cloudflare", EMAIL: binding };
    expect(await emailNotification(cfEnv, db(), notification)).toBe(true);
    expect(await emailNotification(cfEnv, db(), notification)).toBe(true);

    expect(calls).toHaveLength(1);
    const [message] = calls;
    expect(message).toMatchObject({
      from: { name: "Realtor Marketing", email: "noreply@example.com" },
      to: `mail-${agentId}@example.com`,
      subject: "A post_succeeded",
      headers: { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    });
    expect(message?.headers?.["List-Unsubscribe"]).toMatch(
      /^<https:\/\/app\.test\/api\/email\/unsubscribe\?token=/,
    );
    const [stored] = await db()
      .select()
      .from(emailOutbox)
      .where(eq(emailOutbox.idempotencyKey, `notification:${notification.id}:email`));
    expect(stored?.status).toBe("sent");
    expect(stored?.providerId).toBeTruthy();
  });

  it("maps the binding's errors: limits and outages are retryable, refusals are final", async () => {
    const cases: [string | null, boolean][] = [
      ["E_RATE_LIMIT_EXCEEDED", true],
      ["E_DAILY_LIMIT_EXCEEDED", true],
      ["E_INTERNAL_SERVER_ERROR", true],
      [null, true],
      ["E_SENDER_NOT_VERIFIED", false],
      ["E_RECIPIENT_SUPPRESSED", false],
      ["E_HEADER_VALUE_INVALID", false],
    ];
    for (const [code, retryable] of cases) {
      const { binding } = watchedBinding([code]);
      const config = { ...emailConfigFromEnv({ ...env, EMAIL_PROVIDER: "cloudflare" }), binding };
      const key = `test:${newId()}`;
      const attempt = sendEmail(db(), config, {
        to: "a@example.com",
        subject: "S",
        html: "<p>H</p>",
        text: "H",
        idempotencyKey: key,
        agentId: null,
      });
      await expect(attempt).rejects.toBeInstanceOf(EmailError);
      await expect(attempt).rejects.toMatchObject({ retryable });
      const [stored] = await db().select().from(emailOutbox).where(eq(emailOutbox.idempotencyKey, key));
      expect(stored?.status, String(code)).toBe("failed");
    }
  });

  it("through the consumer: a rate-limited send is retried, then sent once", async () => {
    const agentId = await newAgent();
    const notification = await row(agentId, "post_failed");
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { binding, calls } = watchedBinding(["E_RATE_LIMIT_EXCEEDED"]);
    const cfEnv = { ...env, APP_ORIGIN: APP, EMAIL_PROVIDER: "cloudflare", EMAIL: binding };
    const deliver = async () => {
      const batch = createMessageBatch<NotificationMessage>("rltr-mktg-notifications", [
        {
          id: newId(),
          timestamp: new Date(),
          attempts: 1,
          body: { type: "deliver", notificationId: notification.id },
        },
      ]);
      const ctx = createExecutionContext();
      await handleQueue(batch as MessageBatch<unknown>, cfEnv);
      return getQueueResult(batch, ctx);
    };
    expect((await deliver()).retryMessages).toHaveLength(1);
    expect((await deliver()).explicitAcks).toHaveLength(1);
    expect((await deliver()).explicitAcks).toHaveLength(1);
    expect(calls).toHaveLength(2);
    const [stored] = await db().select().from(notifications).where(eq(notifications.id, notification.id));
    expect(stored?.emailStatus).toBe("sent");
  });

  it("without the binding, mail is only kept in the outbox (as without an API key)", async () => {
    const key = `test:${newId()}`;
    const config = { ...emailConfigFromEnv({ ...env, EMAIL_PROVIDER: "cloudflare" }), binding: undefined };
    const result = await sendEmail(db(), config, {
      to: "a@example.com",
      subject: "S",
      html: "<p>H</p>",
      text: "H",
      idempotencyKey: key,
      agentId: null,
    });
    expect(result.status).toBe("stored");
  });
});
