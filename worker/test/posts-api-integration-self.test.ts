import { contentEvents, contentPieces, postSchedule, socialAccounts } from "db";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { newId } from "../src/lib/ids";
import { zonedTimeToUtc } from "../src/lib/time";
import { agentWithListings, db, settled } from "./helpers/content";
import type { TestBrowser } from "./helpers/http";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

type Item = {
  id: string;
  contentId: string;
  kind: string;
  platform: string;
  status: string;
  phase: string;
  scheduledAt: number;
  listing: { id: string; addressLine: string };
  account: { displayName: string; username: string | null } | null;
  lastError: string | null;
};

/** An agent with a listing and its three drafted pieces, waiting for approval. */
async function agentWithDrafts() {
  const agent = await agentWithListings(1);
  const listing = agent.listings[0];
  if (!listing) throw new Error("no listing");
  await agent.browser.mutate("content.createForListing", { listingId: listing.id });
  const pieces = await settled(agent.agentId, listing.id);
  const piece = (kind: string) => {
    const found = pieces.find((p) => p.kind === kind);
    if (!found) throw new Error(`no ${kind}`);
    return found;
  };
  return { ...agent, listing, facebook: piece("facebook_post"), instagram: piece("instagram_caption") };
}

async function schedule(browser: TestBrowser, pieceId: string, scheduledAt: number) {
  const res = await browser.mutate<{ status: string }>("content.action", {
    id: pieceId,
    action: "approve_and_post",
    scheduledAt,
  });
  expect(res.data).toEqual({ status: "scheduled" });
  const [post] = await db()
    .select()
    .from(postSchedule)
    .where(and(eq(postSchedule.contentId, pieceId), eq(postSchedule.status, "scheduled")));
  if (!post) throw new Error("no post");
  return post;
}

const list = (browser: TestBrowser, input: Record<string, unknown>) =>
  browser.query<{ items: Item[] }>("posts.list", input);

const postRow = async (id: string) =>
  (await db().select().from(postSchedule).where(eq(postSchedule.id, id)))[0];
const pieceRow = async (id: string) =>
  (await db().select().from(contentPieces).where(eq(contentPieces.id, id)))[0];
const eventsOf = (pieceId: string) =>
  db().select().from(contentEvents).where(eq(contentEvents.contentId, pieceId));

async function connectAccount(agentId: string, platform: "facebook" | "instagram") {
  await db()
    .insert(socialAccounts)
    .values({
      id: newId(),
      agentId,
      platform,
      externalId: `page-${newId()}`,
      displayName: "Sunshine Homes",
      username: platform === "instagram" ? "sunshinehomes" : null,
      accessTokenCiphertext: "sealed",
      accessTokenIv: "iv",
      keyId: "k1",
    });
}

