// D1 side of the content agent: the pieces a request produces, and their completion or failure.
import { agents, type ContentPiece, contentEvents, contentPieces, listings } from "db";
import { and, eq, gte, inArray, ne, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../lib/db";
import { newId } from "../../lib/ids";
import { notify } from "../../services/notify";
import { insertWhere, transition } from "./approval";
import type { KnownPlaces } from "./compliance";
import { listingFacts } from "./facts";
import {
  type AgentProfile,
  type ContentKind,
  type DraftContent,
  type DraftResult,
  type PostType,
  UnusableDraftError,
} from "./types";

/** Why a piece failed: a plain sentence for Chris, and the technical cause behind a disclosure. */
export type Failure = { reason: string; detail: string };

export const STOPPED_REASONS = {
  deadLetter: "The writing service kept failing, so drafting was stopped.",
  tooLong: "Drafting took longer than 15 minutes and was stopped.",
  lostRevision: "The new version was never started.",
  unexpected: "Something went wrong while drafting.",
} as const;

/** The writer's error as stored on the piece; anything unexpected keeps its message as the detail. */
export function describeFailure(error: unknown): Failure {
  if (error instanceof UnusableDraftError) return { reason: error.reason, detail: error.detail };
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { reason: STOPPED_REASONS.unexpected, detail };
}

export const KIND_LABELS: Record<ContentKind, string> = {
  facebook_post: "Facebook post",
  instagram_caption: "Instagram caption",
  flyer_text: "Flyer text",
};

export async function loadListingFacts(db: Db, agentId: string, listingId: string) {
  const [row] = await db
    .select()
    .from(listings)
    .where(and(eq(listings.id, listingId), eq(listings.agentId, agentId)))
    .limit(1);
  return row ? listingFacts(row) : null;
}

/** The agent's other homes' communities and addresses, so a draft that names one is flagged anywhere. */
export async function loadKnownPlaces(db: Db, agentId: string, listingId: string): Promise<KnownPlaces> {
  const rows = await db
    .select({ community: listings.community, address: listings.addressLine })
    .from(listings)
    .where(and(eq(listings.agentId, agentId), ne(listings.id, listingId)))
    .limit(2000);
  return {
    communities: [...new Set(rows.map((row) => row.community).filter(Boolean))],
    addresses: rows.map((row) => row.address).filter(Boolean),
  };
}

export async function loadAgentProfile(db: Db, agentId: string) {
  const [row] = await db.select().from(agents).where(eq(agents.id, agentId)).limit(1);
  if (!row) return null;
  const profile: AgentProfile = {
    name: row.name,
    brokerageName: row.brokerageName,
    phone: row.phone,
    email: row.email,
    licenseNumber: row.licenseNumber,
  };
  return { profile, autoDraft: row.autoDraftNewListings };
}

type PieceSpec = {
  agentId: string;
  listingId: string;
  key: string;
  kinds: ContentKind[];
  postType: PostType;
  parent?: Pick<ContentPiece, "id" | "rootId" | "version" | "feedback"> | null;
};

/** The rows a request produces, one per kind, in `generating`. */
export function pieceRows(spec: PieceSpec): (typeof contentPieces.$inferInsert)[] {
  return spec.kinds.map((kind) => {
    const id = newId();
    return {
      id,
      agentId: spec.agentId,
      listingId: spec.listingId,
      kind,
      postType: spec.postType,
      status: "generating" as const,
      version: spec.parent ? spec.parent.version + 1 : 1,
      parentId: spec.parent?.id ?? null,
      rootId: spec.parent?.rootId ?? id,
      generationKey: `${spec.key}:${kind}`,
      traceId: `${spec.agentId}-${id}`,
      feedback: spec.parent?.feedback ?? null,
    };
  });
}

/** Creates the request's pieces in `generating` unless they exist (a redelivery); returns all of them. */
export async function ensurePieces(db: Db, spec: PieceSpec): Promise<ContentPiece[]> {
  const keys = spec.kinds.map((kind) => `${spec.key}:${kind}`);
  const [first, ...rest] = pieceRows(spec);
  if (first)
    await db
      .insert(contentPieces)
      .values([first, ...rest])
      .onConflictDoNothing();
  return db.select().from(contentPieces).where(inArray(contentPieces.generationKey, keys));
}

/**
 * The draft a revision rewrites: the nearest earlier version that has content (the parent for a revision,
 * the grandparent when the revision itself failed and is being tried again).
 */
export async function previousDraft(db: Db, piece: ContentPiece): Promise<DraftContent | undefined> {
  let parentId = piece.parentId;
  for (let depth = 0; parentId && depth < 5; depth++) {
    const [parent] = await db
      .select({ parentId: contentPieces.parentId, structured: contentPieces.structured })
      .from(contentPieces)
      .where(and(eq(contentPieces.id, parentId), eq(contentPieces.agentId, piece.agentId)))
      .limit(1);
    if (!parent) return undefined;
    if (parent.structured) return parent.structured as unknown as DraftContent;
    parentId = parent.parentId;
  }
  return undefined;
}

/**
 * Statements that settle a piece's parent still `revision_requested` as superseded, with its event, when
 * `condition` holds. A revision's parent never waits for a child that has finished, well or badly.
 */
export function settleParent(db: Db, piece: ContentPiece, note: string, condition: SQL) {
  if (!piece.parentId) return [];
  const now = Date.now();
  return [
    db
      .update(contentPieces)
      .set({ status: "superseded", updatedAt: new Date(now) })
      .where(
        and(
          eq(contentPieces.id, piece.parentId),
          eq(contentPieces.agentId, piece.agentId),
          eq(contentPieces.status, "revision_requested"),
          condition,
        ),
      ),
    insertWhere(
      db,
      contentEvents,
      {
        id: newId(),
        contentId: piece.parentId,
        agentId: piece.agentId,
        actor: "system",
        action: "superseded",
        fromStatus: "revision_requested",
        toStatus: "superseded",
        note,
        createdAt: new Date(now),
      },
      sql`changes() = 1`,
    ),
  ];
}

export async function completePiece(
  db: Db,
  piece: ContentPiece,
  result: DraftResult,
  complianceFlags: ContentPiece["complianceFlags"],
) {
  await transition(
    db,
    {
      pieceId: piece.id,
      agentId: piece.agentId,
      from: "generating",
      to: "pending_approval",
      action: "drafted",
      actor: "system",
      note: `${result.generator === "offline" ? "Offline writer" : (result.model ?? result.generator)}${
        complianceFlags.length ? `; ${complianceFlags.length} compliance warning(s)` : ""
      }`,
      set: {
        body: result.body,
        structured: result.content as unknown as Record<string, unknown>,
        generator: result.generator,
        model: result.model,
        promptVersion: result.promptVersion,
        promptTokens: result.promptTokens,
        completionTokens: result.completionTokens,
        latencyMs: result.latencyMs,
        complianceFlags,
        complianceAcknowledgedAt: null,
        repairs: result.repairs ?? [],
        error: null,
        errorDetail: null,
      },
    },
    (applied) => settleParent(db, piece, `Replaced by version ${piece.version}`, applied),
  );
}

export async function failPiece(env: Env, db: Db, piece: ContentPiece, failure: Failure) {
  const reason = failure.reason.slice(0, 500);
  await transition(
    db,
    {
      pieceId: piece.id,
      agentId: piece.agentId,
      from: "generating",
      to: "failed",
      action: "generation_failed",
      actor: "system",
      note: reason,
      set: { error: reason, errorDetail: failure.detail.slice(0, 4000) },
    },
    (applied) =>
      settleParent(db, piece, `Version ${piece.version} could not be drafted; try again from it`, applied),
  );
  await notify(env, {
    agentId: piece.agentId,
    event: "content_failed",
    title: `${KIND_LABELS[piece.kind]} could not be drafted`,
    body: `${reason} Open it to try again.`,
    link: `/approvals?piece=${piece.id}`,
    dedupeKey: `content-failed:${piece.id}`,
  });
}

/** Drafts that arrive within one window (a run's automatic drafts) share one notification. */
const READY_WINDOW_MS = 30 * 60_000;

/**
 * content_ready, one per agent per half hour, brought up to date as drafts arrive: "3 drafts are ready for
 * 12 Palm Way", then "36 drafts are ready for 12 homes". The counts are read from the pieces waiting for
 * approval that were created in the window, so a redelivered message writes the same numbers again.
 */
export async function notifyReady(env: Env, db: Db, agentId: string, address: string, now = Date.now()) {
  const windowStart = Math.floor(now / READY_WINDOW_MS) * READY_WINDOW_MS;
  const [waiting] = await db
    .select({
      pieces: sql<number>`count(*)`,
      homes: sql<number>`count(distinct ${contentPieces.listingId})`,
    })
    .from(contentPieces)
    .where(
      and(
        eq(contentPieces.agentId, agentId),
        eq(contentPieces.status, "pending_approval"),
        gte(contentPieces.createdAt, new Date(windowStart)),
      ),
    );
  const pieces = Math.max(1, waiting?.pieces ?? 1);
  const homes = Math.max(1, waiting?.homes ?? 1);
  const drafts = pieces === 1 ? "A draft is" : `${pieces} drafts are`;
  await notify(env, {
    agentId,
    event: "content_ready",
    title: `${drafts} ready for ${homes === 1 ? address : `${homes} homes`}`,
    body: "Review and approve them on the Approvals page.",
    link: "/approvals",
    dedupeKey: `content-ready:${agentId}:${windowStart}`,
    coalesce: true,
  });
}

/** Records the last retryable error on pieces still generating, so the dead-letter handler can show it. */
export async function noteRetryableError(db: Db, pieceId: string, failure: Failure) {
  await db
    .update(contentPieces)
    .set({
      error: failure.reason.slice(0, 500),
      errorDetail: failure.detail.slice(0, 4000),
      updatedAt: new Date(),
    })
    .where(and(eq(contentPieces.id, pieceId), eq(contentPieces.status, "generating")));
}
