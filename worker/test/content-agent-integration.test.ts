import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { agents, contentEvents, contentPieces, notifications } from "db";
import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, inject, it, vi } from "vitest";
import { fakeLlmControl } from "../../tools/fake-llm/client.mjs";
import { draftForMessage } from "../src/agents/content/consumer";
import { notifyReady } from "../src/agents/content/store";
import worker from "../src/index";
import type { ContentGenerationMessage } from "../src/queues/messages";
import { actOnPiece } from "../src/services/content";
import { agentWithListings, db, piecesOf } from "./helpers/content";

function listingEvent(
  agentId: string,
  listingId: string,
  key = `change:${crypto.randomUUID()}`,
): ContentGenerationMessage {
  return { type: "listing_event", key, agentId, listingId, changeId: key, events: ["new_listing"] };
}

async function deliver(queue: string, bodies: ContentGenerationMessage[], attempts = 1) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `m${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

/** The Worker's env with some variables replaced (e.g. an LLM key pointing at the fake gateway). */
function envWith(vars: Partial<Record<keyof Env, string>>): Env {
  return new Proxy(env, {
    get: (target, key) => (key in vars ? vars[key as keyof Env] : Reflect.get(target, key)),
  });
}

describe("drafts ready: one notification per burst", () => {
  it("drafts arriving in one half hour share one content_ready, brought up to date and unread again", async () => {
    const agent = await agentWithListings(2);
    const [first, second] = agent.listings;
    if (!first || !second) throw new Error("two listings expected");
    const at = Date.UTC(2026, 11, 1, 10, 10); // in the 10:00–10:30 UTC window
    vi.spyOn(env.NOTIFICATION_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    const draftsFor = (listingId: string, createdAt: number) =>
      db()
        .insert(contentPieces)
        .values(
          (["facebook_post", "instagram_caption", "flyer_text"] as const).map((kind) => ({
            id: crypto.randomUUID(),
            agentId: agent.agentId,
            listingId,
            kind,
            postType: "new_listing" as const,
            status: "pending_approval" as const,
            generationKey: crypto.randomUUID(),
            createdAt: new Date(createdAt),
          })),
        );
    const ready = () =>
      db()
        .select()
        .from(notifications)
        .where(and(eq(notifications.agentId, agent.agentId), eq(notifications.eventType, "content_ready")));

    await draftsFor(first.id, at - 60_000);
    await notifyReady(env, db(), agent.agentId, first.addressLine, at);
    const [one] = await ready();
    expect(one?.title).toBe(`3 drafts are ready for ${first.addressLine}`);
    await db()
      .update(notifications)
      .set({ readAt: new Date(at) })
      .where(eq(notifications.id, one?.id ?? ""));

    await draftsFor(second.id, at + 60_000);
    await notifyReady(env, db(), agent.agentId, second.addressLine, at + 120_000);
    // Redelivered: the same numbers again, still one row.
    await notifyReady(env, db(), agent.agentId, second.addressLine, at + 120_000);
    const rows = await ready();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: one?.id, title: "6 drafts are ready for 2 homes", readAt: null });

    // The next half hour starts a new one.
    await notifyReady(env, db(), agent.agentId, second.addressLine, at + 30 * 60_000);
    expect(await ready()).toHaveLength(2);
    vi.restoreAllMocks();
  });
});

describe("content agent (queue consumer), offline writer", () => {
  it("drafts the three kinds for a new listing, checks them, and notifies once", async () => {
    const agent = await agentWithListings(2, true);
    const listing = agent.listings[0];
    if (!listing) throw new Error("no listing");
    const message = listingEvent(agent.agentId, listing.id);
    const result = await deliver("rltr-mktg-content-generation", [message]);
    expect(result.explicitAcks).toHaveLength(1);

    const pieces = (await piecesOf(agent.agentId, listing.id)).filter((p) =>
      p.generationKey.startsWith(message.key),
    );
    expect(pieces.map((p) => p.kind).sort()).toEqual(["facebook_post", "flyer_text", "instagram_caption"]);
    for (const piece of pieces) {
      expect(piece).toMatchObject({
        status: "pending_approval",
        generator: "offline",
        postType: "new_listing",
        version: 1,
      });
      expect(piece.body).toContain("Sunshine Realty");
      expect(piece.complianceFlags).toEqual([]);
      expect(piece.rootId).toBe(piece.id);
    }
    const events = await db()
      .select()
      .from(contentEvents)
      .where(
        inArray(
          contentEvents.contentId,
          pieces.map((p) => p.id),
        ),
      );
    expect(events.map((e) => `${e.actor}:${e.fromStatus}->${e.toStatus}`)).toEqual(
      Array(3).fill("system:generating->pending_approval"),
    );
    const ready = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.agentId, agent.agentId), eq(notifications.eventType, "content_ready")));
    expect(ready).toHaveLength(1);
    expect(ready[0]?.title).toBe(`3 drafts are ready for ${listing.addressLine}`);

    // At-least-once delivery: the same message again changes nothing.
    const again = await deliver("rltr-mktg-content-generation", [message]);
    expect(again.explicitAcks).toHaveLength(1);
    const after = (await piecesOf(agent.agentId, listing.id)).filter((p) =>
      p.generationKey.startsWith(message.key),
    );
    expect(after.map((p) => [p.id, p.updatedAt.getTime()])).toEqual(
      pieces.map((p) => [p.id, p.updatedAt.getTime()]),
    );
    expect(
      await db()
        .select()
        .from(contentEvents)
        .where(
          inArray(
            contentEvents.contentId,
            pieces.map((p) => p.id),
          ),
        ),
    ).toHaveLength(3);
  });

  it("skips automatic drafting when the agent turned it off, but drafts a manual request", async () => {
    const agent = await agentWithListings(1, false);
    const listing = agent.listings[0];
    if (!listing) throw new Error("no listing");
    await draftForMessage(env, listingEvent(agent.agentId, listing.id));
    expect(await piecesOf(agent.agentId, listing.id)).toEqual([]);
    await draftForMessage(env, {
      type: "manual_request",
      key: "manual:test",
      agentId: agent.agentId,
      listingId: listing.id,
      kinds: ["flyer_text"],
      postType: "new_incentive",
    });
    const [flyer] = await piecesOf(agent.agentId, listing.id);
    expect(flyer).toMatchObject({
      kind: "flyer_text",
      postType: "new_incentive",
      status: "pending_approval",
    });
  });

  it("flags a draft whose agent has no brokerage name (Florida 61J2-10.025)", async () => {
    const agent = await agentWithListings(1, true);
    await db().update(agents).set({ brokerageName: "" }).where(eq(agents.id, agent.agentId));
    const listing = agent.listings[0];
    if (!listing) throw new Error("no listing");
    await draftForMessage(env, listingEvent(agent.agentId, listing.id));
    const pieces = await piecesOf(agent.agentId, listing.id);
    expect(pieces.every((p) => p.complianceFlags.some((flag) => flag.rule === "fl_61j2_10_025"))).toBe(true);
  });
});

describe("content agent through the LLM gateway (fake, OpenAI-compatible)", () => {
  async function llmEnv() {
    const fake = await fakeLlmControl(inject("fakeLlmUrl")).newInstance();
    return {
      fake,
      env: envWith({
        PORTKEY_API_KEY: "pk-test",
        PORTKEY_PROVIDER: "@openai-test",
        LLM_BASE_URL: `${fake.url}/v1`,
        LLM_MODEL: "gpt-test",
      }),
    };
  }

  it("records the model, usage and trace id of each piece", async () => {
    const { fake, env: llm } = await llmEnv();
    const agent = await agentWithListings(1, true);
    const listing = agent.listings[0];
    if (!listing) throw new Error("no listing");
    await draftForMessage(llm, listingEvent(agent.agentId, listing.id));
    const pieces = await piecesOf(agent.agentId, listing.id);
    expect(pieces).toHaveLength(3);
    for (const piece of pieces) {
      expect(piece).toMatchObject({
        status: "pending_approval",
        generator: "llm",
        model: expect.stringContaining("gpt-test"),
      });
      expect(piece.promptTokens).toBeGreaterThan(0);
      expect(piece.latencyMs).not.toBeNull();
    }
    const requests = await fake.requests();
    const traces = new Set(requests.map((r) => r.headers["x-portkey-trace-id"]));
    for (const piece of pieces) expect(traces).toContain(piece.traceId);
    expect(
      requests.every((r) => JSON.parse(r.headers["x-portkey-metadata"] ?? "{}")._user === agent.agentId),
    ).toBe(true);
  });

  it("a gateway that keeps failing makes the queue retry, then the dead-letter queue fails the pieces visibly", {
    timeout: 30_000,
  }, async () => {
    const { fake, env: llm } = await llmEnv();
    await fake.script(Array(30).fill({ status: 503 }));
    const agent = await agentWithListings(1, true);
    const listing = agent.listings[0];
    if (!listing) throw new Error("no listing");
    const message = listingEvent(agent.agentId, listing.id);

    const batch = createMessageBatch("rltr-mktg-content-generation", [
      { id: "m1", timestamp: new Date(), attempts: 1, body: message },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, llm, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m1"]);
    expect(result.explicitAcks).toEqual([]);
    const stuck = await piecesOf(agent.agentId, listing.id);
    // The plain reason for Chris, the gateway's answer behind it.
    for (const piece of stuck) {
      expect(piece).toMatchObject({
        status: "generating",
        error: "The writing service had an internal error.",
        errorDetail: expect.stringMatching(/503/),
      });
    }

    await deliver("rltr-mktg-content-generation-dlq", [message], 4);
    const failed = await piecesOf(agent.agentId, listing.id);
    expect(failed.map((p) => p.status)).toEqual(["failed", "failed", "failed"]);
    expect(failed[0]).toMatchObject({
      error: "The writing service kept failing, so drafting was stopped.",
      errorDetail: expect.stringMatching(/internal error.*503/),
    });
    const notes = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.agentId, agent.agentId), eq(notifications.eventType, "content_failed")));
    expect(notes).toHaveLength(3);
  });

  it("output that stays invalid fails the piece at once (no queue retry)", async () => {
    const { fake, env: llm } = await llmEnv();
    await fake.script(Array(12).fill({ content: "definitely not json" }));
    const agent = await agentWithListings(1, true);
    const listing = agent.listings[0];
    if (!listing) throw new Error("no listing");
    await draftForMessage(llm, {
      type: "manual_request",
      key: "manual:invalid",
      agentId: agent.agentId,
      listingId: listing.id,
      kinds: ["facebook_post"],
      postType: "new_listing",
    });
    const [piece] = await piecesOf(agent.agentId, listing.id);
    expect(piece?.status).toBe("failed");
    const [event] = await db()
      .select()
      .from(contentEvents)
      .where(eq(contentEvents.contentId, piece?.id ?? ""));
    expect(event).toMatchObject({ actor: "system", action: "generation_failed", toStatus: "failed" });
    expect(
      await db().select().from(contentPieces).where(eq(contentPieces.agentId, agent.agentId)),
    ).toHaveLength(1);
  });
});

describe("a failed revision, and Try again", () => {
  it("settles the parent as superseded; Try again drafts the revision again from the last good draft", {
    timeout: 30_000,
  }, async () => {
    const fake = await fakeLlmControl(inject("fakeLlmUrl")).newInstance();
    const llm = envWith({
      PORTKEY_API_KEY: "pk-test",
      PORTKEY_PROVIDER: "@openai-test",
      LLM_BASE_URL: `${fake.url}/v1`,
      LLM_MODEL: "gpt-test",
    });
    const agent = await agentWithListings(1, true);
    const listing = agent.listings[0];
    if (!listing) throw new Error("no listing");
    await draftForMessage(llm, listingEvent(agent.agentId, listing.id));
    const v1 = (await piecesOf(agent.agentId, listing.id)).find((p) => p.kind === "instagram_caption");
    if (!v1) throw new Error("no caption");
    // The service's queue sends are kept here, so the test delivers them itself.
    const sent: ContentGenerationMessage[] = [];
    const quiet = new Proxy(env, {
      get: (target, key) =>
        key === "CONTENT_QUEUE"
          ? { send: async (message: ContentGenerationMessage) => void sent.push(message) }
          : Reflect.get(target, key),
    });
    const deps = { db: db(), env: quiet, agentId: agent.agentId, origin: "http://localhost" };
    await actOnPiece(deps, { id: v1.id, action: "request_revisions", feedback: "Mention the pool" });

    await fake.script(Array(12).fill({ content: "definitely not json" }));
    const [revision] = sent;
    if (!revision) throw new Error("no revision request");
    await draftForMessage(llm, revision);
    const rows = async () =>
      (await piecesOf(agent.agentId, listing.id))
        .filter((p) => p.rootId === v1.id)
        .sort((a, b) => a.version - b.version);
    const [parent, v2] = await rows();
    expect(v2).toMatchObject({
      version: 2,
      status: "failed",
      error: "The writing service returned an unusable draft twice.",
      errorDetail: expect.any(String),
    });
    // The parent no longer waits for ever.
    expect(parent?.status).toBe("superseded");

    await fake.reset();
    const before = (await fake.requests()).length;
    const retried = await actOnPiece(deps, { id: v2?.id ?? "", action: "retry" });
    expect(retried).toMatchObject({ status: "superseded", pieceId: expect.any(String) });
    const retry = sent[1];
    expect(retry).toMatchObject({ type: "retry_request" });
    if (!retry) throw new Error("no retry request");
    await draftForMessage(llm, retry);
    await draftForMessage(llm, retry); // a redelivery drafts nothing more
    const versions = await rows();
    expect(versions.map((p) => [p.version, p.status])).toEqual([
      [1, "superseded"],
      [2, "superseded"],
      [3, "pending_approval"],
    ]);
    expect(versions[2]).toMatchObject({ parentId: v2?.id, feedback: "Mention the pool", generator: "llm" });
    // The retry asked the model to revise v1's caption with the feedback.
    const caption = (v1.structured as { caption?: string } | null)?.caption ?? "";
    expect(caption.length).toBeGreaterThan(40);
    const prompts = (await fake.requests()).slice(before).map((r) => JSON.stringify(r.body));
    const quoted = JSON.stringify(caption.slice(0, 40)).slice(1, -1);
    expect(prompts.some((p) => p.includes("Mention the pool") && p.includes(quoted))).toBe(true);
  });
});
