import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import {
  CONTENT_STATUSES,
  contentEvents,
  contentPieces,
  contentRequests,
  emailOutbox,
  listings,
  marketingRequests,
  notifications,
  postSchedule,
} from "db";
import { and, asc, desc, eq } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import type { ContentAction } from "../src/agents/content/approval";
import { sendEmail } from "../src/lib/email";
import { reissueReviewLink } from "../src/services/marketing";
import { agentWithListings, db, piecesOf, settled } from "./helpers/content";
import { TestBrowser } from "./helpers/http";

type Piece = { id: string; kind: string; status: string; version: number; body: string };

async function draftedPieces() {
  const agent = await agentWithListings(1);
  const listing = agent.listings[0];
  if (!listing) throw new Error("no listing");
  const created = await agent.browser.mutate<{ pieceIds: string[] }>("content.createForListing", {
    listingId: listing.id,
  });
  expect(created.status).toBe(200);
  expect(created.data.pieceIds).toHaveLength(3);
  // The real queue consumer drafts them.
  const pieces = await settled(agent.agentId, listing.id);
  const byKind = Object.fromEntries(pieces.map((piece) => [piece.kind, piece]));
  return { agent, listing, pieces, byKind };
}

const act = (browser: TestBrowser, input: Record<string, unknown>) =>
  browser.mutate<{ status: string }>("content.action", input);

