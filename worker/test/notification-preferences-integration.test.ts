import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { agents, emailOutbox, type NotificationEvent, notificationPreferences, notifications } from "db";
import { eq, like } from "drizzle-orm";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import {
  digestMoments,
  quietHoursEndAt,
  updateNotificationSettings,
} from "../src/agents/notifications/preferences";
import {
  HELD_RETRY_MS,
  nextWakeAt,
  rescheduleNotifications,
  runDueNotificationWork,
} from "../src/agents/notifications/scheduler";
import { HUB_AGENT_HEADER } from "../src/durable-objects/notification-hub";
import { createDb } from "../src/lib/db";
import { newId } from "../src/lib/ids";
import { utcToZoned, zonedTimeToUtc } from "../src/lib/time";
import { handleQueue } from "../src/queues";
import type { NotificationMessage } from "../src/queues/messages";
import { notify } from "../src/services/notify";

const db = () => createDb(env.DB);
const HOUR = 3600_000;

type AgentValues = Partial<typeof agents.$inferInsert>;

async function newAgent(values: AgentValues = {}) {
  const id = newId();
  await db()
    .insert(agents)
    .values({ id, email: `prefs-${id}@example.com`, passwordHash: "x", name: "Chris Agent", ...values });
  return id;
}

type RowValues = Partial<typeof notifications.$inferInsert>;

/** A history row written directly (no queue delivery races the test). */
async function row(agentId: string, event: NotificationEvent, values: RowValues = {}) {
  const id = newId();
  await db()
    .insert(notifications)
    .values({ id, agentId, eventType: event, title: `A ${event}`, link: "/posts", dedupeKey: id, ...values });
  return id;
}

const stored = async (id: string) =>
  (await db().select().from(notifications).where(eq(notifications.id, id)))[0];

async function deliver(notificationId: string) {
  const batch = createMessageBatch<NotificationMessage>("rltr-mktg-notifications", [
    { id: newId(), timestamp: new Date(), attempts: 1, body: { type: "deliver", notificationId } },
  ]);
  const ctx = createExecutionContext();
  await handleQueue(batch as MessageBatch<unknown>, env);
  return getQueueResult(batch, ctx);
}

/** Emails stored in the local outbox (no API key: what the consumer and the hub use in tests). */
const outboxed = (key: string) =>
  db().select().from(emailOutbox).where(like(emailOutbox.idempotencyKey, key));

/** The env pointed at the fake email API, and what that API accepted with a given idempotency key. */
function fakeEmail() {
  const url = inject("fakeEmailUrl");
  return {
    env: { ...env, EMAIL_API_URL: url, EMAIL_API_KEY: "re_test_key" } as Env,
    async sent(keyPrefix: string) {
      const sent = (await (await fetch(`${url}/__control/sent`)).json()) as {
        subject: string;
        text: string;
        headers: Record<string, string>;
      }[];
      return sent.filter((mail) => mail.headers["idempotency-key"]?.startsWith(keyPrefix));
    },
    fail: (statuses: number[]) =>
      fetch(`${url}/__control/fail`, { method: "POST", body: JSON.stringify(statuses) }),
  };
}

/**
 * Runs the agent's hub alarm that a settings change set for "now". The runtime may have run it already
 * (or be running it): then this waits until the row no longer waits.
 */
