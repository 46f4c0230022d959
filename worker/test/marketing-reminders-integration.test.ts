import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { agents, contentPieces, emailOutbox, listings, marketingRequests, notifications, sessions } from "db";
import { and, desc, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, inject, it, vi } from "vitest";
import { nextReminderAt, reminderKey, sendDueReminders } from "../src/agents/notifications/reminders";
import { createDb } from "../src/lib/db";
import { REDACTED } from "../src/lib/email";
import { newId } from "../src/lib/ids";
import { profileInput } from "../src/schemas/agent";
import { updateProfile } from "../src/services/agents";
import { createSession, generateSessionToken, validateSessionToken } from "../src/services/auth/sessions";
import {
  marketingRequestByToken,
  recordMarketingResponse,
  respondThroughLink,
  sendToMarketing,
} from "../src/services/marketing";

const DAY = 24 * 3600_000;
const ORIGIN = "https://app.test";
const db = () => createDb(env.DB);

/** The fake Resend API (tools/fake-email): what the department actually receives. */
const viaFakeEmail = () => ({ ...env, EMAIL_API_URL: inject("fakeEmailUrl"), EMAIL_API_KEY: "re_test_key" });
type Delivered = {
  headers: Record<string, string>;
  subject: string;
  text: string;
  html: string;
  to: string[];
};
async function delivered(idempotencyKey: string): Promise<Delivered | undefined> {
  const sent = (await (await fetch(`${inject("fakeEmailUrl")}/__control/sent`)).json()) as Delivered[];
  return sent.find((mail) => mail.headers["idempotency-key"] === idempotencyKey);
}
const tokenIn = (text: string) => /\/marketing#([\w-]{20,})/.exec(text)?.[1] ?? null;

/** An agent with a marketing email, one listing and one draft waiting for approval. */
async function agentWithDraft() {
  const agentId = newId();
  await db()
    .insert(agents)
    .values({
      id: agentId,
      email: `reminders-${agentId}@example.com`,
      passwordHash: "x",
      name: "Chris Morgan",
      marketingEmail: `marketing-${agentId}@sunshine.example`,
    });
  return { agentId, pieceId: await draft(agentId) };
}

async function draft(agentId: string) {
  const listingId = newId();
  const now = new Date();
  await db().insert(listings).values({
    id: listingId,
    agentId,
    origin: "manual",
    sourceKey: listingId,
    contentHash: listingId,
    addressLine: "12 Palm Way",
    firstSeenAt: now,
    lastSeenAt: now,
  });
  const pieceId = newId();
  await db()
    .insert(contentPieces)
    .values({
      id: pieceId,
      agentId,
      listingId,
      kind: "facebook_post",
      postType: "new_listing",
      status: "pending_approval",
      rootId: pieceId,
      generationKey: `test:${pieceId}`,
      body: "Brand-new 4-bedroom home at 12 Palm Way, ready in March.",
    });
  return pieceId;
}

const pieceRow = async (pieceId: string) => {
  const [piece] = await db().select().from(contentPieces).where(eq(contentPieces.id, pieceId));
  if (!piece) throw new Error("no piece");
  return piece;
};

/** Sends the draft for review as content.action does; returns the request row. */
async function send(agentId: string, pieceId: string, testEnv: Env = env) {
  await sendToMarketing({ db: db(), env: testEnv, agentId, origin: ORIGIN }, await pieceRow(pieceId), null);
  const [request] = await db()
    .select()
    .from(marketingRequests)
    .where(eq(marketingRequests.contentId, pieceId))
    .orderBy(marketingRequests.createdAt);
  if (!request) throw new Error("no request");
  return { request, sentAt: request.createdAt.getTime() };
}

const reminders = (agentId: string) =>
  db()
    .select()
    .from(notifications)
    .where(and(eq(notifications.agentId, agentId), eq(notifications.eventType, "marketing_reminder")));
const reminderEmails = (requestId: string) =>
  db()
    .select()
    .from(emailOutbox)
    .where(eq(emailOutbox.idempotencyKey, reminderKey(requestId)));

