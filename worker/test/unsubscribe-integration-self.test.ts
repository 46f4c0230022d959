import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { agents, emailOutbox, type NotificationEvent, notificationPreferences, notifications } from "db";
import { and, eq, like } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { emailDigest, emailNotification } from "../src/agents/notifications/email";
import { createDb } from "../src/lib/db";
import { newId } from "../src/lib/ids";
import { handleQueue } from "../src/queues";
import type { NotificationMessage } from "../src/queues/messages";
import { unsubscribeToken } from "../src/services/unsubscribe";
import { APP_ORIGIN } from "./helpers/http";

const db = () => createDb(env.DB);

async function newAgent(values: Partial<typeof agents.$inferInsert> = {}) {
  const id = newId();
  await db()
    .insert(agents)
    .values({ id, email: `unsub-${id}@example.com`, passwordHash: "x", name: "Chris Agent", ...values });
  return id;
}

async function row(agentId: string, event: NotificationEvent) {
  const id = newId();
  await db()
    .insert(notifications)
    .values({
      id,
      agentId,
      eventType: event,
      title: `A ${event}`,
      body: "Body",
      link: "/posts",
      dedupeKey: id,
    });
  return (
    await db().select().from(notifications).where(eq(notifications.id, id))
  )[0] as typeof notifications.$inferSelect;
}

async function deliver(notificationId: string) {
  const batch = createMessageBatch<NotificationMessage>("rltr-mktg-notifications", [
    { id: newId(), timestamp: new Date(), attempts: 1, body: { type: "deliver", notificationId } },
  ]);
  const ctx = createExecutionContext();
  await handleQueue(batch as MessageBatch<unknown>, env);
  return getQueueResult(batch, ctx);
}

const outbox = (notificationId: string) =>
  db()
    .select()
    .from(emailOutbox)
    .where(like(emailOutbox.idempotencyKey, `notification:${notificationId}:%`));

/** A request through the whole Worker, as a mail provider sends it: no cookie, no Origin. */
const unsubscribe = (token: string, init: RequestInit = {}) =>
  exports.default.fetch(
    new Request(`${APP_ORIGIN}/api/email/unsubscribe?token=${encodeURIComponent(token)}`, init),
  );
const oneClick = (token: string) =>
  unsubscribe(token, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: "List-Unsubscribe=One-Click",
  });

const preference = async (agentId: string, event: NotificationEvent) =>
  (
    await db()
      .select()
      .from(notificationPreferences)
      .where(and(eq(notificationPreferences.agentId, agentId), eq(notificationPreferences.eventType, event)))
  )[0];

