// Preflight of a scheduled post, run when it is scheduled and again an hour before its time: the account
// is connected and its token works (a cheap Graph read), the publishing permissions are granted, the
// photos are reachable and valid for the platform, and Instagram's daily quota has room. Problems become
// warnings on the post and a notification while there is time to fix them; the post is not failed here.
import { contentPieces, listings, type PostWarning, postSchedule } from "db";
import { type FACEBOOK_SCOPES, INSTAGRAM_PUBLISH_SCOPES } from "db/rules";
import { and, eq } from "drizzle-orm";
import { createDb } from "../../lib/db";
import { TokenKeyError } from "../../lib/token-crypto";
import { notify } from "../../services/notify";
import { accountToken, activeAccount, markNeedsReconnect } from "../../services/social-accounts";
import { attachedFlyerPhoto } from "../flyers/attach";
import { GraphClient, GraphError } from "./graph";
import { facebookPhotoUrls, instagramPhotoUrls } from "./media";
import { PREFLIGHT_BEFORE_MS } from "./publisher";

const LABELS = { facebook: "Facebook Page", instagram: "Instagram account" } as const;
const REQUIRED_SCOPES = {
  facebook: ["pages_manage_posts", "pages_read_engagement"],
  instagram: [...INSTAGRAM_PUBLISH_SCOPES, "pages_read_engagement"],
} as const satisfies Record<string, readonly (typeof FACEBOOK_SCOPES)[number][]>;

export type PreflightResult = { warnings: PostWarning[] } | null;

export async function preflightPost(env: Env, postId: string, now = Date.now()): Promise<PreflightResult> {
  const db = createDb(env.DB);
  const [post] = await db.select().from(postSchedule).where(eq(postSchedule.id, postId)).limit(1);
  if (post?.status !== "scheduled") return null;
  const label = LABELS[post.platform];
  const warnings: PostWarning[] = [];
  const warn = (code: string, message: string) => warnings.push({ code, message, at: now });

  const account = await activeAccount(db, post.agentId, post.platform);
  if (!account) {
    warn(
      "not_connected",
      `No ${label} is connected. Connect it in Settings › Social accounts before the post's time.`,
    );
  } else if (account.status !== "connected") {
    warn(
      "needs_reconnect",
      `${account.statusReason ?? `Your ${label} needs reconnecting.`} Reconnect it in Settings › Social accounts.`,
    );
  } else {
    const granted = new Set(
      account.scopes
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );
    const missing = REQUIRED_SCOPES[post.platform].filter((scope) => granted.size > 0 && !granted.has(scope));
    if (missing.length > 0) {
      warn(
        "permission_missing",
        `The connection lacks the permission${missing.length > 1 ? "s" : ""} ${missing.join(", ")}. Reconnect and allow ${missing.length > 1 ? "them" : "it"}.`,
      );
    }
    const graph = new GraphClient(env, { timeoutMs: 10_000 });
    try {
      const token = await accountToken(env, account);
      // The cheapest read that proves the token works for this account.
      await graph.get(account.externalId, { fields: "id" }, token);
      if (post.platform === "instagram") {
        const { data } = await graph.get<{
          data: { quota_usage?: number; config?: { quota_total?: number } }[];
        }>(`${account.externalId}/content_publishing_limit`, { fields: "quota_usage,config" }, token);
        const entry = data.data?.[0];
        const total = entry?.config?.quota_total ?? 50;
        if ((entry?.quota_usage ?? 0) >= total) {
          warn(
            "quota",
            `Instagram's limit of ${total} posts a day is reached; the post will wait until it frees up.`,
          );
        }
      }
    } catch (error) {
      if (error instanceof TokenKeyError) {
        const reason = `The saved connection to your ${label} can no longer be read.`;
        await markNeedsReconnect(env, db, account, reason);
        warn("needs_reconnect", `${reason} Reconnect it in Settings › Social accounts.`);
      } else if (!(error instanceof GraphError)) {
        throw error;
      } else if (error.kind === "reconnect") {
        const reason =
          error.code === 190
            ? `The connection to your ${label} is no longer valid.`
            : `A permission needed to post to your ${label} is missing.`;
        await markNeedsReconnect(env, db, account, reason);
        warn("needs_reconnect", `${reason} Reconnect it in Settings › Social accounts.`);
      } else if (error.kind === "rate_limited" || error.kind === "blocked") {
        warn("limited", `Meta is limiting calls to your ${label} right now; the post may go out late.`);
      }
      // An ambiguous answer says nothing about the account: no warning.
    }
  }

  const [piece] = await db
    .select({ listingId: contentPieces.listingId })
    .from(contentPieces)
    .where(eq(contentPieces.id, post.contentId))
    .limit(1);
  const [listing] = piece
    ? await db
        .select({ imageUrls: listings.imageUrls })
        .from(listings)
        .where(and(eq(listings.id, piece.listingId), eq(listings.agentId, post.agentId)))
        .limit(1)
    : [];
  const urls = listing?.imageUrls ?? [];
  const origin = (env.APP_ORIGIN || "http://localhost:8787").replace(/\/$/, "");
  // A post with a flyer attached goes out with the flyer's image alone: only that needs to be there.
  const flyer = await attachedFlyerPhoto(db, { agentId: post.agentId, contentId: post.contentId, origin });
  if (flyer) {
    if ("problem" in flyer) warn("flyer_image", flyer.problem);
  } else if (post.platform === "instagram") {
    const photos = await instagramPhotoUrls(env, { agentId: post.agentId, origin, urls });
    if (photos.urls.length === 0) {
      warn(
        "no_photo",
        `Instagram needs a photo, and this listing has none that can be used. ${photos.problems.join(" ")}`.trim(),
      );
    } else if (photos.problems.length > 0) {
      warn("photos", photos.problems.join(" "));
    }
  } else if (urls.length > 0) {
    const photos = await facebookPhotoUrls(env, { agentId: post.agentId, origin, urls });
    if (photos.problems.length > 0) warn("photos", photos.problems.join(" "));
  }

  const [updated] = await db
    .update(postSchedule)
    .set({ warnings, preflightAt: new Date(now), updatedAt: new Date(now) })
    .where(and(eq(postSchedule.id, post.id), eq(postSchedule.status, "scheduled")))
    .returning({ nextStepAt: postSchedule.nextStepAt });
  if (updated && warnings.length > 0) {
    const final = (updated.nextStepAt?.getTime() ?? now) - PREFLIGHT_BEFORE_MS <= now;
    await notify(env, {
      agentId: post.agentId,
      event: "preflight_warning",
      title: `A scheduled post to your ${label} needs attention`,
      body: warnings.map((w) => w.message).join(" "),
      link: `/calendar?post=${post.id}`,
      // Once when scheduled, once an hour before: not on every alarm.
      dedupeKey: `preflight:${post.id}:${post.scheduledAt.getTime()}:${final ? "final" : "initial"}`,
    });
  }
  return { warnings };
}
