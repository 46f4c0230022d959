import {
  createExecutionContext,
  createScheduledController,
  runDurableObjectAlarm,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import {
  CONTENT_KINDS,
  contentEvents,
  contentPieces,
  contentRequests,
  isActionAllowed,
  notifications,
  postSchedule,
} from "db";
import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { actOnPiece, requestDrafts } from "../src/services/content";
import { sweepContent } from "../src/services/sweeper";
import { agentWithListings, db, piecesOf, settled } from "./helpers/content";

const MINUTE = 60_000;

/** The Worker's env with one queue whose sends fail, as when Queues is unavailable. */
function envWithFailing(binding: "CONTENT_QUEUE" | "POSTING_QUEUE"): Env {
  const refuse = async () => {
    throw new Error("Queue send failed: service unavailable");
  };
  return new Proxy(env, {
    get: (target, key) => (key === binding ? { send: refuse, sendBatch: refuse } : Reflect.get(target, key)),
  });
}

async function setup() {
  const agent = await agentWithListings(1);
  const listing = agent.listings[0];
  if (!listing) throw new Error("no listing");
  const deps = (e: Env) => ({ db: db(), env: e, agentId: agent.agentId, origin: "http://localhost" });
  return { agent, listing, deps };
}

const requestsOf = (agentId: string) =>
  db().select().from(contentRequests).where(eq(contentRequests.agentId, agentId));
const postOf = async (contentId: string) =>
  (await db().select().from(postSchedule).where(eq(postSchedule.contentId, contentId)))[0];
const eventsOf = (ids: string[]) =>
  db().select().from(contentEvents).where(inArray(contentEvents.contentId, ids));

async function drafted() {
  const base = await setup();
  await requestDrafts(base.deps(env), {
    listingId: base.listing.id,
    kinds: [...CONTENT_KINDS],
    postType: "new_listing",
  });
  const pieces = await settled(base.agent.agentId, base.listing.id);
  const byKind = Object.fromEntries(pieces.map((piece) => [piece.kind, piece]));
  return { ...base, byKind };
}

describe("outbox: a failed queue send is repaired by the sweeper", () => {
  it("a manual draft request stays in the outbox, and the sweeper sends it once", {
    timeout: 30_000,
  }, async () => {
    const { agent, listing, deps } = await setup();
    const { pieceIds } = await requestDrafts(deps(envWithFailing("CONTENT_QUEUE")), {
      listingId: listing.id,
      kinds: [...CONTENT_KINDS],
      postType: "new_listing",
    });
    expect(pieceIds).toHaveLength(3);
    const [request] = await requestsOf(agent.agentId);
    expect(request).toMatchObject({ dispatchedAt: null, message: { type: "manual_request" } });
    expect((await piecesOf(agent.agentId)).map((p) => p.status)).toEqual(Array(3).fill("generating"));

    // Within the grace period the send after the insert may still be under way: left alone.
    await sweepContent(env, Date.now());
    expect((await requestsOf(agent.agentId))[0]?.dispatchedAt).toBeNull();

    const report = await sweepContent(env, Date.now() + 2 * MINUTE);
    expect(report.requestsResent).toBeGreaterThanOrEqual(1);
    const [sent] = await requestsOf(agent.agentId);
    expect(sent?.dispatchedAt).not.toBeNull();
    const pieces = await settled(agent.agentId, listing.id);
    expect(pieces.map((p) => p.status)).toEqual(Array(3).fill("pending_approval"));

    // Idempotent: a second sweep sends nothing again and drafts nothing twice.
    await sweepContent(env, Date.now() + 3 * MINUTE);
    expect((await requestsOf(agent.agentId))[0]?.dispatchedAt).toEqual(sent?.dispatchedAt);
    expect(await piecesOf(agent.agentId)).toHaveLength(3);
    // Sent requests are kept a week, then pruned.
    await sweepContent(env, Date.now() + 8 * 24 * 3600_000);
    expect(await requestsOf(agent.agentId)).toEqual([]);
  });

  it("a revision request too: the new version is drafted and the parent superseded", {
    timeout: 30_000,
  }, async () => {
    const { agent, listing, deps, byKind } = await drafted();
    const parent = byKind.facebook_post;
    if (!parent) throw new Error("no post");
    await actOnPiece(deps(envWithFailing("CONTENT_QUEUE")), {
      id: parent.id,
      action: "request_revisions",
      feedback: "Shorter, please",
    });
    const child = (await piecesOf(agent.agentId)).find((p) => p.parentId === parent.id);
    expect(child).toMatchObject({ status: "generating", version: 2, feedback: "Shorter, please" });
    const pending = (await requestsOf(agent.agentId)).filter((r) => r.dispatchedAt === null);
    expect(pending.map((r) => r.message)).toEqual([expect.objectContaining({ type: "revision_request" })]);

    await sweepContent(env, Date.now() + 2 * MINUTE);
    const rows = await settled(agent.agentId, listing.id);
    expect(rows.find((p) => p.id === child?.id)?.status).toBe("pending_approval");
    expect(rows.find((p) => p.id === parent.id)?.status).toBe("superseded");
  });

  it("an approved post stays in the outbox, and the sweeper dispatches it once", {
    timeout: 30_000,
  }, async () => {
    const { agent, deps, byKind } = await drafted();
    const facebook = byKind.facebook_post;
    if (!facebook) throw new Error("no post");
    const result = await actOnPiece(deps(envWithFailing("POSTING_QUEUE")), {
      id: facebook.id,
      action: "approve_and_post",
    });
    expect(result).toEqual({ status: "approved" });
    // The approval and its post row were written together; only the send failed.
    expect(await postOf(facebook.id)).toMatchObject({ status: "scheduled", dispatchedAt: null });

    await sweepContent(env, Date.now() + 2 * MINUTE);
    expect((await postOf(facebook.id))?.dispatchedAt).not.toBeNull();
    await expect.poll(async () => (await postOf(facebook.id))?.status, { timeout: 15_000 }).toBe("failed");
    const dispatchedAt = (await postOf(facebook.id))?.dispatchedAt;
    await sweepContent(env, Date.now() + 3 * MINUTE);
    // No Page is connected: failed before any Graph call, for a reconnect.
    expect(await postOf(facebook.id)).toMatchObject({ dispatchedAt, attempts: 0, failureKind: "reconnect" });
    const failures = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.agentId, agent.agentId), eq(notifications.eventType, "post_failed")));
    expect(failures).toHaveLength(1);
  });

  it("a scheduled post past due that the alarm never sent is dispatched; the late alarm changes nothing", {
    timeout: 30_000,
  }, async () => {
    const { deps, byKind } = await drafted();
    const caption = byKind.instagram_caption;
    if (!caption) throw new Error("no caption");
    const at = Date.now() + 3 * 3600_000;
    await actOnPiece(deps(env), { id: caption.id, action: "approve_and_post", scheduledAt: at });
    const post = await postOf(caption.id);
    expect(post).toMatchObject({ status: "scheduled", dispatchedAt: null });

    await sweepContent(env, Date.now());
    expect((await postOf(caption.id))?.dispatchedAt).toBeNull();

    // Its time passed (D1 is the clock the engine trusts) and the alarm never handed it over.
    const past = new Date(Date.now() - 2 * MINUTE);
    await db()
      .update(postSchedule)
      .set({ scheduledAt: past, nextStepAt: past })
      .where(eq(postSchedule.id, post?.id ?? ""));
    await sweepContent(env, Date.now());
    expect((await postOf(caption.id))?.dispatchedAt).not.toBeNull();
    await expect.poll(async () => (await postOf(caption.id))?.status, { timeout: 15_000 }).toBe("failed");

    // The agent's scheduler fires late after all: the post is settled, nothing is due, nothing changes.
    const stub = env.POST_SCHEDULER.getByName(post?.agentId ?? "");
    await stub.wake(Date.now());
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await postOf(caption.id)).toMatchObject({
      status: "failed",
      attempts: 0,
      failureKind: "reconnect",
    });
  });
});