beforeEach(() => {
  // The notification's own delivery (consumer) is not what these tests check; only its history row.
  vi.spyOn(env.NOTIFICATION_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
});
afterEach(() => vi.restoreAllMocks());

describe("marketing reminders", () => {
  it("are due after the agent's N days, not before, and are sent once however often they run", async () => {
    const { agentId, pieceId } = await agentWithDraft();
    const { request, sentAt } = await send(agentId, pieceId);
    const due = sentAt + 2 * DAY;
    expect(await nextReminderAt(db(), agentId)).toBe(due);

    expect(await sendDueReminders(env, db(), agentId, due - 1)).toBe(0);
    expect(await reminders(agentId)).toHaveLength(0);
    expect(await sendDueReminders(env, db(), agentId, due)).toBe(1);
    for (const later of [due, due + 1, due + DAY]) {
      expect(await sendDueReminders(env, db(), agentId, later)).toBe(0);
    }

    const [notification, ...more] = await reminders(agentId);
    expect(more).toHaveLength(0);
    expect(notification).toMatchObject({
      dedupeKey: reminderKey(request.id),
      title: "No answer from marketing yet: Facebook post for 12 Palm Way",
      link: `/approvals?piece=${pieceId}`,
    });
    expect(notification?.body).toContain(request.recipientEmail);
    expect(await reminderEmails(request.id)).toHaveLength(1);
    const [after] = await db().select().from(marketingRequests).where(eq(marketingRequests.id, request.id));
    expect(after?.reminderSentAt?.getTime()).toBe(due);
    expect(await nextReminderAt(db(), agentId)).toBeNull();
  });

  it("runs concurrently without sending twice", async () => {
    const { agentId, pieceId } = await agentWithDraft();
    const { request, sentAt } = await send(agentId, pieceId);
    const at = sentAt + 3 * DAY;
    const counts = await Promise.all([1, 2, 3].map(() => sendDueReminders(env, db(), agentId, at)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await reminders(agentId)).toHaveLength(1);
    expect(await reminderEmails(request.id)).toHaveLength(1);
  });

  it("emails the department the same link as the first email; the outbox keeps it redacted", {
    timeout: 20_000,
  }, async () => {
    const testEnv = viaFakeEmail();
    const { agentId, pieceId } = await agentWithDraft();
    const { request, sentAt } = await send(agentId, pieceId, testEnv);
    const first = await delivered(`marketing-request:${request.id}`);
    const token = tokenIn(first?.text ?? "");
    if (!token) throw new Error("the first email has no link");
    // Sealed, never stored in the clear.
    expect(request.tokenSealed).toMatchObject({ ciphertext: expect.any(String), keyId: expect.any(String) });
    expect(JSON.stringify(request.tokenSealed)).not.toContain(token);

    expect(await sendDueReminders(testEnv, db(), agentId, sentAt + 2 * DAY)).toBe(1);
    const reminder = await delivered(reminderKey(request.id));
    expect(reminder?.to).toEqual([request.recipientEmail]);
    expect(reminder?.subject).toBe("Reminder: review requested: Facebook post for 12 Palm Way");
    expect(tokenIn(reminder?.text ?? "")).toBe(token);
    expect(reminder?.html).toContain(`/marketing#${token}`);
    expect(reminder?.text).toContain(`expires on ${request.expiresAt.toUTCString()}`);

    const [stored] = await reminderEmails(request.id);
    expect(stored?.status).toBe("sent");
    for (const copy of [stored?.text, stored?.html, stored?.subject]) expect(copy).not.toContain(token);
    expect(stored?.text).toContain(`/marketing#${REDACTED}`);
    // Still the one open link: the department can answer through it.
    expect((await marketingRequestByToken(db(), token)).state).toBe("open");
  });

  it("a failing email API leaves the reminder due; the next run sends it once", {
    timeout: 20_000,
  }, async () => {
    const testEnv = viaFakeEmail();
    const { agentId, pieceId } = await agentWithDraft();
    const { request, sentAt } = await send(agentId, pieceId, testEnv);
    const due = sentAt + 2 * DAY;
    vi.spyOn(console, "error").mockImplementation(() => {});
    await fetch(`${inject("fakeEmailUrl")}/__control/fail`, { method: "POST", body: JSON.stringify([503]) });
    expect(await sendDueReminders(testEnv, db(), agentId, due)).toBe(0);
    expect(await reminders(agentId)).toHaveLength(0);
    expect((await reminderEmails(request.id))[0]?.status).toBe("failed");
    // Still waiting (overdue), so the hub's alarm comes back for it.
    expect(await nextReminderAt(db(), agentId)).toBe(due);

    expect(await sendDueReminders(testEnv, db(), agentId, due + 60_000)).toBe(1);
    expect(await sendDueReminders(testEnv, db(), agentId, due + 120_000)).toBe(0);
    expect((await reminderEmails(request.id))[0]?.status).toBe("sent");
    expect(await reminders(agentId)).toHaveLength(1);
    const sent = (await (await fetch(`${inject("fakeEmailUrl")}/__control/sent`)).json()) as Delivered[];
    expect(sent.filter((mail) => mail.headers["idempotency-key"] === reminderKey(request.id))).toHaveLength(
      1,
    );
  });

  it("without TOKEN_ENCRYPTION_KEY, the reminder points to the first email instead", async () => {
    const noKey = { ...env, TOKEN_ENCRYPTION_KEY: "" };
    const { agentId, pieceId } = await agentWithDraft();
    const { request, sentAt } = await send(agentId, pieceId, noKey);
    expect(request.tokenSealed).toBeNull();
    expect(await sendDueReminders(noKey, db(), agentId, sentAt + 2 * DAY)).toBe(1);
    const [stored] = await reminderEmails(request.id);
    expect(stored?.text).toContain("use the link in the first email");
    expect(stored?.text).toContain(`expires on ${request.expiresAt.toUTCString()}`);
    expect(stored?.text).not.toContain("/marketing#");
  });

  it("an answer through the link or recorded by the agent before the due time cancels it", {
    timeout: 20_000,
  }, async () => {
    const testEnv = viaFakeEmail();
    const { agentId, pieceId } = await agentWithDraft();
    const viaLink = await send(agentId, pieceId, testEnv);
    const token = tokenIn((await delivered(`marketing-request:${viaLink.request.id}`))?.text ?? "");
    if (!token) throw new Error("the first email has no link");
    await respondThroughLink(testEnv, db(), token, "approved", null);

    const otherPiece = await draft(agentId);
    const byAgent = await send(agentId, otherPiece);
    await recordMarketingResponse(env, db(), await pieceRow(otherPiece), {
      response: "changes_requested",
      notes: "Say March, not spring",
      actor: "agent",
    });

    expect(await nextReminderAt(db(), agentId)).toBeNull();
    expect(await sendDueReminders(testEnv, db(), agentId, byAgent.sentAt + 5 * DAY)).toBe(0);
    expect(await reminders(agentId)).toHaveLength(0);
    expect(await reminderEmails(viaLink.request.id)).toHaveLength(0);
    expect(await reminderEmails(byAgent.request.id)).toHaveLength(0);
  });

  it("an expired link, a draft that left marketing, or a newer request for the draft gets none", async () => {
    const { agentId, pieceId } = await agentWithDraft();
    const expired = await send(agentId, pieceId);
    // Past the link's expiry: nothing, even though the reminder was due long ago.
    expect(await sendDueReminders(env, db(), agentId, expired.request.expiresAt.getTime())).toBe(0);

    // The agent moved the draft on (approved it himself) while the department was silent.
    await db().update(contentPieces).set({ status: "approved" }).where(eq(contentPieces.id, pieceId));
    expect(await nextReminderAt(db(), agentId)).toBeNull();
    expect(await sendDueReminders(env, db(), agentId, expired.sentAt + 2 * DAY)).toBe(0);

    // Sent again: only the newest request is reminded.
    const again = await draft(agentId);
    const older = await send(agentId, again);
    await db()
      .update(marketingRequests)
      .set({ createdAt: new Date(older.sentAt - 60_000) })
      .where(eq(marketingRequests.id, older.request.id));
    await db().update(contentPieces).set({ status: "pending_approval" }).where(eq(contentPieces.id, again));
    await send(agentId, again);
    const [latest] = await db()
      .select()
      .from(marketingRequests)
      .where(eq(marketingRequests.contentId, again))
      .orderBy(desc(marketingRequests.createdAt))
      .limit(1);
    if (!latest || latest.id === older.request.id) throw new Error("no second request");
    const latestDue = latest.createdAt.getTime() + 2 * DAY;
    expect(await nextReminderAt(db(), agentId)).toBe(latestDue);
    expect(await sendDueReminders(env, db(), agentId, latestDue)).toBe(1);
    expect(await reminderEmails(older.request.id)).toHaveLength(0);
    expect(await reminderEmails(latest.id)).toHaveLength(1);
  });

  it("nextReminderAt is the earliest due time of the agent's open requests only", async () => {
    const { agentId, pieceId } = await agentWithDraft();
    const secondPiece = await draft(agentId);
    const first = await send(agentId, pieceId);
    const second = await send(agentId, secondPiece);
    // The first one was sent a day earlier.
    const earlier = new Date(first.sentAt - DAY);
    await db()
      .update(marketingRequests)
      .set({ createdAt: earlier })
      .where(eq(marketingRequests.id, first.request.id));
    expect(await nextReminderAt(db(), agentId)).toBe(earlier.getTime() + 2 * DAY);

    // Another agent's requests never count, however early.
    const other = await agentWithDraft();
    const foreign = await send(other.agentId, other.pieceId);
    await db()
      .update(marketingRequests)
      .set({ createdAt: new Date(first.sentAt - 5 * DAY) })
      .where(eq(marketingRequests.id, foreign.request.id));
    expect(await nextReminderAt(db(), agentId)).toBe(earlier.getTime() + 2 * DAY);
    expect(await sendDueReminders(env, db(), agentId, earlier.getTime() + 2 * DAY)).toBe(1);
    expect(await reminders(other.agentId)).toHaveLength(0);

    // Reminded: the next one is the second request's.
    expect(await nextReminderAt(db(), agentId)).toBe(second.sentAt + 2 * DAY);
    await recordMarketingResponse(env, db(), await pieceRow(secondPiece), {
      response: "approved",
      notes: null,
      actor: "agent",
    });
    expect(await nextReminderAt(db(), agentId)).toBeNull();
  });

  it("the profile's marketingReminderDays sets N (1 to 30) and auth.me's agent shows it", async () => {
    const { agentId, pieceId } = await agentWithDraft();
    const profile = {
      name: "Chris Morgan",
      brokerageName: "Sunshine Realty",
      licenseNumber: "",
      phone: "",
      timezone: "America/New_York",
    };
    for (const bad of [0, 31, 2.5, "3"]) {
      expect(profileInput.safeParse({ ...profile, marketingReminderDays: bad }).success).toBe(false);
    }
    // Optional: an older client that does not send it keeps the saved value.
    const unchanged = profileInput.parse(profile);
    expect((await updateProfile(db(), agentId, unchanged)).marketingReminderDays).toBe(2);
    const saved = await updateProfile(
      db(),
      agentId,
      profileInput.parse({ ...profile, marketingReminderDays: 5 }),
    );
    expect(saved.marketingReminderDays).toBe(5);

    const token = generateSessionToken();
    await createSession(db(), token, agentId);
    expect((await validateSessionToken(db(), token))?.agent.marketingReminderDays).toBe(5);
    await db().delete(sessions).where(eq(sessions.agentId, agentId));

    const { sentAt } = await send(agentId, pieceId);
    expect(await nextReminderAt(db(), agentId)).toBe(sentAt + 5 * DAY);
    expect(await sendDueReminders(env, db(), agentId, sentAt + 4 * DAY)).toBe(0);
    expect(await sendDueReminders(env, db(), agentId, sentAt + 5 * DAY)).toBe(1);
  });

  it("N beyond the link's lifetime means no reminder (the link would have expired)", async () => {
    const { agentId, pieceId } = await agentWithDraft();
    await db().update(agents).set({ marketingReminderDays: 10 }).where(eq(agents.id, agentId));
    const { sentAt } = await send(agentId, pieceId);
    expect(await nextReminderAt(db(), agentId)).toBeNull();
    expect(await sendDueReminders(env, db(), agentId, sentAt + 10 * DAY)).toBe(0);
  });

  it("the agent's hub alarm sends the due reminder once and then waits for nothing", async () => {
    const { agentId, pieceId } = await agentWithDraft();
    const { request } = await send(agentId, pieceId);
    const hub = env.NOTIFICATION_HUB.getByName(agentId);
    // Sending set the hub's alarm to the reminder's due time.
    const scheduled = await alarmOf(hub);
    expect(scheduled).toBe(request.createdAt.getTime() + 2 * DAY);

    // Two and a half days later (the request's clock moved back instead of the test's).
    await db()
      .update(marketingRequests)
      .set({ createdAt: new Date(Date.now() - 2.5 * DAY) })
      .where(eq(marketingRequests.id, request.id));
    await hub.reschedule(agentId);
    expect(await runDurableObjectAlarm(hub)).toBe(true);
    expect(await reminders(agentId)).toHaveLength(1);
    expect(await reminderEmails(request.id)).toHaveLength(1);
    // Nothing else waits, so no alarm is left; a repeated alarm would send nothing either.
    expect(await alarmOf(hub)).toBeNull();
    expect(await runDurableObjectAlarm(hub)).toBe(false);
    await hub.reschedule(agentId);
    expect(await runDurableObjectAlarm(hub)).toBe(false);
    expect(await reminders(agentId)).toHaveLength(1);
  });
});

const alarmOf = (hub: DurableObjectStub) =>
  runInDurableObject(hub, (_hub, state) => state.storage.getAlarm());