describe("content approval (UserProxyAgent) through the API", () => {
  it("createForListing drafts all three kinds via the queue, and pendingApprovals lists them", {
    timeout: 30_000,
  }, async () => {
    const { agent, pieces } = await draftedPieces();
    expect(pieces.every((piece) => piece.status === "pending_approval")).toBe(true);
    const pending = await agent.browser.query<Piece[]>("content.pendingApprovals", {});
    expect(pending.data.map((piece) => piece.kind).sort()).toEqual([
      "facebook_post",
      "flyer_text",
      "instagram_caption",
    ]);
    const onlyFlyers = await agent.browser.query<Piece[]>("content.pendingApprovals", { kind: "flyer_text" });
    expect(onlyFlyers.data.map((piece) => piece.kind)).toEqual(["flyer_text"]);
  });

  it("approve_and_post records the post and the posting consumer fails it visibly without a connected Page", {
    timeout: 30_000,
  }, async () => {
    const { agent, byKind } = await draftedPieces();
    const facebook = byKind.facebook_post;
    const res = await act(agent.browser, { id: facebook?.id, action: "approve_and_post" });
    expect(res.data).toEqual({ status: "approved" });
    await expect
      .poll(
        async () =>
          (
            await db()
              .select()
              .from(postSchedule)
              .where(eq(postSchedule.contentId, facebook?.id ?? ""))
          )[0]?.status,
        {
          timeout: 15_000,
        },
      )
      .toBe("failed");
    const [post] = await db()
      .select()
      .from(postSchedule)
      .where(eq(postSchedule.contentId, facebook?.id ?? ""));
    expect(post).toMatchObject({
      platform: "facebook",
      lastError: expect.stringMatching(/No Facebook Page is connected/),
    });

    const flyer = await act(agent.browser, { id: byKind.flyer_text?.id, action: "approve_and_post" });
    expect(flyer.data).toEqual({ status: "approved" });
    // Each approval is recorded for Chris (content_approved), once, saying what happens next.
    const approved = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.agentId, agent.agentId), eq(notifications.eventType, "content_approved")));
    expect(approved.map((row) => [row.title, row.body, row.link]).sort()).toEqual([
      [
        expect.stringMatching(/^Approved: Facebook post for /),
        "Posting to your Facebook Page now.",
        `/approvals?piece=${facebook?.id}`,
      ],
      [
        expect.stringMatching(/^Approved: Flyer text for /),
        "Ready to print.",
        `/approvals?piece=${byKind.flyer_text?.id}`,
      ],
    ]);
    expect(
      await db()
        .select()
        .from(postSchedule)
        .where(eq(postSchedule.contentId, byKind.flyer_text?.id ?? "")),
    ).toEqual([]);
  });

  it("approve_and_post with a time schedules the post on a Durable Object alarm", {
    timeout: 30_000,
  }, async () => {
    const { agent, byKind } = await draftedPieces();
    const at = Date.now() + 3 * 3600_000;
    const past = await act(agent.browser, {
      id: byKind.instagram_caption?.id,
      action: "approve_and_post",
      scheduledAt: Date.now() - 60_000,
    });
    expect(past.status).toBe(400);
    expect(past.error?.data.fieldErrors).toHaveProperty("scheduledAt");
    const res = await act(agent.browser, {
      id: byKind.instagram_caption?.id,
      action: "approve_and_post",
      scheduledAt: at,
    });
    expect(res.data).toEqual({ status: "scheduled" });
    const [post] = await db()
      .select()
      .from(postSchedule)
      .where(eq(postSchedule.contentId, byKind.instagram_caption?.id ?? ""));
    expect(post).toMatchObject({ platform: "instagram", status: "scheduled", scheduledAt: new Date(at) });
    // The agent's scheduler looked at once (the preflight) and now sleeps until an hour before the post
    // (its second preflight).
    const stub = env.POST_SCHEDULER.getByName(agent.agentId);
    await expect.poll(() => stub.alarmAt(), { timeout: 10_000 }).toBe(at - 3600_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.alarmAt()).toBe(at - 3600_000);
  });

  it("request_revisions keeps the old version and drafts a new one with the feedback", {
    timeout: 30_000,
  }, async () => {
    const { agent, listing, byKind } = await draftedPieces();
    const v1 = byKind.instagram_caption;
    const res = await act(agent.browser, {
      id: v1?.id,
      action: "request_revisions",
      feedback: "Mention the pool",
    });
    expect(res.data).toEqual({ status: "revision_requested" });
    const all = await settled(agent.agentId, listing.id);
    const versions = all.filter((piece) => piece.rootId === v1?.id).sort((a, b) => a.version - b.version);
    expect(versions.map((piece) => [piece.version, piece.status])).toEqual([
      [1, "superseded"],
      [2, "pending_approval"],
    ]);
    expect(versions[1]).toMatchObject({ parentId: v1?.id, feedback: "Mention the pool" });
    const detail = await agent.browser.query<{
      versions: { version: number }[];
      events: { action: string }[];
    }>("content.get", {
      id: versions[1]?.id,
    });
    expect(detail.data.versions.map((version) => version.version)).toEqual([1, 2]);
    expect(detail.data.events.map((event) => event.action)).toEqual([
      "drafted",
      "request_revisions",
      "drafted",
      "superseded",
    ]);
  });

  it("reject_discard needs a reason and ends the piece; update makes a new version", {
    timeout: 30_000,
  }, async () => {
    const { agent, byKind } = await draftedPieces();
    const missing = await act(agent.browser, {
      id: byKind.flyer_text?.id,
      action: "reject_discard",
      reason: "",
    });
    expect(missing.status).toBe(400);
    expect(
      (
        await act(agent.browser, {
          id: byKind.flyer_text?.id,
          action: "reject_discard",
          reason: "Wrong community",
        })
      ).data,
    ).toEqual({
      status: "rejected",
    });
    const edited = await agent.browser.mutate<{ id: string }>("content.update", {
      id: byKind.facebook_post?.id,
      body: "Just listed! A 3 bed home. <script>alert(1)</script> Call Sunshine Realty.",
    });
    expect(edited.status).toBe(200);
    const [v2] = await db().select().from(contentPieces).where(eq(contentPieces.id, edited.data.id));
    expect(v2).toMatchObject({
      version: 2,
      status: "pending_approval",
      generator: "manual",
      parentId: byKind.facebook_post?.id,
    });
    // Stored as the text it is; rendering it inert is the web client's job (covered end to end).
    expect(v2?.body).toContain("<script>alert(1)</script>");
    const [v1] = await db()
      .select()
      .from(contentPieces)
      .where(eq(contentPieces.id, byKind.facebook_post?.id ?? ""));
    expect(v1?.status).toBe("superseded");
  });

  it("flags an edit that names another of the agent's communities, in any phrasing", {
    timeout: 30_000,
  }, async () => {
    const agent = await agentWithListings(2);
    const [listing, other] = agent.listings;
    if (!listing || !other) throw new Error("two listings expected");
    await db().update(listings).set({ community: "Tamarind Grove" }).where(eq(listings.id, other.id));
    await agent.browser.mutate("content.createForListing", { listingId: listing.id });
    const pieces = await settled(agent.agentId, listing.id);
    const facebook = pieces.find((piece) => piece.kind === "facebook_post");
    const edited = await agent.browser.mutate<{ id: string }>("content.update", {
      id: facebook?.id,
      body: "Just listed! Tour it near Tamarind Grove today. Call Chris Morgan at Sunshine Realty.",
    });
    expect(edited.status).toBe(200);
    const [v2] = await db().select().from(contentPieces).where(eq(contentPieces.id, edited.data.id));
    const text = (v2?.complianceFlags ?? []).map((flag) => `${flag.message} ${flag.excerpt ?? ""}`).join(" ");
    expect(text).toContain("Tamarind Grove");
  });

  it("refuses approval while compliance warnings are unacknowledged", { timeout: 30_000 }, async () => {
    const { agent, byKind } = await draftedPieces();
    const id = byKind.facebook_post?.id ?? "";
    await db()
      .update(contentPieces)
      .set({
        complianceFlags: [
          { rule: "fair_housing", message: "Describes the buyer", excerpt: "perfect for young families" },
        ],
      })
      .where(eq(contentPieces.id, id));
    const refused = await act(agent.browser, { id, action: "approve_and_post" });
    expect(refused.status).toBe(400);
    expect(refused.error?.data.fieldErrors).toHaveProperty("acknowledgeCompliance");
    const ok = await act(agent.browser, { id, action: "approve_and_post", acknowledgeCompliance: true });
    expect(ok.data).toEqual({ status: "approved" });
    const [piece] = await db().select().from(contentPieces).where(eq(contentPieces.id, id));
    expect(piece?.complianceAcknowledgedAt).not.toBeNull();
  });
});