describe("posts API (the calendar's procedures)", () => {
  it("lists the agent's posts in a range, filtered by status, with piece, listing and account", {
    timeout: 30_000,
  }, async () => {
    const agent = await agentWithDrafts();
    const now = Date.now();
    const facebook = await schedule(agent.browser, agent.facebook.id, now + 2 * DAY);
    const instagram = await schedule(agent.browser, agent.instagram.id, now + 5 * DAY);
    await connectAccount(agent.agentId, "instagram");

    const soon = await list(agent.browser, { from: now, to: now + 3 * DAY });
    expect(soon.status).toBe(200);
    expect(soon.data.items.map((item) => item.id)).toEqual([facebook.id]);
    expect(soon.data.items[0]).toMatchObject({
      contentId: agent.facebook.id,
      kind: "facebook_post",
      platform: "facebook",
      status: "scheduled",
      scheduledAt: now + 2 * DAY,
      listing: { id: agent.listing.id, addressLine: agent.listing.addressLine },
      account: null,
    });
    expect(JSON.stringify(soon.data)).not.toContain("sealed");

    const week = await list(agent.browser, { from: now, to: now + 7 * DAY, status: "scheduled" });
    expect(week.data.items.map((item) => item.id)).toEqual([facebook.id, instagram.id]);
    expect(week.data.items[1]?.account).toEqual({ displayName: "Sunshine Homes", username: "sunshinehomes" });
    const failed = await list(agent.browser, { from: now, to: now + 7 * DAY, status: "failed" });
    expect(failed.data.items).toEqual([]);

    const tooLong = await list(agent.browser, { from: now, to: now + 63 * DAY });
    expect(tooLong.error?.data.code).toBe("BAD_REQUEST");
    expect(tooLong.error?.data.fieldErrors).toHaveProperty("to");
    const backwards = await list(agent.browser, { from: now, to: now - DAY });
    expect(backwards.error?.data.code).toBe("BAD_REQUEST");

    const one = await agent.browser.query<Item & { body: string }>("posts.get", { id: instagram.id });
    expect(one.data).toMatchObject({
      id: instagram.id,
      kind: "instagram_caption",
      body: agent.instagram.body,
    });
  });

  it("stores 09:00 New York on the day after the spring DST change as 13:00 UTC", {
    timeout: 30_000,
  }, async () => {
    const agent = await agentWithDrafts();
    // DST starts 2027-03-14 in the US.
    const at = zonedTimeToUtc("2027-03-15", "09:00", "America/New_York");
    expect(new Date(at).toISOString()).toBe("2027-03-15T13:00:00.000Z");
    const post = await schedule(agent.browser, agent.facebook.id, at);
    expect(post.scheduledAt.getTime()).toBe(at);
    expect(post.nextStepAt?.getTime()).toBe(at);
  });

  it("reschedules only a scheduled post that has not started, to a future time within a year", {
    timeout: 30_000,
  }, async () => {
    const agent = await agentWithDrafts();
    const now = Date.now();
    const post = await schedule(agent.browser, agent.facebook.id, now + DAY);
    const reschedule = (scheduledAt: number, id = post.id) =>
      agent.browser.mutate<{ status: string; scheduledAt: number }>("posts.reschedule", { id, scheduledAt });

    const past = await reschedule(now - HOUR);
    expect(past.error?.data.code).toBe("BAD_REQUEST");
    expect(past.error?.data.fieldErrors).toHaveProperty("scheduledAt");
    const tooFar = await reschedule(now + 366 * DAY);
    expect(tooFar.error?.data.code).toBe("BAD_REQUEST");

    const later = now + 3 * DAY;
    const moved = await reschedule(later);
    expect(moved.data).toEqual({ id: post.id, status: "scheduled", scheduledAt: later });
    const row = await postRow(post.id);
    expect(row?.scheduledAt.getTime()).toBe(later);
    // The engine acts on next_step_at: an alarm for the old time finds nothing due.
    expect(row?.nextStepAt?.getTime()).toBe(later);
    const events = await eventsOf(agent.facebook.id);
    expect(events.find((event) => event.note?.startsWith("Rescheduled"))?.note).toContain(
      new Date(later).toISOString().slice(0, 16),
    );
    expect((await pieceRow(agent.facebook.id))?.status).toBe("scheduled");

    // Started (a publishing call went out) or finished: too late to move.
    await db().update(postSchedule).set({ phase: "attempted" }).where(eq(postSchedule.id, post.id));
    expect((await reschedule(now + 2 * DAY)).error?.data.code).toBe("CONFLICT");
    await db()
      .update(postSchedule)
      .set({ status: "published", phase: "done" })
      .where(eq(postSchedule.id, post.id));
    expect((await reschedule(now + 2 * DAY)).error?.data.code).toBe("CONFLICT");
    expect((await postRow(post.id))?.scheduledAt.getTime()).toBe(later);
  });

  it("cancels a scheduled post: the piece waits for approval again and can be approved again", {
    timeout: 30_000,
  }, async () => {
    const agent = await agentWithDrafts();
    const now = Date.now();
    const post = await schedule(agent.browser, agent.facebook.id, now + DAY);

    const cancelled = await agent.browser.mutate("posts.cancel", { id: post.id });
    expect(cancelled.data).toEqual({ id: post.id, status: "cancelled", pieceId: agent.facebook.id });
    expect((await postRow(post.id))?.status).toBe("cancelled");
    expect((await postRow(post.id))?.nextStepAt).toBeNull();
    expect((await pieceRow(agent.facebook.id))?.status).toBe("pending_approval");
    const events = await eventsOf(agent.facebook.id);
    expect(events.find((event) => event.action === "post_cancelled")).toMatchObject({
      fromStatus: "scheduled",
      toStatus: "pending_approval",
    });
    expect((await agent.browser.mutate("posts.cancel", { id: post.id })).error?.data.code).toBe("CONFLICT");
    expect(
      (await agent.browser.mutate("posts.reschedule", { id: post.id, scheduledAt: now + DAY })).error?.data
        .code,
    ).toBe("CONFLICT");

    const again = await schedule(agent.browser, agent.facebook.id, now + 2 * DAY);
    expect(again.id).not.toBe(post.id);
    const listed = await list(agent.browser, { from: now, to: now + 3 * DAY });
    expect(listed.data.items.map((item) => [item.id, item.status])).toEqual([
      [post.id, "cancelled"],
      [again.id, "scheduled"],
    ]);
  });

  it("retries only a failed or unconfirmed post, with its account connected; unconfirmed is read back first", {
    timeout: 30_000,
  }, async () => {
    const agent = await agentWithDrafts();
    const now = Date.now();
    const facebook = await schedule(agent.browser, agent.facebook.id, now + DAY);
    const instagram = await schedule(agent.browser, agent.instagram.id, now + DAY);
    const retry = (id: string) => agent.browser.mutate<{ status: string }>("posts.retry", { id });

    expect((await retry(facebook.id)).error?.data.code).toBe("CONFLICT");

    await db()
      .update(postSchedule)
      .set({ status: "failed", failureKind: "reconnect", lastError: "Reconnect your Page" })
      .where(eq(postSchedule.id, facebook.id));
    await db()
      .update(contentPieces)
      .set({ status: "post_failed" })
      .where(eq(contentPieces.id, agent.facebook.id));
    // No connected Page: retrying would only fail again.
    const noAccount = await retry(facebook.id);
    expect(noAccount.error?.data.code).toBe("CONFLICT");
    expect(noAccount.error?.message).toMatch(/Connect your Facebook Page/);

    await connectAccount(agent.agentId, "facebook");
    await connectAccount(agent.agentId, "instagram");
    expect((await retry(facebook.id)).data).toEqual({ id: facebook.id, status: "scheduled" });
    // The piece's history notes the retry (the engine may already be at work on the post).
    expect((await eventsOf(agent.facebook.id)).some((event) => /retry|trying/i.test(event.note ?? ""))).toBe(
      true,
    );

    await db()
      .update(postSchedule)
      .set({ status: "unconfirmed", phase: "attempted", attempts: 1 })
      .where(eq(postSchedule.id, instagram.id));
    await db()
      .update(contentPieces)
      .set({ status: "unconfirmed" })
      .where(eq(contentPieces.id, agent.instagram.id));
    expect((await retry(instagram.id)).data).toEqual({ id: instagram.id, status: "scheduled" });
    // Never blindly: the engine finds the attempt and reads back before sending anything.
    expect((await postRow(instagram.id))?.phase).toBe("attempted");
  });

  it("answers NOT_FOUND for another agent's post and never lists it", { timeout: 30_000 }, async () => {
    const owner = await agentWithDrafts();
    const other = await agentWithListings(1);
    const now = Date.now();
    const post = await schedule(owner.browser, owner.facebook.id, now + DAY);
    await db().update(postSchedule).set({ status: "failed" }).where(eq(postSchedule.id, post.id));

    expect((await other.browser.query("posts.get", { id: post.id })).error?.data.code).toBe("NOT_FOUND");
    for (const [procedure, input] of [
      ["posts.reschedule", { id: post.id, scheduledAt: now + 2 * DAY }],
      ["posts.cancel", { id: post.id }],
      ["posts.retry", { id: post.id }],
    ] as const) {
      expect((await other.browser.mutate(procedure, input)).error?.data.code).toBe("NOT_FOUND");
    }
    expect((await list(other.browser, { from: now, to: now + 2 * DAY })).data.items).toEqual([]);
    expect((await postRow(post.id))?.scheduledAt.getTime()).toBe(now + DAY);
  });
});