describe("one-click unsubscribe", () => {
  it("GET describes and changes nothing; POST without session or Origin turns that event's email off", async () => {
    const agentId = await newAgent();
    const token = await unsubscribeToken(env, { agentId, topic: "post_succeeded" });

    const before = await unsubscribe(token);
    expect(before.status).toBe(200);
    expect(await before.json()).toEqual({ event: "post_succeeded", label: "Post published", emailOn: true });
    // A link scanner's GET (or two) never unsubscribes.
    await unsubscribe(token);
    expect(await preference(agentId, "post_succeeded")).toBeUndefined();

    const first = await oneClick(token);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ event: "post_succeeded", label: "Post published", emailOn: false });
    expect(await preference(agentId, "post_succeeded")).toMatchObject({ inApp: true, email: false });
    // Repeating it is harmless.
    expect((await oneClick(token)).status).toBe(200);
    expect(await (await unsubscribe(token)).json()).toMatchObject({ emailOn: false });

    // The page's own POST (an empty form) does the same for another event.
    const other = await unsubscribeToken(env, { agentId, topic: "content_approved" });
    const page = await unsubscribe(other, { method: "POST", headers: { Origin: APP_ORIGIN } });
    expect(page.status).toBe(200);
    expect(await preference(agentId, "content_approved")).toMatchObject({ email: false });

    // A webmail client posting from its own origin is not refused either: the token is the credential.
    const webmail = await unsubscribeToken(env, { agentId, topic: "marketing_response" });
    const crossSite = await unsubscribe(webmail, {
      method: "POST",
      headers: { Origin: "https://mail.example", "Sec-Fetch-Site": "cross-site" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(crossSite.status).toBe(200);
    expect(await preference(agentId, "marketing_response")).toMatchObject({ email: false });
  });

  it("keeps a saved in-app choice; a later notification of that event is not emailed, others still are", async () => {
    const agentId = await newAgent();
    await db()
      .insert(notificationPreferences)
      .values({ agentId, eventType: "post_succeeded", inApp: false, email: true });
    const emailedBefore = await row(agentId, "post_succeeded");
    await deliver(emailedBefore.id);
    expect(await outbox(emailedBefore.id)).toHaveLength(1);

    expect((await oneClick(await unsubscribeToken(env, { agentId, topic: "post_succeeded" }))).status).toBe(
      200,
    );
    expect(await preference(agentId, "post_succeeded")).toMatchObject({ inApp: false, email: false });

    const later = await row(agentId, "post_succeeded");
    expect((await deliver(later.id)).explicitAcks).toHaveLength(1);
    expect(await outbox(later.id)).toHaveLength(0);
    const stillOn = await row(agentId, "post_failed");
    await deliver(stillOn.id);
    expect(await outbox(stillOn.id)).toHaveLength(1);
  });

  it("refuses forged, altered, truncated and other agents' tokens with 400, changing nothing", async () => {
    const agentId = await newAgent();
    const victim = await newAgent();
    const token = await unsubscribeToken(env, { agentId, topic: "post_failed" });
    const [payload, mac] = token.split(".") as [string, string];
    const swapped = btoa(`1:${victim}:post_failed`)
      .replaceAll("=", "")
      .replaceAll("+", "-")
      .replaceAll("/", "_");
    const candidates = [
      `${swapped}.${mac}`,
      `${payload}.${mac.slice(0, -1)}${mac.endsWith("A") ? "B" : "A"}`,
      token.slice(0, -3),
      payload,
      "",
      "forged.token",
    ];
    for (const candidate of candidates) {
      for (const method of ["GET", "POST"]) {
        const response = await unsubscribe(candidate, { method });
        expect(response.status, `${method} ${candidate}`).toBe(400);
        expect(await response.text()).toBe("This unsubscribe link is not valid.");
      }
    }
    expect(await preference(agentId, "post_failed")).toBeUndefined();
    expect(await preference(victim, "post_failed")).toBeUndefined();
  });

  it("the digest's token turns the daily summary off", async () => {
    const agentId = await newAgent({ digestTime: "08:00" });
    const token = await unsubscribeToken(env, { agentId, topic: "digest" });
    expect(await (await unsubscribe(token)).json()).toEqual({
      event: "digest",
      label: "Daily summary",
      emailOn: true,
    });
    expect((await oneClick(token)).status).toBe(200);
    const [agent] = await db()
      .select({ digestTime: agents.digestTime })
      .from(agents)
      .where(eq(agents.id, agentId));
    expect(agent?.digestTime).toBeNull();
    expect(await (await unsubscribe(token)).json()).toMatchObject({ emailOn: false });
    expect((await oneClick(token)).status).toBe(200);
  });

  it("answers 404 for an agent that no longer exists", async () => {
    const agentId = await newAgent();
    const token = await unsubscribeToken(env, { agentId, topic: "post_failed" });
    await db().delete(agents).where(eq(agents.id, agentId));
    expect((await unsubscribe(token)).status).toBe(404);
    expect((await oneClick(token)).status).toBe(404);
  });
});

describe("the links in a sent email", () => {
  const sentTo = async (url: string, address: string) =>
    ((await (await fetch(`${url}/__control/sent`)).json()) as Sent[]).filter(
      (mail) => mail.to[0] === address,
    );
  type Sent = { to: string[]; html: string; text: string; emailHeaders: Record<string, string> };

  it("List-Unsubscribe and the footer link both work, for a notification and for the digest", async () => {
    const url = inject("fakeEmailUrl");
    const mailEnv = { ...env, APP_ORIGIN, EMAIL_API_URL: url, EMAIL_API_KEY: "re_test_key" };
    const agentId = await newAgent({ digestTime: "07:30" });
    const address = `unsub-${agentId}@example.com`;
    const notification = await row(agentId, "content_approved");
    expect(await emailNotification(mailEnv, db(), notification)).toBe(true);
    const digestRows = [await row(agentId, "listing_new"), await row(agentId, "content_ready")];
    expect(await emailDigest(mailEnv, db(), agentId, digestRows, `digest:${agentId}:test`)).toBe(true);

    const [single, digest] = await sentTo(url, address);
    if (!single || !digest) throw new Error("both emails should have been sent");
    for (const mail of [single, digest]) {
      expect(mail.emailHeaders["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
      expect(mail.emailHeaders["List-Unsubscribe"]).toMatch(
        /^<https:\/\/app\.test\/api\/email\/unsubscribe\?token=[\w.-]+>$/,
      );
    }
    // The one-click URL, exactly as the mail provider would POST it.
    const oneClickUrl = single.emailHeaders["List-Unsubscribe"]?.slice(1, -1) as string;
    const response = await exports.default.fetch(
      new Request(oneClickUrl, { method: "POST", body: "List-Unsubscribe=One-Click" }),
    );
    expect(response.status).toBe(200);
    expect(await preference(agentId, "content_approved")).toMatchObject({ email: false });

    // The footer link names the page; its token is the same one the API takes.
    const page = /Turn off these emails: (\S+)/.exec(digest.text)?.[1] as string;
    expect(page).toMatch(/^https:\/\/app\.test\/unsubscribe\?token=/);
    const token = new URL(page).searchParams.get("token") as string;
    expect((await oneClick(token)).status).toBe(200);
    const [agent] = await db()
      .select({ digestTime: agents.digestTime })
      .from(agents)
      .where(eq(agents.id, agentId));
    expect(agent?.digestTime).toBeNull();
  });
});