describe("Try again on a failed piece", () => {
  async function failed(kind = "flyer_text") {
    const drafted = await draftedPieces();
    const piece = drafted.byKind[kind];
    if (!piece) throw new Error("no piece");
    await db()
      .update(contentPieces)
      .set({ status: "failed", error: "The writing service returned an unusable draft twice.", body: "" })
      .where(eq(contentPieces.id, piece.id));
    return { ...drafted, piece };
  }

  it("drafts a new version in place: same root, next version, the failed one superseded", {
    timeout: 30_000,
  }, async () => {
    const { agent, listing, piece } = await failed();
    const detail = await agent.browser.query<{ error: string; errorDetail: string | null }>("content.get", {
      id: piece.id,
    });
    expect(detail.data.error).toBe("The writing service returned an unusable draft twice.");
    const res = await agent.browser.mutate<{ status: string; pieceId: string }>("content.action", {
      id: piece.id,
      action: "retry",
    });
    expect(res.status).toBe(200);
    expect(res.data.status).toBe("superseded");
    const all = await settled(agent.agentId, listing.id);
    const versions = all.filter((row) => row.rootId === piece.rootId).sort((a, b) => a.version - b.version);
    expect(versions.map((row) => [row.version, row.status])).toEqual([
      [1, "superseded"],
      [2, "pending_approval"],
    ]);
    expect(versions[1]).toMatchObject({ id: res.data.pieceId, parentId: piece.id, kind: piece.kind });
    expect(versions[1]?.body).not.toBe("");
    const events = await db()
      .select()
      .from(contentEvents)
      .where(eq(contentEvents.contentId, piece.id))
      .orderBy(asc(contentEvents.createdAt));
    expect(events.at(-1)).toMatchObject({ actor: "agent", action: "retry", fromStatus: "failed" });
    // Its outbox row went out at once.
    const [request] = await db()
      .select()
      .from(contentRequests)
      .where(eq(contentRequests.agentId, agent.agentId))
      .orderBy(desc(contentRequests.createdAt));
    expect(request?.message).toMatchObject({ type: "retry_request", pieceId: res.data.pieceId });
    expect(request?.dispatchedAt).not.toBeNull();

    // Only from failed: the superseded one, or the new draft, can't be retried.
    const again = await act(agent.browser, { id: piece.id, action: "retry" });
    expect(again.status).toBe(409);
    expect((await act(agent.browser, { id: res.data.pieceId, action: "retry" })).status).toBe(409);
  });
});

