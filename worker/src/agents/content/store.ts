// D1 side of the content agent: the pieces a request produces, and their completion or failure.
import { agents, type ContentPiece, contentPieces, listings, notifications } from "db";
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../../lib/db";
import { newId } from "../../lib/ids";
import { transition } from "./approval";
import { listingFacts } from "./facts";
import type { AgentProfile, ContentKind, DraftResult, PostType } from "./types";

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

/** Creates the request's pieces in `generating` unless they exist (a redelivery); returns all of them. */
export async function ensurePieces(db: Db, spec: PieceSpec): Promise<ContentPiece[]> {
  const keys = spec.kinds.map((kind) => `${spec.key}:${kind}`);
  const rows = spec.kinds.map((kind) => {
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
  const [first, ...rest] = rows;
  if (first)
    await db
      .insert(contentPieces)
      .values([first, ...rest])
      .onConflictDoNothing();
  return db.select().from(contentPieces).where(inArray(contentPieces.generationKey, keys));
}

export async function completePiece(
  db: Db,
  piece: ContentPiece,
  result: DraftResult,
  complianceFlags: ContentPiece["complianceFlags"],
) {
  await transition(db, {
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
      error: null,
    },
  });
  // A revision replaces the version it was asked for.
  if (piece.parentId) {
    await transition(db, {
      pieceId: piece.parentId,
      agentId: piece.agentId,
      from: "revision_requested",
      to: "superseded",
      action: "superseded",
      actor: "system",
      note: `Replaced by version ${piece.version}`,
    }).catch(() => undefined);
  }
}

export async function failPiece(db: Db, piece: ContentPiece, error: string) {
  await transition(db, {
    pieceId: piece.id,
    agentId: piece.agentId,
    from: "generating",
    to: "failed",
    action: "generation_failed",
    actor: "system",
    note: error.slice(0, 500),
    set: { error: error.slice(0, 2000) },
  });
  await db
    .insert(notifications)
    .values({
      id: newId(),
      agentId: piece.agentId,
      eventType: "content_failed",
      title: `${KIND_LABELS[piece.kind]} could not be drafted`,
      body: error.slice(0, 300),
      link: `/approvals?piece=${piece.id}`,
      dedupeKey: `content-failed:${piece.id}`,
    })
    .onConflictDoNothing();
}

export async function notifyReady(db: Db, agentId: string, key: string, address: string, count: number) {
  await db
    .insert(notifications)
    .values({
      id: newId(),
      agentId,
      eventType: "content_ready",
      title: count === 1 ? `A draft is ready for ${address}` : `${count} drafts are ready for ${address}`,
      body: "Review and approve them on the Approvals page.",
      link: "/approvals",
      dedupeKey: `content-ready:${key}`,
    })
    .onConflictDoNothing();
}

/** Records the last retryable error on pieces still generating, so the dead-letter handler can show it. */
export async function noteRetryableError(db: Db, pieceId: string, error: string) {
  await db
    .update(contentPieces)
    .set({ error: error.slice(0, 2000), updatedAt: new Date() })
    .where(and(eq(contentPieces.id, pieceId), eq(contentPieces.status, "generating")));
}
