// The content agent: a queue consumer that turns listing events and requests into drafts. Every message
// may arrive more than once; the pieces it creates are keyed by the message, and only pieces still
// `generating` are drafted, so a redelivery never drafts twice.
import { CONTENT_KINDS, type ContentPiece, contentPieces } from "db";
import { and, eq, like } from "drizzle-orm";
import { createDb, type Db } from "../../lib/db";
import type { ContentGenerationMessage } from "../../queues/messages";
import { checkCompliance } from "./compliance";
import {
  completePiece,
  describeFailure,
  ensurePieces,
  failPiece,
  loadAgentProfile,
  loadKnownPlaces,
  loadListingFacts,
  noteRetryableError,
  notifyReady,
  previousDraft,
  STOPPED_REASONS,
} from "./store";
import { type ContentKind, type PostType, UnusableDraftError } from "./types";
import { draftContent, postTypeFor, writerConfigFromEnv } from "./writer";

export async function consumeContentBatch(
  batch: MessageBatch<ContentGenerationMessage>,
  env: Env,
): Promise<void> {
  for (const message of batch.messages) {
    try {
      await draftForMessage(env, message.body);
      message.ack();
    } catch (error) {
      console.error("content agent: will retry", message.body.key, error);
      // Exponential backoff between deliveries: 10 s, 20 s, 40 s ... (the queue gives up after max_retries).
      message.retry({ delaySeconds: Math.min(300, 10 * 2 ** (message.attempts - 1)) });
    }
  }
}

/** Messages that used up their retries: their unfinished pieces fail visibly. */
export async function consumeContentDeadLetters(batch: MessageBatch<ContentGenerationMessage>, env: Env) {
  const db = createDb(env.DB);
  for (const message of batch.messages) {
    const stuck = await db
      .select()
      .from(contentPieces)
      .where(
        and(
          eq(contentPieces.agentId, message.body.agentId),
          like(contentPieces.generationKey, `${message.body.key}:%`),
          eq(contentPieces.status, "generating"),
        ),
      );
    for (const piece of stuck) {
      await failPiece(env, db, piece, {
        reason: STOPPED_REASONS.deadLetter,
        detail: [piece.error, piece.errorDetail].filter(Boolean).join(" — ") || "No error was recorded.",
      });
    }
    message.ack();
  }
}

export async function draftForMessage(env: Env, message: ContentGenerationMessage): Promise<void> {
  const db = createDb(env.DB);
  const [listing, agent, known] = await Promise.all([
    loadListingFacts(db, message.agentId, message.listingId),
    loadAgentProfile(db, message.agentId),
    loadKnownPlaces(db, message.agentId, message.listingId),
  ]);
  // The listing or account is gone: nothing to draft.
  if (!listing || !agent) return;
  if (message.type === "listing_event" && !agent.autoDraft) return;

  const spec = await requestSpec(db, message, listing);
  if (!spec) return;
  const pieces = await ensurePieces(db, {
    agentId: message.agentId,
    listingId: message.listingId,
    key: message.key,
    ...spec,
  });
  const config = writerConfigFromEnv(env);
  let drafted = 0;
  let retryable: unknown = null;
  for (const piece of pieces.filter((p) => p.status === "generating")) {
    try {
      const previous = piece.feedback ? await previousDraft(db, piece) : undefined;
      const result = await draftContent(
        config,
        {
          kind: piece.kind,
          postType: piece.postType,
          listing,
          agent: agent.profile,
          traceId: piece.traceId ?? piece.id,
          ...(piece.feedback && { feedback: piece.feedback }),
          ...(previous && { previous }),
        },
        { agentId: message.agentId },
      );
      await completePiece(db, piece, result, checkCompliance(result.body, listing, agent.profile, known));
      drafted++;
    } catch (error) {
      if (error instanceof UnusableDraftError && error.retryable) {
        await noteRetryableError(db, piece.id, describeFailure(error));
        retryable = error;
      } else if (error instanceof UnusableDraftError) {
        await failPiece(env, db, piece, describeFailure(error));
      } else {
        // Unexpected (D1 hiccup, a bug): the queue tries again, and the dead-letter handler stops it.
        await noteRetryableError(db, piece.id, describeFailure(error)).catch(() => undefined);
        retryable = error;
      }
    }
  }
  if (drafted > 0) await notifyReady(env, db, message.agentId, listing.addressLine);
  // Finished pieces stay finished; the retry only drafts what is still `generating`.
  if (retryable) throw retryable;
}

async function requestSpec(
  db: Db,
  message: ContentGenerationMessage,
  listing: NonNullable<Awaited<ReturnType<typeof loadListingFacts>>>,
): Promise<{ kinds: ContentKind[]; postType: PostType; parent?: ContentPiece | null } | null> {
  switch (message.type) {
    case "listing_event":
      return { kinds: [...CONTENT_KINDS], postType: postTypeFor(message.events, listing) };
    case "manual_request":
      return { kinds: message.kinds, postType: message.postType };
    case "revision_request": {
      const parent = await ownPiece(db, message.agentId, message.parentId);
      return parent ? { kinds: [parent.kind], postType: parent.postType, parent } : null;
    }
    case "retry_request": {
      // The new version was created with the request; it carries its parent, feedback and version.
      const piece = await ownPiece(db, message.agentId, message.pieceId);
      return piece ? { kinds: [piece.kind], postType: piece.postType } : null;
    }
  }
}

async function ownPiece(db: Db, agentId: string, id: string) {
  const [piece] = await db
    .select()
    .from(contentPieces)
    .where(and(eq(contentPieces.id, id), eq(contentPieces.agentId, agentId)))
    .limit(1);
  return piece ?? null;
}