describe("platform limits on edits (content.update)", () => {
  const tags = (n: number, prefix = "#") => Array.from({ length: n }, (_, i) => `${prefix}tag${i}`).join(" ");

  it("holds Instagram to 2,200 characters, 30 hashtags and 20 mentions, with field errors", {
    timeout: 30_000,
  }, async () => {
    const { agent, byKind } = await draftedPieces();
    const id = byKind.instagram_caption?.id;
    const update = (body: string) => agent.browser.mutate<{ id: string }>("content.update", { id, body });
    const cases: [string, RegExp][] = [
      [`Just listed. ${"a".repeat(2200)}`, /Caption: 2,?213 characters, at most 2,?200/],
      [`Just listed.\n\n${tags(31)}`, /Hashtags: 31 hashtags, at most 30/],
      [`Say hi ${tags(21, "@")}`, /Mentions: 21 mentions, at most 20/],
    ];
    for (const [body, message] of cases) {
      const res = await update(body);
      expect(res.status).toBe(400);
      expect(res.error?.data.fieldErrors?.body?.join(" ")).toMatch(message);
    }
    // Nothing was written by the refused edits.
    const [piece] = await db()
      .select()
      .from(contentPieces)
      .where(eq(contentPieces.id, id ?? ""));
    expect(piece?.status).toBe("pending_approval");
    // At the limits, and an email address is no mention.
    const ok = await update(`Ask chris@sunshine.example ${tags(20, "@")}\n\n${tags(30)}`);
    expect(ok.status).toBe(200);
  });

  it("holds Facebook and the flyer to their limits", { timeout: 30_000 }, async () => {
    const { agent, byKind } = await draftedPieces();
    const facebook = await agent.browser.mutate("content.update", {
      id: byKind.facebook_post?.id,
      body: `${"b".repeat(3001)}`,
    });
    expect(facebook.status).toBe(400);
    expect(facebook.error?.data.fieldErrors?.body?.join(" ")).toMatch(/Post text: 3,?001 characters/);
    const fbTags = await agent.browser.mutate("content.update", {
      id: byKind.facebook_post?.id,
      body: `Just listed.\n\n${tags(11)}`,
    });
    expect(fbTags.error?.data.fieldErrors?.body?.join(" ")).toMatch(/Hashtags: 11 hashtags, at most 10/);
    const flyer = (body: string) =>
      agent.browser.mutate("content.update", { id: byKind.flyer_text?.id, body });
    const headline = await flyer(`${"H".repeat(81)}\n\nA lovely home.\n\nCall Sunshine Realty.`);
    expect(headline.error?.data.fieldErrors?.body?.join(" ")).toMatch(/Headline: 81 characters, at most 80/);
    const bullets = await flyer(
      `Headline\n\nBody.\n\n${Array.from({ length: 9 }, (_, i) => `• Point ${i}`).join("\n")}\n\nCall us.`,
    );
    expect(bullets.error?.data.fieldErrors?.body?.join(" ")).toMatch(/Bullets: 9 bullets, at most 8/);
    const longBullet = await flyer(`Headline\n\nBody.\n\n• ${"x".repeat(141)}\n\nCall us.`);
    expect(longBullet.error?.data.fieldErrors?.body?.join(" ")).toMatch(/Longest bullet: 141 characters/);
    const ok = await flyer("New home\n\nThree bedrooms.\n\n• Pool\n• Garage\n\nCall Sunshine Realty.");
    expect(ok.status).toBe(200);
  });
});

