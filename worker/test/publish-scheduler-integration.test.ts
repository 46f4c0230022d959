import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { contentPieces, notifications, postSchedule, socialAccounts } from "db";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { preflightPost } from "../src/agents/social/preflight";
import { cancelPost, nextWakeAt, reschedulePost, retryPost } from "../src/agents/social/publisher";
import { newId } from "../src/lib/ids";
import { zonedTimeToUtc } from "../src/lib/time";
import { actOnPiece } from "../src/services/content";
import {
  type Agent,
  approvedPost,
  callsOf,
  clearFaults,
  connectedAgent,
  db,
  drive,
  fault,
  pieceRow,
  postRow,
  published,
} from "./helpers/publishing";

const MINUTE = 60_000;
const schedulerOf = (agent: Agent) => env.POST_SCHEDULER.getByName(agent.agentId);

/** Runs the scheduler's alarm now (whatever time it was set for). */
async function alarmNow(agent: Agent) {
  const stub = schedulerOf(agent);
  await stub.wake(Date.now());
  await runDurableObjectAlarm(stub);
  return stub;
}

async function makeDue(postId: string) {
  const now = new Date(Date.now() - 1000);
  await db()
    .update(postSchedule)
    .set({ scheduledAt: now, nextStepAt: now })
    .where(eq(postSchedule.id, postId));
}

describe("the agent's PostScheduler", () => {
  it("keeps one alarm at the earliest step; a stale alarm does nothing; a due post goes out once", {
    timeout: 30_000,
  }, async () => {
    const agent = await connectedAgent();
    const t1 = Date.now() + 30 * MINUTE;
    const t2 = Date.now() + 40 * MINUTE;
    const first = await approvedPost(agent, "facebook", { at: t1 });
    const second = await approvedPost(agent, "facebook", { at: t2 });

    // The first look runs both preflights and arms the alarm for the earliest post.
    const stub = await alarmNow(agent);
    expect(await stub.alarmAt()).toBe(t1);
    expect((await postRow(first.postId))?.preflightAt).not.toBeNull();
    expect((await postRow(first.postId))?.warnings).toEqual([]);

    // Moving the first post later: the alarm follows D1 to the second one.
    await reschedulePost(env, agent.agentId, first.postId, t2 + 10 * MINUTE);
    await alarmNow(agent);
    expect(await stub.alarmAt()).toBe(t2);

    // An alarm that fires with nothing due (stale) hands nothing over and only re-arms.
    await alarmNow(agent);
    for (const post of [first, second]) {
      expect(await postRow(post.postId)).toMatchObject({ status: "scheduled", dispatchedAt: null });
    }
    expect(await stub.alarmAt()).toBe(t2);

    // Time passes: the second post is due; the alarm hands it to the queue and it is published once.
    await makeDue(second.postId);
    await alarmNow(agent);
    await expect
      .poll(async () => (await postRow(second.postId))?.status, { timeout: 15_000 })
      .toBe("published");
    expect((await postRow(second.postId))?.dispatchedAt).not.toBeNull();
    expect(await stub.alarmAt()).toBe(t2 + 10 * MINUTE);
    expect((await published(agent.world)).facebook).toHaveLength(1);
  });

  it("a double alarm and a repeated hand-over publish the post once", { timeout: 30_000 }, async () => {
    const agent = await connectedAgent();
    const post = await approvedPost(agent, "facebook", { at: Date.now() + 20 * MINUTE });
    await makeDue(post.postId);
    // The Page is slow: the first hand-over is still publishing when the second alarm fires.
    await fault(agent.world, {
      kind: "ghost",
      mode: "hang",
      hangMs: 1500,
      count: 1,
      match: { path: "/feed$" },
    });
    await Promise.all([alarmNow(agent), alarmNow(agent)]);
    await alarmNow(agent);
    await expect
      .poll(async () => (await postRow(post.postId))?.status, { timeout: 20_000 })
      .toBe("published");
    await alarmNow(agent);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await published(agent.world)).facebook).toHaveLength(1);
    expect((await callsOf(agent.world)).filter((c) => c.method === "POST")).toHaveLength(1);
    expect(await postRow(post.postId)).toMatchObject({ status: "published", attempts: 1 });
  });

  it("09:00 in New York on the day after each DST change lands at the right UTC time", {
    timeout: 30_000,
  }, async () => {
    // 2027: clocks go forward on 14 March (EDT, UTC-4) and back on 7 November (EST, UTC-5).
    const spring = zonedTimeToUtc("2027-03-15", "09:00", "America/New_York");
    const autumn = zonedTimeToUtc("2027-11-08", "09:00", "America/New_York");
    expect(new Date(spring).toISOString()).toBe("2027-03-15T13:00:00.000Z");
    expect(new Date(autumn).toISOString()).toBe("2027-11-08T14:00:00.000Z");

    const agent = await connectedAgent();
    const deps = { db: db(), env, agentId: agent.agentId, origin: "https://app.test" };
    for (const at of [spring, autumn]) {
      const pieceId = newId();
      await db()
        .insert(contentPieces)
        .values({
          id: pieceId,
          agentId: agent.agentId,
          listingId: agent.listingId,
          kind: "facebook_post",
          postType: "new_listing",
          status: "pending_approval",
          rootId: pieceId,
          generationKey: `test:${pieceId}`,
          body: `Open house ${pieceId}`,
          generator: "manual",
        });
      expect(await actOnPiece(deps, { id: pieceId, action: "approve_and_post", scheduledAt: at })).toEqual({
        status: "scheduled",
      });
      const [post] = await db().select().from(postSchedule).where(eq(postSchedule.contentId, pieceId));
      expect(post).toMatchObject({
        status: "scheduled",
        scheduledAt: new Date(at),
        nextStepAt: new Date(at),
      });
    }
    // The scheduler looks at once (preflight), then sleeps until an hour before the spring post (its
    // second preflight), then until the post itself.
    const stub = await alarmNow(agent);
    expect(await stub.alarmAt()).toBe(spring - 3600_000);
    expect(await nextWakeAt(env, agent.agentId, spring - 3600_000 + 1)).toBe(spring);
  });
});

