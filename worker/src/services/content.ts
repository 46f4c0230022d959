import {
  type ContentPiece,
  contentEvents,
  contentLimitProblems,
  contentPieces,
  contentRequests,
  listings,
  marketingRequests,
  OPEN_PIECES_LIMIT,
  PLATFORM_LABELS,
  postSchedule,
  type SocialPlatform,
} from "db";
import { and, asc, desc, eq, inArray, ne, sql } from "drizzle-orm";
import { assertAllowed, insertWhere, transition } from "../agents/content/approval";
import { checkCompliance } from "../agents/content/compliance";
import { loadAgentProfile, loadKnownPlaces, loadListingFacts, pieceRows } from "../agents/content/store";
import { wakeScheduler } from "../agents/social/wake";
import type { Db } from "../lib/db";
import { ServiceError } from "../lib/errors";
import { newId } from "../lib/ids";
import { readTemplate, templatesByShape } from "../lib/read-template";
import {
  type ContentActionInput,
  type CreateForListingInput,
  OPEN_STATUSES,
  type PendingApprovalsInput,
} from "../schemas/content";
import { draftLabel, recordMarketingResponse, sendToMarketing } from "./marketing";
import { notify } from "./notify";
import { contentRequestRow, dispatchPost, sendContentRequest } from "./outbox";

export type ContentDeps = { db: Db; env: Env; agentId: string; origin: string };

const PLATFORM_OF = { facebook_post: "facebook", instagram_caption: "instagram" } as const;
const MIN_SCHEDULE_LEAD_MS = 60_000;
const MAX_SCHEDULE_AHEAD_MS = 365 * 24 * 3600_000;

/** A piece with this generation key does not exist yet (a request is drafted at most once). */
const unusedKey = (row: { generationKey: string }) =>
  sql`not exists (select 1 from ${contentPieces} where ${contentPieces.generationKey} = ${row.generationKey})`;

async function ownedPiece(db: Db, agentId: string, id: string) {
  const [piece] = await db
    .select()
    .from(contentPieces)
    .where(and(eq(contentPieces.id, id), eq(contentPieces.agentId, agentId)))
    .limit(1);
  if (!piece) throw new ServiceError("NOT_FOUND", "Draft not found");
  return piece;
}

/** "Initiate content creation": the pieces appear at once as drafting; the content agent fills them. */
export async function requestDrafts({ db, env, agentId }: ContentDeps, input: CreateForListingInput) {
  const [listing] = await db
    .select({ id: listings.id })
    .from(listings)
    .where(and(eq(listings.id, input.listingId), eq(listings.agentId, agentId)))
    .limit(1);
  if (!listing) throw new ServiceError("NOT_FOUND", "Listing not found", { field: "listingId" });
  const key = `manual:${newId()}`;
  const kinds = [...new Set(input.kinds)];
  const rows = pieceRows({ agentId, listingId: listing.id, key, kinds, postType: input.postType });
  const request = contentRequestRow({
    type: "manual_request",
    key,
    agentId,
    listingId: listing.id,
    kinds,
    postType: input.postType,
  });
  // The pieces and their request are written together; the send may fail, the sweeper then resends.
  await db.batch([db.insert(contentPieces).values(rows), db.insert(contentRequests).values(request)]);
  await sendContentRequest(db, env.CONTENT_QUEUE, request);
  return { pieceIds: rows.map((row) => row.id) };
}

const openPieceColumns = {
  id: contentPieces.id,
  kind: contentPieces.kind,
  postType: contentPieces.postType,
  status: contentPieces.status,
  version: contentPieces.version,
  body: contentPieces.body,
  structured: contentPieces.structured,
  generator: contentPieces.generator,
  model: contentPieces.model,
  complianceFlags: contentPieces.complianceFlags,
  complianceAcknowledgedAt: contentPieces.complianceAcknowledgedAt,
  error: contentPieces.error,
  repairs: contentPieces.repairs,
  createdAt: contentPieces.createdAt,
  updatedAt: contentPieces.updatedAt,
  listingId: listings.id,
  listingAddressLine: listings.addressLine,
  listingCity: listings.city,
  listingCommunity: listings.community,
  listingPriceCents: listings.priceCents,
  listingImageUrls: listings.imageUrls,
};

