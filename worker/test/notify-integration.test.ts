import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { agents, emailOutbox, type NotificationEvent, notificationPreferences, notifications } from "db";
import { eq, like } from "drizzle-orm";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { consumeNotificationDeadLetters } from "../src/agents/notifications/consumer";
import { HUB_AGENT_HEADER } from "../src/durable-objects/notification-hub";
import { createDb } from "../src/lib/db";
import { newId } from "../src/lib/ids";
import { handleQueue } from "../src/queues";
import type { NotificationMessage } from "../src/queues/messages";
import { listNotifications, notify, unreadCount } from "../src/services/notify";

const db = () => createDb(env.DB);

async function newAgent() {
  const id = newId();
  await db()
    .insert(agents)
    .values({ id, email: `notify-${id}@example.com`, passwordHash: "x", name: "Chris Agent" });
  return id;
}

/** A history row written directly (not through notify), so no background delivery races the test. */
async function row(agentId: string, event: NotificationEvent, inApp = true) {
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
      inApp,
    });
  return id;
}

async function deliver(notificationId: string, overrides: Partial<Env> = {}) {
  const batch = createMessageBatch<NotificationMessage>("rltr-mktg-notifications", [
    { id: newId(), timestamp: new Date(), attempts: 1, body: { type: "deliver", notificationId } },
  ]);
  const ctx = createExecutionContext();
  await handleQueue(batch as MessageBatch<unknown>, { ...env, ...overrides });
  return getQueueResult(batch, ctx);
}

/** A tab on the agent's real hub (as the checked route opens it); collects what the hub sends. */
async function openSocket(agentId: string) {
  const res = await env.NOTIFICATION_HUB.getByName(agentId).fetch("https://hub/connect", {
    headers: { Upgrade: "websocket", [HUB_AGENT_HEADER]: agentId },
  });
  const socket = res.webSocket;
  if (!socket) throw new Error(`no socket (status ${res.status})`);
  socket.accept();
  const seen: { type: string }[] = [];
  socket.addEventListener("message", (e) => seen.push(JSON.parse(String(e.data))));
  sockets.push(socket);
  return seen;
}
const sockets: WebSocket[] = [];

const outbox = (notificationId: string) =>
  db()
    .select()
    .from(emailOutbox)
    .where(like(emailOutbox.idempotencyKey, `notification:${notificationId}:%`));
const stored = async (id: string) =>
  (await db().select().from(notifications).where(eq(notifications.id, id)))[0];

afterEach(() => {
  vi.restoreAllMocks();
  for (const socket of sockets.splice(0)) socket.close();
});

describe("notify()", () => {
  it("writes one row and queues one delivery for the same dedupe key, however often it is called", async () => {
    const agentId = await newAgent();
    const send = vi.spyOn(env.NOTIFICATION_QUEUE, "sendBatch");
    const input = {
      agentId,
      event: "listing_new" as const,
      title: "2 new homes in your builder's listings",
      body: "Open Listings to see them.",
      link: "/listings",
      dedupeKey: `test:${newId()}`,
    };
    const first = await notify(env, input);
    const second = await notify(env, [input]);
    expect(first).toHaveLength(1);
    expect(second).toEqual([]);
    const rows = await db().select().from(notifications).where(eq(notifications.agentId, agentId));
    expect(rows).toHaveLength(1);
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0]?.[0]).toEqual([{ body: { type: "deliver", notificationId: first[0] } }]);
  });

  it("decides in-app when it writes: switched-off events are history only and not in the bell's count", async () => {
    const agentId = await newAgent();
    await db()
      .insert(notificationPreferences)
      .values([
        { agentId, eventType: "listing_new", inApp: false, email: true },
        { agentId, eventType: "post_failed", inApp: false, email: true },
      ]);
    const send = vi.spyOn(env.NOTIFICATION_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    const base = { agentId, body: "", link: null };
    const [listing, failed, ready] = await notify(env, [
      { ...base, event: "listing_new", title: "3 new homes", dedupeKey: `n:${newId()}` },
      { ...base, event: "post_failed", title: "A post failed", dedupeKey: `n:${newId()}` },
      { ...base, event: "content_ready", title: "Drafts ready", dedupeKey: `n:${newId()}` },
    ]);
    expect(send).toHaveBeenCalled();
    expect((await stored(listing as string))?.inApp).toBe(false);
    // Critical: in-app whatever was saved.
    expect((await stored(failed as string))?.inApp).toBe(true);
    expect((await stored(ready as string))?.inApp).toBe(true);
    expect(await unreadCount(db(), agentId)).toBe(2);
    const bell = await listNotifications(db(), agentId, { limit: 10, inApp: true });
    expect(bell.items.map((item) => item.id).sort()).toEqual([failed, ready].sort());
    const history = await listNotifications(db(), agentId, { limit: 10 });
    expect(history.items).toHaveLength(3);
    expect(history.unreadCount).toBe(2);
  });

  it("keeps the history when the queue cannot be reached", async () => {
    const agentId = await newAgent();
    vi.spyOn(env.NOTIFICATION_QUEUE, "sendBatch").mockRejectedValue(new Error("queue down"));
    vi.spyOn(console, "error").mockImplementation(() => {});
    const ids = await notify(env, {
      agentId,
      event: "content_ready",
      title: "Drafts ready",
      body: "",
      link: null,
      dedupeKey: `test:${newId()}`,
    });
    expect(ids).toHaveLength(1);
    expect(await stored(ids[0] as string)).toMatchObject({ agentId, eventType: "content_ready" });
  });

  it("writes many rows in one call (more than one insert statement)", async () => {
    const agentId = await newAgent();
    const inputs = Array.from({ length: 30 }, (_, i) => ({
      agentId,
      event: "preflight_warning" as const,
      title: `Warning ${i}`,
      body: "",
      link: null,
      dedupeKey: `test:${newId()}`,
    }));
    vi.spyOn(env.NOTIFICATION_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    expect(await notify(env, inputs)).toHaveLength(30);
  });
});