describe("preflight", () => {
  it("an expired token and a listing without a usable photo become warnings and one notification", {
    timeout: 30_000,
  }, async () => {
    const agent = await connectedAgent({ photos: [] });
    const { postId } = await approvedPost(agent, "instagram", { at: Date.now() + 3 * 3600_000 });
    await fault(agent.world, { kind: "token_expired", count: 1 });
    const result = await preflightPost(env, postId);
    expect(result?.warnings.map((w) => w.code).sort()).toEqual(["needs_reconnect", "no_photo"]);
    const post = await postRow(postId);
    expect(post?.warnings.map((w) => w.code).sort()).toEqual(["needs_reconnect", "no_photo"]);
    expect(post?.preflightAt).not.toBeNull();
    expect(post?.status).toBe("scheduled");
    const [account] = await db()
      .select()
      .from(socialAccounts)
      .where(and(eq(socialAccounts.agentId, agent.agentId), eq(socialAccounts.platform, "instagram")));
    expect(account?.status).toBe("needs_reconnect");

    await preflightPost(env, postId);
    const warned = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.agentId, agent.agentId), eq(notifications.eventType, "preflight_warning")));
    expect(warned).toHaveLength(1);
    expect(warned[0]?.body).toMatch(/Instagram needs a photo/);
  });

  it("a healthy post passes with no warning and no notification", { timeout: 30_000 }, async () => {
    const agent = await connectedAgent();
    const { postId } = await approvedPost(agent, "facebook", { at: Date.now() + 3 * 3600_000 });
    expect((await preflightPost(env, postId))?.warnings).toEqual([]);
    const warned = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.agentId, agent.agentId), eq(notifications.eventType, "preflight_warning")));
    expect(warned).toEqual([]);
  });
});

describe("cancel, reschedule and retry (for the posts router)", () => {
  it("are scoped to the agent and idempotent", { timeout: 30_000 }, async () => {
    const agent = await connectedAgent();
    const other = await connectedAgent();
    const at = Date.now() + 2 * 3600_000;
    const post = await approvedPost(agent, "facebook", { at });
    await expect(cancelPost(env, other.agentId, post.postId)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(reschedulePost(env, other.agentId, post.postId, at + MINUTE)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });

    expect(await reschedulePost(env, agent.agentId, post.postId, at + MINUTE)).toEqual({
      status: "scheduled",
      scheduledAt: at + MINUTE,
    });
    expect(await reschedulePost(env, agent.agentId, post.postId, at + MINUTE)).toEqual({
      status: "scheduled",
      scheduledAt: at + MINUTE,
    });
    expect(await postRow(post.postId)).toMatchObject({
      nextStepAt: new Date(at + MINUTE),
      preflightAt: null,
    });

    expect(await cancelPost(env, agent.agentId, post.postId)).toEqual({ status: "cancelled" });
    expect(await cancelPost(env, agent.agentId, post.postId)).toEqual({ status: "cancelled" });
    expect((await pieceRow(post.pieceId))?.status).toBe("pending_approval");
    await expect(reschedulePost(env, agent.agentId, post.postId, at)).rejects.toMatchObject({
      code: "CONFLICT",
    });

    // A failed post is retried once, however often Retry is pressed.
    const failed = await approvedPost(agent, "facebook");
    const revoked = await fault(agent.world, { kind: "permission_revoked" });
    expect(await drive(failed.postId)).toMatchObject({ status: "failed", failureKind: "reconnect" });
    await clearFaults(revoked.ids);
    await db()
      .update(socialAccounts)
      .set({ status: "connected" })
      .where(eq(socialAccounts.agentId, agent.agentId));
    const [first, second] = await Promise.all([
      retryPost(env, agent.agentId, failed.postId),
      retryPost(env, agent.agentId, failed.postId),
    ]);
    expect([first?.status, second?.status]).toEqual(["scheduled", "scheduled"]);
    expect(await drive(failed.postId)).toMatchObject({ status: "published" });
    expect(await retryPost(env, agent.agentId, failed.postId)).toEqual({ status: "published" });
    expect((await published(agent.world)).facebook).toHaveLength(1);
  });
});