/** The approvals page's drafts for one combination of filters: built once (lib/read-template.ts). */
const openPiecesTemplate = templatesByShape((shape: { status: boolean; kind: boolean; listing: boolean }) =>
  readTemplate(openPieceColumns, (db, p) =>
    db
      .select(openPieceColumns)
      .from(contentPieces)
      .innerJoin(listings, eq(listings.id, contentPieces.listingId))
      .where(
        and(
          eq(contentPieces.agentId, p("agentId")),
          shape.status
            ? eq(contentPieces.status, p("status"))
            : inArray(contentPieces.status, [...OPEN_STATUSES]),
          shape.kind ? eq(contentPieces.kind, p("kind")) : undefined,
          shape.listing ? eq(contentPieces.listingId, p("listingId")) : undefined,
        ),
      )
      .orderBy(desc(contentPieces.updatedAt), desc(contentPieces.id))
      .limit(OPEN_PIECES_LIMIT),
  ),
);

export async function listOpenPieces(db: Db, agentId: string, input: PendingApprovalsInput) {
  const template = openPiecesTemplate({
    status: input.status !== undefined,
    kind: input.kind !== undefined,
    listing: input.listingId !== undefined,
  });
  const rows = await template.all(db, {
    agentId,
    status: input.status,
    kind: input.kind,
    listingId: input.listingId,
  });
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    postType: row.postType,
    status: row.status,
    version: row.version,
    body: row.body,
    structured: row.structured,
    generator: row.generator,
    model: row.model,
    complianceFlags: row.complianceFlags,
    complianceAcknowledgedAt: row.complianceAcknowledgedAt?.getTime() ?? null,
    error: row.error,
    repairs: row.repairs,
    createdAt: row.createdAt.getTime(),
    updatedAt: row.updatedAt.getTime(),
    listing: {
      id: row.listingId,
      addressLine: row.listingAddressLine,
      city: row.listingCity,
      community: row.listingCommunity,
      priceCents: row.listingPriceCents,
      imageUrl: row.listingImageUrls[0] ?? null,
    },
  }));
}

