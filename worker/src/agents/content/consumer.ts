// The content agent: a queue consumer that turns listing events and requests into drafts. Every message
// may arrive more than once; the pieces it creates are keyed by the message, and only pieces still
// `generating` are drafted, so a redelivery never drafts twice.
import { type ContentPiece, contentPieces } from "db";
import { and, eq, like } from "drizzle-orm";
import { createDb, type Db } from "../../lib/db";
import type { ContentGenerationMessage } from "../../queues/messages";
import { checkCompliance } from "./compliance";
import {
  completePiece,
  ensurePieces,
  failPiece,
  loadAgentProfile,
  loadListingFacts,
  noteRetryableError,
  notifyReady,
} from "./store";
import type { ContentKind, PostType } from "./types";
import { draftContent, GenerationError, postTypeFor, writerConfigFromEnv } from "./writer";

const ALL_KINDS: ContentKind[] = ["facebook_post", "instagram_caption", "flyer_text"];

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
      await failPiece(
        db,
        piece,
        `Drafting kept failing and was stopped. Last error: ${piece.error ?? "unknown"}`,
      );
    }
    message.ack();
  }
}

export async function draftForMessage(env: Env, message: ContentGenerationMessage): Promise<void> {
  const db = createDb(env.DB);
  const [listing, agent] = await Promise.all([
    loadListingFacts(db, message.agentId, message.listingId),
    loadAgentProfile(db, message.agentId),
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
      const previous = spec.parent?.structured as Parameters<typeof draftContent>[1]["previous"];
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
      await completePiece(db, piece, result, checkCompliance(result.body, listing, agent.profile));
      drafted++;
    } catch (error) {
      if (error instanceof GenerationError && !error.retryable) {
        await failPiece(db, piece, error.message);
      } else {
        await noteRetryableError(db, piece.id, error instanceof Error ? error.message : String(error));
        retryable = error;
      }
    }
  }
  if (drafted > 0) await notifyReady(db, message.agentId, message.key, listing.addressLine, drafted);
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
      return { kinds: ALL_KINDS, postType: postTypeFor(message.events, listing) };
    case "manual_request":
      return { kinds: message.kinds, postType: message.postType };
    case "revision_request": {
      const [parent] = await db
        .select()
        .from(contentPieces)
        .where(and(eq(contentPieces.id, message.parentId), eq(contentPieces.agentId, message.agentId)))
        .limit(1);
      return parent ? { kinds: [parent.kind], postType: parent.postType, parent } : null;
    }
  }
}
