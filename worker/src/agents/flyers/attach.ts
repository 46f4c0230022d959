// A Facebook post or Instagram caption can go out with the flyer's JPEG instead of the listing's photos.
// The flyer must be the same agent's, for the same listing, with its image made (the image is what
// posts, and Chris sees it on the post he approves, so the flyer piece itself need not be approved);
// a rejected or replaced flyer cannot be attached. The post must not be on its way yet.
import { contentPieces, mediaAssets } from "db";
import type { ContentStatus } from "db/rules";
import { and, desc, eq, notInArray } from "drizzle-orm";
import type { Db } from "../../lib/db";
import { ServiceError } from "../../lib/errors";
import { mediaUrl } from "../social/media";

const ATTACHABLE_POST: readonly ContentStatus[] = [
  "pending_approval",
  "revision_requested",
  "sent_to_marketing",
  "approved",
  "scheduled",
];
const UNUSABLE_FLYER: readonly ContentStatus[] = ["rejected", "superseded", "failed", "generating"];

export async function attachFlyer(
  db: Db,
  agentId: string,
  input: { id: string; flyerId: string | null },
): Promise<{ id: string; attachedFlyerId: string | null; flyerImageUrl: string | null }> {
  const [post] = await db
    .select({ kind: contentPieces.kind, status: contentPieces.status, listingId: contentPieces.listingId })
    .from(contentPieces)
    .where(and(eq(contentPieces.id, input.id), eq(contentPieces.agentId, agentId)))
    .limit(1);
  if (!post || post.kind === "flyer_text") throw new ServiceError("NOT_FOUND", "No such post.");
  if (!ATTACHABLE_POST.includes(post.status))
    throw new ServiceError(
      "CONFLICT",
      "This post is already on its way or done; its photos can no longer change.",
    );
  let flyerImageUrl: string | null = null;
  if (input.flyerId !== null) {
    const [flyer] = await db
      .select({
        kind: contentPieces.kind,
        status: contentPieces.status,
        listingId: contentPieces.listingId,
        asset: contentPieces.flyerAssetId,
      })
      .from(contentPieces)
      .where(and(eq(contentPieces.id, input.flyerId), eq(contentPieces.agentId, agentId)))
      .limit(1);
    if (flyer?.kind !== "flyer_text" || flyer.listingId !== post.listingId)
      throw new ServiceError("NOT_FOUND", "No flyer of this home with this id.", { field: "flyerId" });
    if (UNUSABLE_FLYER.includes(flyer.status))
      throw new ServiceError("CONFLICT", "This flyer was rejected or replaced; choose its current version.", {
        field: "flyerId",
      });
    if (!flyer.asset)
      throw new ServiceError("CONFLICT", "Make the flyer's image first.", { field: "flyerId" });
    flyerImageUrl = `/media/${flyer.asset}.jpg`;
  }
  await db
    .update(contentPieces)
    .set({ attachedFlyerId: input.flyerId })
    .where(and(eq(contentPieces.id, input.id), eq(contentPieces.agentId, agentId)));
  return { id: input.id, attachedFlyerId: input.flyerId, flyerImageUrl };
}

/**
 * For the publishers and the preflight: the attached flyer's public image URL when the post's piece has
 * a flyer attached, `{ problem }` when that flyer's image is gone, or null when nothing is attached.
 */
export async function attachedFlyerPhoto(
  db: Db,
  { agentId, contentId, origin }: { agentId: string; contentId: string; origin: string },
): Promise<{ url: string } | { problem: string } | null> {
  const [piece] = await db
    .select({ flyerId: contentPieces.attachedFlyerId })
    .from(contentPieces)
    .where(and(eq(contentPieces.id, contentId), eq(contentPieces.agentId, agentId)))
    .limit(1);
  if (!piece?.flyerId) return null;
  const [flyer] = await db
    .select({ asset: mediaAssets.id })
    .from(contentPieces)
    .innerJoin(mediaAssets, eq(mediaAssets.id, contentPieces.flyerAssetId))
    .where(
      and(
        eq(contentPieces.id, piece.flyerId),
        eq(contentPieces.agentId, agentId),
        eq(mediaAssets.agentId, agentId),
      ),
    )
    .limit(1);
  if (!flyer)
    return { problem: "The flyer image attached to this post is gone; make it again or detach it." };
  return { url: mediaUrl(origin, flyer.asset) };
}

export type FlyerChoice = {
  id: string;
  version: number;
  status: ContentStatus;
  headline: string;
  imageUrl: string | null;
};

/** The flyers a post could carry: the same listing's current flyer pieces, newest first. */
export async function flyerChoices(
  db: Db,
  agentId: string,
  postId: string,
): Promise<{ attachedFlyerId: string | null; flyers: FlyerChoice[] }> {
  const [post] = await db
    .select({
      kind: contentPieces.kind,
      listingId: contentPieces.listingId,
      attached: contentPieces.attachedFlyerId,
    })
    .from(contentPieces)
    .where(and(eq(contentPieces.id, postId), eq(contentPieces.agentId, agentId)))
    .limit(1);
  if (!post || post.kind === "flyer_text") throw new ServiceError("NOT_FOUND", "No such post.");
  const rows = await db
    .select({
      id: contentPieces.id,
      version: contentPieces.version,
      status: contentPieces.status,
      structured: contentPieces.structured,
      asset: contentPieces.flyerAssetId,
    })
    .from(contentPieces)
    .where(
      and(
        eq(contentPieces.agentId, agentId),
        eq(contentPieces.listingId, post.listingId),
        eq(contentPieces.kind, "flyer_text"),
        notInArray(contentPieces.status, [...UNUSABLE_FLYER]),
      ),
    )
    .orderBy(desc(contentPieces.updatedAt))
    .limit(20);
  return {
    attachedFlyerId: post.attached,
    flyers: rows.map((row) => ({
      id: row.id,
      version: row.version,
      status: row.status,
      headline: typeof row.structured?.headline === "string" ? row.structured.headline : "",
      imageUrl: row.asset ? `/media/${row.asset}.jpg` : null,
    })),
  };
}