describe("the state machine: every action from every status", () => {
  // The expected table, stated here rather than read from the implementation's ALLOWED_FROM.
  const EXPECTED: Record<ContentAction, string[]> = {
    edit: ["pending_approval", "sent_to_marketing"],
    approve_and_post: ["pending_approval", "sent_to_marketing"],
    reject_discard: ["pending_approval", "sent_to_marketing", "failed"],
    request_revisions: ["pending_approval", "sent_to_marketing"],
    send_to_marketing: ["pending_approval"],
    record_marketing_response: ["sent_to_marketing"],
    retry: ["failed"],
  };
  const actions: [ContentAction, Record<string, unknown>][] = [
    ["approve_and_post", { acknowledgeCompliance: true }],
    ["reject_discard", { reason: "No" }],
    ["request_revisions", { feedback: "Shorter" }],
    ["send_to_marketing", {}],
    ["record_marketing_response", { response: "approved" }],
    ["retry", {}],
  ];

  it("allows exactly the expected transitions, refuses the rest with CONFLICT, and audits each", {
    timeout: 120_000,
  }, async () => {
    const { agent, byKind } = await draftedPieces();
    const id = byKind.flyer_text?.id ?? "";
    for (const [action, extra] of actions) {
      for (const status of CONTENT_STATUSES) {
        await db().update(contentPieces).set({ status }).where(eq(contentPieces.id, id));
        const before = await db().select().from(contentEvents).where(eq(contentEvents.contentId, id));
        const res = await act(agent.browser, { id, action, ...extra });
        const allowed = EXPECTED[action].includes(status);
        const label = `${action} from ${status}`;
        if (allowed) {
          expect(res.status, label).toBe(200);
          const after = await db()
            .select()
            .from(contentEvents)
            .where(eq(contentEvents.contentId, id))
            .orderBy(asc(contentEvents.createdAt));
          expect(after.length, label).toBe(before.length + 1);
          expect(after.at(-1), label).toMatchObject({ actor: "agent", action, fromStatus: status });
        } else {
          expect(res.status, label).toBe(409);
          expect(res.error?.message, label).toMatch(/You can't/);
          expect(
            await db().select().from(contentEvents).where(eq(contentEvents.contentId, id)),
            label,
          ).toHaveLength(before.length);
        }
      }
    }
  });

  it("edits (content.update) only from the expected statuses", { timeout: 60_000 }, async () => {
    const { agent, byKind } = await draftedPieces();
    const id = byKind.facebook_post?.id ?? "";
    for (const status of CONTENT_STATUSES) {
      await db().update(contentPieces).set({ status }).where(eq(contentPieces.id, id));
      const res = await agent.browser.mutate<{ id: string }>("content.update", {
        id,
        body: `Edited while ${status}. Call Sunshine Realty.`,
      });
      expect(res.status, status).toBe(EXPECTED.edit.includes(status) ? 200 : 409);
    }
  });

  it("another agent's piece is NOT_FOUND for every procedure", { timeout: 30_000 }, async () => {
    const { byKind } = await draftedPieces();
    const other = await agentWithListings(1);
    const id = byKind.facebook_post?.id;
    expect((await other.browser.query("content.get", { id })).status).toBe(404);
    expect((await act(other.browser, { id, action: "reject_discard", reason: "mine now" })).status).toBe(404);
    expect((await other.browser.mutate("content.update", { id, body: "hijacked" })).status).toBe(404);
    expect(
      (await other.browser.query<Piece[]>("content.pendingApprovals", {})).data.map((p) => p.id),
    ).not.toContain(id);
  });
});

describe("marketing department review", () => {
  async function sentToMarketing() {
    const drafted = await draftedPieces();
    const id = drafted.byKind.facebook_post?.id ?? "";
    const res = await act(drafted.agent.browser, {
      id,
      action: "send_to_marketing",
      note: "Please check the price",
    });
    expect(res.data).toEqual({ status: "sent_to_marketing" });
    const [mail] = await db()
      .select()
      .from(emailOutbox)
      .where(eq(emailOutbox.agentId, drafted.agent.agentId));
    // The stored email has the token redacted; the dev outbox's tool mints a working link from it.
    const { path } = await reissueReviewLink(db(), drafted.agent.agentId, mail?.id ?? "");
    const token = path.replace("/marketing#", "");
    return { ...drafted, id, mail, token };
  }

  it("emails the draft with a single-use link that answers without an account", {
    timeout: 30_000,
  }, async () => {
    const { agent, id, mail, token } = await sentToMarketing();
    expect(mail).toMatchObject({ toAddress: "marketing@sunshine.example", status: "stored" });
    expect(mail?.text).toContain("Please check the price");
    expect(mail?.text).toMatch(/\/marketing#\[redacted\]/);
    expect(mail?.html).not.toMatch(/<script/);
    const [sent] = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.agentId, agent.agentId), eq(notifications.eventType, "marketing_sent")));
    expect(sent).toMatchObject({
      title: expect.stringMatching(/^Sent to marketing: Facebook post for /),
      body: "Waiting for marketing@sunshine.example to approve, ask for changes or reject it.",
      link: `/approvals?piece=${id}`,
    });
    const [request] = await db().select().from(marketingRequests).where(eq(marketingRequests.contentId, id));
    expect(request?.tokenHash).not.toContain(token);

    const department = new TestBrowser();
    const review = await department.mutate<{ state: string; piece: { id: string } }>("marketing.review", {
      token,
    });
    expect(review.data).toMatchObject({ state: "open", piece: { id } });
    const answer = await department.mutate("marketing.respond", {
      token,
      response: "approved",
      notes: "Looks great",
    });
    expect(answer.status).toBe(200);
    const again = await department.mutate("marketing.respond", { token, response: "rejected" });
    expect(again.status).toBe(409);
    expect((await department.mutate<{ state: string }>("marketing.review", { token })).data.state).toBe(
      "answered",
    );

    const [piece] = await piecesOf(agent.agentId).then((rows) => rows.filter((row) => row.id === id));
    expect(piece?.status).toBe("pending_approval");
    const [event] = await db()
      .select()
      .from(contentEvents)
      .where(and(eq(contentEvents.contentId, id), eq(contentEvents.actor, "marketing")));
    expect(event).toMatchObject({
      action: "record_marketing_response",
      note: "Marketing approved this draft: Looks great",
    });
  });

  it("refuses unknown and expired links with a clear message", { timeout: 30_000 }, async () => {
    const { id, token } = await sentToMarketing();
    const department = new TestBrowser();
    const unknown = await department.mutate("marketing.review", { token: "x".repeat(43) });
    expect(unknown.status).toBe(404);
    await db()
      .update(marketingRequests)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(marketingRequests.contentId, id));
    const expired = await department.mutate("marketing.respond", { token, response: "approved" });
    expect(expired.status).toBe(404);
    expect(expired.error?.message).toMatch(/expired/);
  });

  it("Chris can record a response he got another way, which closes the link", {
    timeout: 30_000,
  }, async () => {
    const { agent, id, token } = await sentToMarketing();
    const res = await act(agent.browser, {
      id,
      action: "record_marketing_response",
      response: "changes_requested",
      notes: "Use the new photo",
    });
    expect(res.data).toEqual({ status: "pending_approval" });
    expect(
      (await new TestBrowser().mutate<{ state: string }>("marketing.review", { token })).data.state,
    ).toBe("answered");
  });

  it("needs a marketing email in the profile", { timeout: 30_000 }, async () => {
    const { agent, byKind } = await draftedPieces();
    await agent.browser.mutate("agent.updateProfile", {
      name: "Chris Morgan",
      brokerageName: "Sunshine Realty",
      licenseNumber: "",
      phone: "",
      timezone: "America/New_York",
      marketingEmail: "",
    });
    const res = await act(agent.browser, { id: byKind.facebook_post?.id, action: "send_to_marketing" });
    expect(res.status).toBe(400);
    expect(res.error?.data.fieldErrors).toHaveProperty("marketingEmail");
  });
});