async function alarmSettles(agentId: string, id: string) {
  await runDurableObjectAlarm(env.NOTIFICATION_HUB.getByName(agentId));
  const end = Date.now() + 3000;
  while (["held", "digest"].includes((await stored(id))?.emailStatus ?? "")) {
    if (Date.now() > end) throw new Error("the alarm did not send the held email");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sockets: WebSocket[] = [];
async function openSocket(agentId: string) {
  const res = await env.NOTIFICATION_HUB.getByName(agentId).fetch("https://hub/connect", {
    headers: { Upgrade: "websocket", [HUB_AGENT_HEADER]: agentId },
  });
  const socket = res.webSocket;
  if (!socket) throw new Error(`no socket (status ${res.status})`);
  socket.accept();
  const seen: { type: string; notification?: { event: string } }[] = [];
  socket.addEventListener("message", (e) => {
    seen.push(JSON.parse(String(e.data)));
  });
  sockets.push(socket);
  return seen;
}

afterEach(() => {
  vi.restoreAllMocks();
  for (const socket of sockets.splice(0)) socket.close();
});

describe("quiet hours and digest times, on the agent's wall clock", () => {
  const NY = "America/New_York";
  const at = (date: string, time: string, zone = NY) => zonedTimeToUtc(date, time, zone);

  it("a window crossing midnight holds until its end the next morning, or the same morning", () => {
    const night = { start: "21:00", end: "07:00" };
    expect(quietHoursEndAt(at("2026-06-10", "23:30"), NY, night)).toBe(at("2026-06-11", "07:00"));
    expect(quietHoursEndAt(at("2026-06-11", "03:00"), NY, night)).toBe(at("2026-06-11", "07:00"));
    expect(quietHoursEndAt(at("2026-06-11", "21:00"), NY, night)).toBe(at("2026-06-12", "07:00"));
    expect(quietHoursEndAt(at("2026-06-11", "07:00"), NY, night)).toBeNull();
    expect(quietHoursEndAt(at("2026-06-11", "12:00"), NY, night)).toBeNull();
    expect(quietHoursEndAt(at("2026-06-11", "12:00"), NY, null)).toBeNull();
  });

  it("a window within one day, in a zone with a half-hour offset", () => {
    const lunch = { start: "12:00", end: "13:30" };
    const kolkata = "Asia/Kolkata";
    const noon = at("2026-06-11", "12:10", kolkata);
    expect(quietHoursEndAt(noon, kolkata, lunch)).toBe(Date.UTC(2026, 5, 11, 8, 0)); // 13:30 IST
    expect(quietHoursEndAt(at("2026-06-11", "11:59", kolkata), kolkata, lunch)).toBeNull();
    expect(quietHoursEndAt(at("2026-06-11", "13:30", kolkata), kolkata, lunch)).toBeNull();
  });

  it("ends at 07:00 local across the fall-back night (daylight time to standard time)", () => {
    const night = { start: "21:00", end: "07:00" };
    // US daylight time ends on 2026-11-01: 23:00 EDT is 03:00Z, 07:00 EST is 12:00Z.
    expect(quietHoursEndAt(Date.UTC(2026, 10, 1, 3, 0), NY, night)).toBe(Date.UTC(2026, 10, 1, 12, 0));
    // Spring forward, 2026-03-08: 23:00 EST is 04:00Z, 07:00 EDT is 11:00Z.
    expect(quietHoursEndAt(Date.UTC(2026, 2, 8, 4, 0), NY, night)).toBe(Date.UTC(2026, 2, 8, 11, 0));
  });

  it("the digest moment is today's local time, and tomorrow's across a DST change", () => {
    const moments = digestMoments(Date.UTC(2026, 9, 31, 20, 0), NY, "08:00");
    expect(moments).toEqual({
      date: "2026-10-31",
      today: Date.UTC(2026, 9, 31, 12, 0), // 08:00 EDT
      tomorrow: Date.UTC(2026, 10, 1, 13, 0), // 08:00 EST
    });
  });
});

describe("the consumer follows the preference matrix", () => {
  it("switches each channel on and off per event", async () => {
    const agentId = await newAgent();
    await updateNotificationSettings(env, db(), agentId, {
      preferences: [
        { event: "listing_new", inApp: true, email: true },
        { event: "post_succeeded", inApp: false, email: true },
        { event: "content_approved", inApp: true, email: false },
        { event: "marketing_response", inApp: false, email: false },
      ],
    });
    const seen = await openSocket(agentId);
    // Written by notify() (which decides in-app), delivered here rather than by the background queue.
    vi.spyOn(env.NOTIFICATION_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    const events = ["listing_new", "post_succeeded", "content_approved", "marketing_response"] as const;
    const written = await notify(
      env,
      events.map((event) => ({ agentId, event, title: event, body: "", link: null, dedupeKey: newId() })),
    );
    const ids = Object.fromEntries(events.map((event, i) => [event, written[i] as string])) as Record<
      (typeof events)[number],
      string
    >;
    for (const id of Object.values(ids)) expect((await deliver(id)).explicitAcks).toHaveLength(1);

    const pushed = seen.filter((m) => m.type === "notification").map((m) => m.notification?.event);
    expect(pushed.sort()).toEqual(["content_approved", "listing_new"]);
    const emailed = async (id: string) => (await outboxed(`notification:${id}:email`)).length;
    expect(await emailed(ids.listing_new)).toBe(1);
    expect(await emailed(ids.post_succeeded)).toBe(1);
    expect(await emailed(ids.content_approved)).toBe(0);
    expect(await emailed(ids.marketing_response)).toBe(0);
    expect((await stored(ids.post_succeeded))?.inApp).toBe(false);
    expect((await stored(ids.content_approved))?.emailStatus).toBe("none");
  });

  it("refuses to switch a critical event off in-app, and forces it on when a saved row says off", async () => {
    const agentId = await newAgent();
    await expect(
      updateNotificationSettings(env, db(), agentId, {
        preferences: [{ event: "account_needs_reconnect", inApp: false, email: false }],
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(
      await db().select().from(notificationPreferences).where(eq(notificationPreferences.agentId, agentId)),
    ).toEqual([]);

    await db().insert(notificationPreferences).values({ agentId, eventType: "post_failed", inApp: false });
    const seen = await openSocket(agentId);
    const failed = await row(agentId, "post_failed");
    await deliver(failed);
    expect(seen.filter((m) => m.type === "notification")).toHaveLength(1);
    expect((await stored(failed))?.inApp).toBe(true);
  });
});

describe("quiet hours hold email until they end", () => {
  it("holds in the agent's zone, survives redelivery, and sends once when they end", async () => {
    const zone = "Asia/Kolkata";
    const now = Date.now();
    // A window around the current moment on the agent's wall clock (it may cross midnight).
    const quietHours = {
      start: utcToZoned(now - HOUR, zone).time,
      end: utcToZoned(now + 2 * HOUR, zone).time,
    };
    const agentId = await newAgent({ timezone: zone });
    await updateNotificationSettings(env, db(), agentId, { quietHours });
    const id = await row(agentId, "post_failed");

    await deliver(id);
    const held = await stored(id);
    expect(held?.emailStatus).toBe("held");
    const dueAt = held?.emailDueAt?.getTime() ?? 0;
    expect(Math.abs(dueAt - (now + 2 * HOUR))).toBeLessThan(60_000);
    expect(await outboxed(`notification:${id}:email`)).toHaveLength(0);
    // The hub's alarm is set for that moment.
    const alarm = await runInDurableObject(env.NOTIFICATION_HUB.getByName(agentId), (_, state) =>
      state.storage.getAlarm(),
    );
    expect(alarm).toBe(dueAt);

    await deliver(id); // Redelivered: not held again, not sent.
    expect(await stored(id)).toMatchObject({ emailStatus: "held", emailDueAt: new Date(dueAt) });

    const email = fakeEmail();
    expect((await runDueNotificationWork(email.env, agentId, dueAt - 1)).held).toBe(0);
    expect(await email.sent(`notification:${id}:`)).toHaveLength(0);
    expect((await runDueNotificationWork(email.env, agentId, dueAt)).held).toBe(1);
    expect((await runDueNotificationWork(email.env, agentId, dueAt + HOUR)).held).toBe(0);
    expect(await email.sent(`notification:${id}:`)).toHaveLength(1);
    expect((await stored(id))?.emailStatus).toBe("sent");
  });

  it("keeps a held email through a failing email API and sends it later; a refusal is final", async () => {
    const agentId = await newAgent();
    const dueAt = Date.now() - HOUR;
    const id = await row(agentId, "post_failed", { emailStatus: "held", emailDueAt: new Date(dueAt) });
    const email = fakeEmail();
    vi.spyOn(console, "error").mockImplementation(() => {});
    await email.fail([503]);

    const now = Date.now();
    expect(await runDueNotificationWork(email.env, agentId, now)).toMatchObject({ held: 0, retried: 1 });
    expect(await stored(id)).toMatchObject({
      emailStatus: "held",
      emailDueAt: new Date(now + HELD_RETRY_MS),
    });
    expect(await nextWakeAt(db(), agentId, now)).toBe(now + HELD_RETRY_MS);
    expect((await runDueNotificationWork(email.env, agentId, now + 1000)).held).toBe(0);
    expect((await runDueNotificationWork(email.env, agentId, now + HELD_RETRY_MS)).held).toBe(1);
    expect(await email.sent(`notification:${id}:`)).toHaveLength(1);
    expect(await nextWakeAt(db(), agentId, now + HELD_RETRY_MS)).toBeNull();

    const refused = await row(agentId, "post_failed", { emailStatus: "held", emailDueAt: new Date(dueAt) });
    await runDueNotificationWork({ ...email.env, EMAIL_API_KEY: "re_wrong" }, agentId, now);
    expect((await stored(refused))?.emailStatus).toBe("failed");
  });

  it("switching quiet hours off releases held email at once; switched-off email is not sent", async () => {
    const agentId = await newAgent();
    const later = Date.now() + 5 * HOUR;
    const held = await row(agentId, "post_failed", { emailStatus: "held", emailDueAt: new Date(later) });
    const off = await row(agentId, "post_succeeded", { emailStatus: "held", emailDueAt: new Date(later) });
    await updateNotificationSettings(env, db(), agentId, {
      quietHours: null,
      preferences: [{ event: "post_succeeded", inApp: true, email: false }],
    });
    const released = (await stored(held))?.emailDueAt?.getTime() ?? Infinity;
    expect(released).toBeLessThanOrEqual(Date.now());
    await alarmSettles(agentId, held);
    expect((await stored(held))?.emailStatus).toBe("sent");
    expect(await outboxed(`notification:${held}:email`)).toHaveLength(1);
    expect((await stored(off))?.emailStatus).toBe("none");
  });
});

describe("the daily digest", () => {
  const zone = "America/Chicago";
  // 08:00 on a fixed local date; rows are written before it.
  const date = "2026-06-15";
  const digestAt = zonedTimeToUtc(date, "08:00", zone);

  async function digestAgent() {
    return newAgent({ timezone: zone, digestTime: "08:00" });
  }

  it("the consumer puts low-priority events into it and emails the rest at once", async () => {
    const agentId = await digestAgent();
    const listing = await row(agentId, "listing_new");
    const failed = await row(agentId, "post_failed");
    await deliver(listing);
    await deliver(failed);
    expect((await stored(listing))?.emailStatus).toBe("digest");
    expect(await outboxed(`notification:${listing}:email`)).toHaveLength(0);
    expect((await stored(failed))?.emailStatus).toBe("sent");
  });

  it("collects the three low-priority events into one email, once per local day", async () => {
    const agentId = await digestAgent();
    const before = new Date(digestAt - 2 * HOUR);
    const ids = [
      await row(agentId, "listing_new", { emailStatus: "digest", createdAt: before }),
      await row(agentId, "listing_changed", { emailStatus: "digest", createdAt: before }),
      await row(agentId, "content_ready", { emailStatus: "digest", createdAt: before }),
    ];
    const email = fakeEmail();
    const key = `digest:${agentId}:`;
    expect(await nextWakeAt(db(), agentId, digestAt - HOUR)).toBe(digestAt);
    expect((await runDueNotificationWork(email.env, agentId, digestAt - 1)).digest).toBe(0);
    expect(await email.sent(key)).toHaveLength(0);

    expect((await runDueNotificationWork(email.env, agentId, digestAt)).digest).toBe(3);
    for (const id of ids) expect((await stored(id))?.emailStatus).toBe("sent");
    // Repeated alarms the same day send nothing more, even with a new low-priority event.
    const late = await row(agentId, "listing_new", {
      emailStatus: "digest",
      createdAt: new Date(digestAt + HOUR),
    });
    expect((await runDueNotificationWork(email.env, agentId, digestAt + 2 * HOUR)).digest).toBe(0);
    expect((await runDueNotificationWork(email.env, agentId, digestAt + 3 * HOUR)).digest).toBe(0);
    const sent = await email.sent(key);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers["idempotency-key"]).toBe(`digest:${agentId}:${date}`);
    expect(sent[0]?.text).toContain("A listing_changed");

    // The next day's digest carries the late one.
    const tomorrow = zonedTimeToUtc("2026-06-16", "08:00", zone);
    expect(await nextWakeAt(db(), agentId, digestAt + 3 * HOUR)).toBe(tomorrow);
    expect((await runDueNotificationWork(email.env, agentId, tomorrow)).digest).toBe(1);
    expect((await stored(late))?.emailStatus).toBe("sent");
    expect(await email.sent(key)).toHaveLength(2);
  });

  it("sends nothing when there is nothing, and does not wake for it", async () => {
    const agentId = await digestAgent();
    const email = fakeEmail();
    expect(await runDueNotificationWork(email.env, agentId, digestAt + HOUR)).toEqual({
      held: 0,
      retried: 0,
      digest: 0,
      reminders: 0,
    });
    expect(await email.sent(`digest:${agentId}:`)).toHaveLength(0);
    expect(await nextWakeAt(db(), agentId, digestAt + HOUR)).toBeNull();
  });

  it("switching the digest off sends what waited for it on its own, if its email is on", async () => {
    const agentId = await digestAgent();
    await updateNotificationSettings(env, db(), agentId, {
      preferences: [{ event: "listing_new", inApp: true, email: true }],
    });
    const waiting = await row(agentId, "listing_new", { emailStatus: "digest" });
    // Emailed only because of the digest (the default): off with it.
    const byDefault = await row(agentId, "content_ready", { emailStatus: "digest" });
    await updateNotificationSettings(env, db(), agentId, { digest: null });
    await alarmSettles(agentId, waiting);
    expect((await stored(waiting))?.emailStatus).toBe("sent");
    expect(await outboxed(`notification:${waiting}:email`)).toHaveLength(1);
    expect((await stored(byDefault))?.emailStatus).toBe("none");
    expect(await outboxed(`notification:${byDefault}:email`)).toHaveLength(0);
  });
});

describe("the hub's alarm", () => {
  it("sends due held email and the digest once, however often the alarm runs", async () => {
    // A digest at local midnight has always passed today; its rows were written before it.
    const zone = "America/Chicago";
    const agentId = await newAgent({ timezone: zone, digestTime: "00:00" });
    const midnight = digestMoments(Date.now(), zone, "00:00").today;
    const digestRows = [
      await row(agentId, "listing_new", { emailStatus: "digest", createdAt: new Date(midnight - HOUR) }),
      await row(agentId, "content_ready", { emailStatus: "digest", createdAt: new Date(midnight - HOUR) }),
    ];
    const held = await row(agentId, "post_failed", {
      emailStatus: "held",
      emailDueAt: new Date(Date.now() + HOUR),
    });
    const stub = env.NOTIFICATION_HUB.getByName(agentId);

    // No alarm until something is due (the digest is due now, so it is set for now or just after).
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    await db().update(notifications).set({ emailStatus: "none" }).where(eq(notifications.agentId, agentId));
    await rescheduleNotifications(env, agentId);
    expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).toBeNull();

    await db()
      .update(notifications)
      .set({ emailStatus: "held", emailDueAt: new Date(Date.now() + HOUR) })
      .where(eq(notifications.id, held));
    await rescheduleNotifications(env, agentId);
    const alarm = await runInDurableObject(stub, (_, state) => state.storage.getAlarm());
    expect(alarm).toBe((await stored(held))?.emailDueAt?.getTime());

    // Now both are due: the held email and today's digest.
    await db()
      .update(notifications)
      .set({ emailDueAt: new Date(Date.now() - 1000) })
      .where(eq(notifications.id, held));
    for (const id of digestRows) {
      await db().update(notifications).set({ emailStatus: "digest" }).where(eq(notifications.id, id));
    }
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stored(held))?.emailStatus).toBe("sent");
    for (const id of digestRows) expect((await stored(id))?.emailStatus).toBe("sent");
    expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).toBeNull();

    // A repeated alarm (at-least-once) sends nothing more.
    await runInDurableObject(stub, (hub) => hub.alarm());
    expect(await outboxed(`notification:${held}:email`)).toHaveLength(1);
    expect(await outboxed(`digest:${agentId}:%`)).toHaveLength(1);
  });
});