export async function getPieceDetail(db: Db, agentId: string, id: string) {
  const piece = await ownedPiece(db, agentId, id);
  const versions = await db
    .select({
      id: contentPieces.id,
      version: contentPieces.version,
      status: contentPieces.status,
      body: contentPieces.body,
      generator: contentPieces.generator,
      feedback: contentPieces.feedback,
      createdAt: contentPieces.createdAt,
    })
    .from(contentPieces)
    .where(and(eq(contentPieces.rootId, piece.rootId), eq(contentPieces.agentId, agentId)))
    .orderBy(asc(contentPieces.version));
  const ids = versions.map((version) => version.id);
  const events = await db
    .select()
    .from(contentEvents)
    .where(and(inArray(contentEvents.contentId, ids), eq(contentEvents.agentId, agentId)))
    // Events of one batch share a millisecond: rowid keeps them in the order they were written.
    .orderBy(asc(contentEvents.createdAt), sql`rowid`);
  const marketing = await db
    .select({
      id: marketingRequests.id,
      contentId: marketingRequests.contentId,
      recipientEmail: marketingRequests.recipientEmail,
      expiresAt: marketingRequests.expiresAt,
      response: marketingRequests.response,
      responseNotes: marketingRequests.responseNotes,
      respondedAt: marketingRequests.respondedAt,
      createdAt: marketingRequests.createdAt,
    })
    .from(marketingRequests)
    .where(and(inArray(marketingRequests.contentId, ids), eq(marketingRequests.agentId, agentId)))
    .orderBy(asc(marketingRequests.createdAt));
  const listing = await loadListingFacts(db, agentId, piece.listingId);
  const posts = await db
    .select({
      id: postSchedule.id,
      platform: postSchedule.platform,
      status: postSchedule.status,
      scheduledAt: postSchedule.scheduledAt,
      postedAt: postSchedule.postedAt,
      permalink: postSchedule.permalink,
      failureKind: postSchedule.failureKind,
      lastError: postSchedule.lastError,
      warnings: postSchedule.warnings,
    })
    .from(postSchedule)
    .where(and(eq(postSchedule.contentId, piece.id), eq(postSchedule.agentId, agentId)));
  const ms = (date: Date | null) => date?.getTime() ?? null;
  return {
    ...piece,
    createdAt: piece.createdAt.getTime(),
    updatedAt: piece.updatedAt.getTime(),
    complianceAcknowledgedAt: ms(piece.complianceAcknowledgedAt),
    listing: listing && { id: piece.listingId, ...listing },
    versions: versions.map((version) => ({ ...version, createdAt: version.createdAt.getTime() })),
    events: events.map((event) => ({ ...event, createdAt: event.createdAt.getTime() })),
    marketing: marketing.map((request) => ({
      ...request,
      expiresAt: request.expiresAt.getTime(),
      respondedAt: ms(request.respondedAt),
      createdAt: request.createdAt.getTime(),
    })),
    // After a cancel and a new approval, the live post comes before the cancelled one.
    posts: posts
      .map((post) => ({ ...post, scheduledAt: post.scheduledAt.getTime(), postedAt: ms(post.postedAt) }))
      .sort((a, b) => Number(a.status === "cancelled") - Number(b.status === "cancelled")),
  };
}

/**
 * Chris's own edit: a new version (the old one is kept as superseded), re-checked for compliance and held
 * to the platform's limits. One batch: the old version is superseded only together with the new one.
 */
export async function editPiece({ db, agentId }: ContentDeps, input: { id: string; body: string }) {
  const piece = await ownedPiece(db, agentId, input.id);
  assertAllowed("edit", piece.status);
  const problems = contentLimitProblems(piece.kind, input.body);
  if (problems.length > 0) {
    throw new ServiceError("BAD_REQUEST", problems.join(" "), { field: "body" });
  }
  const [listing, agent, known] = await Promise.all([
    loadListingFacts(db, agentId, piece.listingId),
    loadAgentProfile(db, agentId),
    loadKnownPlaces(db, agentId, piece.listingId),
  ]);
  if (!listing || !agent) throw new ServiceError("NOT_FOUND", "Listing not found");
  const id = newId();
  await transition(
    db,
    {
      pieceId: piece.id,
      agentId,
      from: piece.status,
      to: "superseded",
      action: "edited",
      actor: "agent",
      note: `Edited into version ${piece.version + 1}`,
    },
    (applied) => [
      insertWhere(
        db,
        contentPieces,
        {
          id,
          agentId,
          listingId: piece.listingId,
          kind: piece.kind,
          postType: piece.postType,
          status: "pending_approval",
          version: piece.version + 1,
          parentId: piece.id,
          rootId: piece.rootId,
          generationKey: `edit:${id}`,
          body: input.body,
          generator: "manual",
          complianceFlags: checkCompliance(input.body, listing, agent.profile, known),
        },
        applied,
      ),
      insertWhere(
        db,
        contentEvents,
        {
          id: newId(),
          contentId: id,
          agentId,
          actor: "agent",
          action: "edited",
          fromStatus: null,
          toStatus: "pending_approval",
          note: `Edited from version ${piece.version}`,
        },
        applied,
      ),
    ],
  );
  return { id };
}