describe("email client (Resend-compatible) against the fake API", () => {
  const message = (key: string) => ({
    to: "marketing@sunshine.example",
    subject: "Review requested",
    html: "<p>Hi</p>",
    text: "Hi",
    idempotencyKey: key,
    agentId: null,
  });

  it("sends with the key, Idempotency-Key and User-Agent, and never twice for one key", async () => {
    const url = inject("fakeEmailUrl");
    const config = { apiUrl: url, apiKey: "re_test_key", from: "Realtor Marketing <noreply@example.com>" };
    const key = `test:${crypto.randomUUID()}`;
    const first = await sendEmail(db(), config, message(key));
    const second = await sendEmail(db(), config, message(key));
    expect(first).toEqual({ status: "sent", id: expect.any(String) });
    expect(second.id).toBe(first.id);
    const sent = (await (await fetch(`${url}/__control/sent`)).json()) as {
      headers: Record<string, string>;
      to: string[];
    }[];
    const mine = sent.filter((mail) => mail.headers["idempotency-key"] === key);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.headers["user-agent"]).toMatch(/RealtorMarketing/);
    expect(mine[0]?.to).toEqual(["marketing@sunshine.example"]);
  });

  it("a wrong key or a 5xx is an error recorded in the outbox", async () => {
    const url = inject("fakeEmailUrl");
    const bad = sendEmail(
      db(),
      { apiUrl: url, apiKey: "re_wrong", from: "x <x@example.com>" },
      message(`bad:${crypto.randomUUID()}`),
    );
    await expect(bad).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/403/) });
    await fetch(`${url}/__control/fail`, { method: "POST", body: JSON.stringify([503]) });
    const key = `flaky:${crypto.randomUUID()}`;
    await expect(
      sendEmail(db(), { apiUrl: url, apiKey: "re_test_key", from: "x <x@example.com>" }, message(key)),
    ).rejects.toMatchObject({
      retryable: true,
    });
    const [row] = await db().select().from(emailOutbox).where(eq(emailOutbox.idempotencyKey, key));
    expect(row).toMatchObject({ status: "failed", error: expect.stringMatching(/503/) });
  });
});