describe("sweeper: work stuck past its deadline", () => {
  it("a draft generating for 15 minutes fails with a plain reason, from the cron, once", {
    timeout: 60_000,
  }, async () => {
    const { agent, listing, deps } = await setup();
    const quiet = new Proxy(env, {
      get: (target, key) =>
        key === "CONTENT_QUEUE" ? { send: async () => undefined } : Reflect.get(target, key),
    });
    // The message went out and was lost: nothing will ever draft these pieces.
    const { pieceIds } = await requestDrafts(deps(quiet), {
      listingId: listing.id,
      kinds: ["facebook_post", "flyer_text"],
      postType: "new_listing",
    });
    const [old, recent] = pieceIds;
    const now = Date.now();
    await db()
      .update(contentPieces)
      .set({ updatedAt: new Date(now - 16 * MINUTE) })
      .where(eq(contentPieces.id, old ?? ""));
    await db()
      .update(contentPieces)
      .set({ updatedAt: new Date(now - 14 * MINUTE) })
      .where(eq(contentPieces.id, recent ?? ""));

    const controller = createScheduledController({ scheduledTime: now, cron: "*/5 * * * *" });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);

    const byId = Object.fromEntries((await piecesOf(agent.agentId, listing.id)).map((p) => [p.id, p]));
    expect(byId[old ?? ""]).toMatchObject({
      status: "failed",
      error: "Drafting took longer than 15 minutes and was stopped.",
      errorDetail: expect.stringMatching(/No draft 16 minutes after the last activity/),
    });
    expect(byId[recent ?? ""]?.status).toBe("generating");
    expect(isActionAllowed("retry", "failed")).toBe(true);
    const events = await eventsOf([old ?? ""]);
    expect(events.filter((e) => e.action === "generation_failed")).toEqual([
      expect.objectContaining({ actor: "system", fromStatus: "generating", toStatus: "failed" }),
    ]);

    await sweepContent(env, now);
    expect(await eventsOf([old ?? ""])).toHaveLength(events.length);
    const failed = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.agentId, agent.agentId), eq(notifications.eventType, "content_failed")));
    expect(failed).toHaveLength(1);
  });

  it("a revision without a live child is settled, or failed past the deadline so it can be retried", {
    timeout: 30_000,
  }, async () => {
    const { agent, deps, byKind } = await drafted();
    const quiet = new Proxy(env, {
      get: (target, key) =>
        key === "CONTENT_QUEUE" ? { send: async () => undefined } : Reflect.get(target, key),
    });
    // One parent whose new version failed without settling it (as before this sweeper existed) ...
    const settledParent = byKind.facebook_post;
    if (!settledParent) throw new Error("no post");
    await actOnPiece(deps(quiet), { id: settledParent.id, action: "request_revisions", feedback: "More" });
    await db()
      .update(contentPieces)
      .set({ status: "failed", error: "The writing service returned an unusable draft twice." })
      .where(eq(contentPieces.parentId, settledParent.id));
    // ... and one waiting for a version that was never created.
    const orphan = byKind.flyer_text;
    if (!orphan) throw new Error("no flyer");
    const now = Date.now();
    await db()
      .update(contentPieces)
      .set({
        status: "revision_requested",
        feedback: "Bigger headline",
        updatedAt: new Date(now - 20 * MINUTE),
      })
      .where(eq(contentPieces.id, orphan.id));

    await sweepContent(env, now);
    const byId = Object.fromEntries((await piecesOf(agent.agentId)).map((p) => [p.id, p]));
    expect(byId[settledParent.id]?.status).toBe("superseded");
    expect(byId[orphan.id]).toMatchObject({ status: "failed", error: "The new version was never started." });
    const events = await eventsOf([settledParent.id, orphan.id]);
    expect(events.filter((e) => e.actor === "system" && e.fromStatus === "revision_requested")).toHaveLength(
      2,
    );

    // Idempotent, and the failed one offers Try again.
    await sweepContent(env, now + MINUTE);
    expect(await eventsOf([settledParent.id, orphan.id])).toHaveLength(events.length);
    const retried = await actOnPiece(deps(quiet), { id: orphan.id, action: "retry" });
    const next = (await piecesOf(agent.agentId)).find(
      (p) => p.id === (retried as { pieceId: string }).pieceId,
    );
    expect(next).toMatchObject({ status: "generating", feedback: "Bigger headline", version: 2 });
  });
});