export async function actOnPiece(deps: ContentDeps, input: ContentActionInput) {
  const { db, env, agentId } = deps;
  const piece = await ownedPiece(db, agentId, input.id);
  assertAllowed(input.action, piece.status);
  switch (input.action) {
    case "approve_and_post": {
      const now = Date.now();
      if (
        piece.complianceFlags.length > 0 &&
        !piece.complianceAcknowledgedAt &&
        !input.acknowledgeCompliance
      ) {
        throw new ServiceError(
          "BAD_REQUEST",
          "Review and acknowledge the compliance warnings before approving",
          {
            field: "acknowledgeCompliance",
          },
        );
      }
      const at = input.scheduledAt ?? now;
      if (input.scheduledAt !== undefined && (at < now || at > now + MAX_SCHEDULE_AHEAD_MS)) {
        throw new ServiceError("BAD_REQUEST", "Choose a time in the future, within a year", {
          field: "scheduledAt",
        });
      }
      const platform = piece.kind === "flyer_text" ? null : PLATFORM_OF[piece.kind];
      const scheduled = platform !== null && at > now + MIN_SCHEDULE_LEAD_MS;
      const postId = newId();
      // The approval and its post-schedule row (an outbox) are one batch: neither exists without the other.
      await transition(
        db,
        {
          pieceId: piece.id,
          agentId,
          from: piece.status,
          to: scheduled ? "scheduled" : "approved",
          action: "approve_and_post",
          actor: "agent",
          note: scheduled
            ? `Scheduled for ${new Date(at).toISOString()}`
            : platform
              ? "Post now"
              : "Approved for print",
          set: input.acknowledgeCompliance ? { complianceAcknowledgedAt: new Date(now) } : {},
        },
        (applied) =>
          platform
            ? [
                insertWhere(
                  db,
                  postSchedule,
                  {
                    id: postId,
                    agentId,
                    contentId: piece.id,
                    platform,
                    scheduledAt: new Date(at),
                    nextStepAt: new Date(at),
                    status: "scheduled",
                  },
                  // A cancelled post frees the piece to be approved again (as the unique index does).
                  sql`${applied} and not exists (select 1 from ${postSchedule} where ${postSchedule.contentId} = ${piece.id} and ${postSchedule.platform} = ${platform} and ${postSchedule.status} <> 'cancelled')`,
                ),
              ]
            : [],
      );
      await notifyApproved(deps, piece, platform, scheduled);
      if (platform && scheduled) {
        // The agent's scheduler looks now (the preflight runs at once) and then keeps its alarm for the
        // post's time; the sweeper sends the post if the alarm is lost.
        await wakeScheduler(env, agentId, now);
      } else if (platform) {
        await dispatchPost(db, env.POSTING_QUEUE, postId);
      }
      return { status: scheduled ? "scheduled" : "approved" };
    }
    case "reject_discard":
      await transition(db, {
        pieceId: piece.id,
        agentId,
        from: piece.status,
        to: "rejected",
        action: "reject_discard",
        actor: "agent",
        note: input.reason,
      });
      return { status: "rejected" };
    case "request_revisions": {
      const key = `revision:${piece.id}`;
      const [child] = pieceRows({
        agentId,
        listingId: piece.listingId,
        key,
        kinds: [piece.kind],
        postType: piece.postType,
        parent: { ...piece, feedback: input.feedback },
      });
      const request = contentRequestRow({
        type: "revision_request",
        key,
        agentId,
        listingId: piece.listingId,
        parentId: piece.id,
      });
      await transition(
        db,
        {
          pieceId: piece.id,
          agentId,
          from: piece.status,
          to: "revision_requested",
          action: "request_revisions",
          actor: "agent",
          note: input.feedback,
          set: { feedback: input.feedback },
        },
        (applied) => [
          ...(child ? [insertWhere(db, contentPieces, child, sql`${applied} and ${unusedKey(child)}`)] : []),
          insertWhere(db, contentRequests, request, applied),
        ],
      );
      await sendContentRequest(db, env.CONTENT_QUEUE, request);
      return { status: "revision_requested" };
    }
    case "retry":
      return { status: "superseded", ...(await retryPiece(deps, piece)) };
    case "send_to_marketing":
      await sendToMarketing(deps, piece, input.note ?? null);
      return { status: "sent_to_marketing" };
    case "record_marketing_response":
      await recordMarketingResponse(env, db, piece, {
        response: input.response,
        notes: input.notes ?? null,
        actor: "agent",
      });
      return { status: "pending_approval" };
  }
}