describe("the notification consumer", () => {
  it("emails an event that is on by default and not one that is off by default", async () => {
    const agentId = await newAgent();
    const approved = await row(agentId, "content_approved");
    const ready = await row(agentId, "content_ready");
    expect((await deliver(approved)).explicitAcks).toHaveLength(1);
    expect((await deliver(ready)).explicitAcks).toHaveLength(1);
    expect(await outbox(approved)).toHaveLength(1);
    expect(await outbox(ready)).toHaveLength(0);
    expect((await stored(approved))?.emailStatus).toBe("sent");
    expect((await stored(ready))?.emailStatus).toBe("none");
  });

  it("a preference with email off sends nothing; a row written in-app off is not pushed", async () => {
    const agentId = await newAgent();
    await db()
      .insert(notificationPreferences)
      .values([
        { agentId, eventType: "post_succeeded", inApp: false, email: false },
        { agentId, eventType: "post_failed", inApp: false, email: false },
      ]);
    // As notify() writes them with these preferences (see its test): critical post_failed stays in-app.
    const succeeded = await row(agentId, "post_succeeded", false);
    const failed = await row(agentId, "post_failed", true);
    const seen = await openSocket(agentId);
    await deliver(succeeded);
    await deliver(failed);
    expect(await outbox(succeeded)).toHaveLength(0);
    expect(await outbox(failed)).toHaveLength(0);
    expect(seen.filter((m) => m.type === "notification")).toEqual([
      {
        type: "notification",
        notification: expect.objectContaining({ id: failed, event: "post_failed" }),
        unreadCount: 1,
      },
    ]);
  });

  it("sends one email through a failing then recovering email API, and none on redelivery", async () => {
    const url = inject("fakeEmailUrl");
    const emailEnv = { EMAIL_API_URL: url, EMAIL_API_KEY: "re_test_key" };
    const agentId = await newAgent();
    const id = await row(agentId, "post_failed");
    vi.spyOn(console, "error").mockImplementation(() => {});
    await fetch(`${url}/__control/fail`, { method: "POST", body: JSON.stringify([503]) });

    const failing = await deliver(id, emailEnv);
    expect(failing.retryMessages).toHaveLength(1);
    expect((await stored(id))?.emailStatus).toBe("pending");

    const recovered = await deliver(id, emailEnv);
    expect(recovered.explicitAcks).toHaveLength(1);
    expect((await stored(id))?.emailStatus).toBe("sent");

    expect((await deliver(id, emailEnv)).explicitAcks).toHaveLength(1);
    const sent = (await (await fetch(`${url}/__control/sent`)).json()) as {
      headers: Record<string, string>;
    }[];
    const mine = sent.filter((mail) => mail.headers["idempotency-key"] === `notification:${id}:email`);
    expect(mine).toHaveLength(1);
  });

  it("a refused email is failed at once, and the dead-letter queue fails a pending one", async () => {
    const url = inject("fakeEmailUrl");
    const agentId = await newAgent();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const refused = await row(agentId, "post_failed");
    const result = await deliver(refused, { EMAIL_API_URL: url, EMAIL_API_KEY: "re_wrong" });
    expect(result.explicitAcks).toHaveLength(1);
    expect((await stored(refused))?.emailStatus).toBe("failed");

    const pending = await row(agentId, "post_failed");
    await db().update(notifications).set({ emailStatus: "pending" }).where(eq(notifications.id, pending));
    const batch = createMessageBatch<NotificationMessage>("rltr-mktg-notifications-dlq", [
      { id: newId(), timestamp: new Date(), attempts: 6, body: { type: "deliver", notificationId: pending } },
    ]);
    await consumeNotificationDeadLetters(batch, env);
    expect((await stored(pending))?.emailStatus).toBe("failed");
  });
});