/** content_approved: the record (and, by default, the email) that a draft was approved and what happens next. */
async function notifyApproved(
  { db, env }: ContentDeps,
  piece: ContentPiece,
  platform: SocialPlatform | null,
  scheduled: boolean,
) {
  const [listing] = await db
    .select({ addressLine: listings.addressLine })
    .from(listings)
    .where(eq(listings.id, piece.listingId))
    .limit(1);
  await notify(env, {
    agentId: piece.agentId,
    event: "content_approved",
    title: `Approved: ${draftLabel(piece.kind, listing?.addressLine)}`,
    body: platform
      ? scheduled
        ? `Scheduled on your ${PLATFORM_LABELS[platform]}; the calendar shows when it goes out.`
        : `Posting to your ${PLATFORM_LABELS[platform]} now.`
      : "Ready to print.",
    link: platform && scheduled ? "/calendar" : `/approvals?piece=${piece.id}`,
    // One per approval: a piece approved again after a cancelled post gets a new event id.
    dedupeKey: `content-approved:${piece.id}:${piece.updatedAt.getTime()}`,
  });
}

/**
 * "Try again" on a failed piece: a new version in place (same root, the next version number, the same
 * feedback), drafted by the content agent; the failed one is kept in the history as superseded.
 */
async function retryPiece({ db, env, agentId }: ContentDeps, piece: ContentPiece) {
  const key = `retry:${piece.id}`;
  const [next] = pieceRows({
    agentId,
    listingId: piece.listingId,
    key,
    kinds: [piece.kind],
    postType: piece.postType,
    parent: piece,
  });
  if (!next) throw new Error("retry: no piece row");
  const request = contentRequestRow({
    type: "retry_request",
    key,
    agentId,
    listingId: piece.listingId,
    pieceId: next.id,
  });
  await transition(
    db,
    {
      pieceId: piece.id,
      agentId,
      from: "failed",
      to: "superseded",
      action: "retry",
      actor: "agent",
      note: `Trying again as version ${piece.version + 1}`,
    },
    (applied) => [
      insertWhere(db, contentPieces, next, sql`${applied} and ${unusedKey(next)}`),
      insertWhere(db, contentRequests, request, applied),
    ],
  );
  await sendContentRequest(db, env.CONTENT_QUEUE, request);
  return { pieceId: next.id };
}

const contentOverviewColumns = { status: contentPieces.status, count: sql<number>`count(*)` };
const contentOverviewTemplate = readTemplate(contentOverviewColumns, (db, p) =>
  db
    .select(contentOverviewColumns)
    .from(contentPieces)
    .where(and(eq(contentPieces.agentId, p("agentId")), ne(contentPieces.status, "superseded")))
    .groupBy(contentPieces.status),
);

/** The read behind the dashboard's content figures, for one `readBatch` with its other reads. */
export function contentOverviewRead(db: Db, agentId: string) {
  return contentOverviewTemplate.read(db, { agentId });
}

export function contentOverviewFrom(rows: { status: string; count: number }[]) {
  const count = (status: string) => rows.find((row) => row.status === status)?.count ?? 0;
  return {
    pendingApprovals: count("pending_approval") + count("sent_to_marketing"),
    drafting: count("generating") + count("revision_requested"),
    failed: count("failed"),
    withMarketing: count("sent_to_marketing"),
  };
}
