// The marketing department's review: a single-use, expiring link emailed with the draft. The link's
// token is 256 random bits; only its SHA-256 is stored (the outbox keeps the email with the token
// redacted), so the database alone cannot forge or use a link. The token sits in the URL's fragment,
// which browsers never send, so it stays out of request logs. With TOKEN_ENCRYPTION_KEY the token is also
// kept sealed (AES-GCM, the request's id as additional data), so the reminder can repeat the same link.
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase64urlNoPadding, encodeHexLowerCase } from "@oslojs/encoding";
import {
  agents,
  type ContentPiece,
  contentEvents,
  contentPieces,
  emailOutbox,
  listings,
  marketingRequests,
} from "db";
import { and, eq, gt, isNull } from "drizzle-orm";
import { STATUS_LABELS, transition } from "../agents/content/approval";
import { KIND_LABELS } from "../agents/content/store";
import { rescheduleNotifications } from "../agents/notifications/scheduler";
import type { Db } from "../lib/db";
import { EmailError, emailConfigFromEnv, escapeHtml, sendEmail } from "../lib/email";
import { ServiceError } from "../lib/errors";
import { newId } from "../lib/ids";
import { type SealedToken, sealToken } from "../lib/token-crypto";
import type { ContentDeps } from "./content";
import { notify } from "./notify";

export const MARKETING_LINK_TTL_MS = 7 * 24 * 3600_000;
type Response = "approved" | "changes_requested" | "rejected";
const RESPONSE_LABELS: Record<Response, string> = {
  approved: "approved",
  changes_requested: "asked for changes to",
  rejected: "rejected",
};

const hashToken = (token: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
const newToken = () => encodeBase64urlNoPadding(crypto.getRandomValues(new Uint8Array(32)));
/** The page reads the token from the fragment and posts it; a path or query would reach server logs. */
export const reviewLinkPath = (token: string) => `/marketing#${token}`;
const REQUEST_KEY_PREFIX = "marketing-request:";
/** True for an outbox email that carries a review link (keyed by its marketing request). */
export const carriesReviewLink = (idempotencyKey: string) => idempotencyKey.startsWith(REQUEST_KEY_PREFIX);
/** "Facebook post for 12 Palm Way": what the department is asked to review, in subjects and reminders. */
export const draftLabel = (kind: ContentPiece["kind"], addressLine: string | null | undefined) =>
  `${KIND_LABELS[kind]} for ${addressLine ?? "a listing"}`;

/** The token sealed for its request, or null without a usable key (the reminder then has no link). */
async function sealedOrNull(env: Env, token: string, requestId: string): Promise<SealedToken | null> {
  if (!env.TOKEN_ENCRYPTION_KEY) return null;
  try {
    return await sealToken(env, token, requestId);
  } catch (error) {
    // A malformed key must not stop the review; the message names the key problem, never the token.
    console.error(
      "marketing: the review token was not sealed",
      error instanceof Error ? error.message : error,
    );
    return null;
  }
}

export async function sendToMarketing(
  { db, env, agentId, origin }: ContentDeps,
  piece: ContentPiece,
  note: string | null,
) {
  const [agent] = await db
    .select({ name: agents.name, marketingEmail: agents.marketingEmail })
    .from(agents)
    .where(eq(agents.id, agentId))
    .limit(1);
  if (!agent?.marketingEmail) {
    throw new ServiceError("BAD_REQUEST", "Add your marketing department's email in Settings first", {
      field: "marketingEmail",
    });
  }
  const [listing] = await db
    .select({ addressLine: listings.addressLine, city: listings.city })
    .from(listings)
    .where(eq(listings.id, piece.listingId))
    .limit(1);
  const token = newToken();
  const requestId = newId();
  const expiresAt = new Date(Date.now() + MARKETING_LINK_TTL_MS);
  await db.insert(marketingRequests).values({
    id: requestId,
    agentId,
    contentId: piece.id,
    recipientEmail: agent.marketingEmail,
    tokenHash: hashToken(token),
    tokenSealed: await sealedOrNull(env, token, requestId),
    expiresAt,
  });
  const link = `${origin}${reviewLinkPath(token)}`;
  const what = draftLabel(piece.kind, listing?.addressLine);
  const intro = `${agent.name} asks you to review this ${what}.`;
  try {
    await sendEmail(db, emailConfigFromEnv(env), {
      to: agent.marketingEmail,
      subject: `Review requested: ${what}`,
      agentId,
      idempotencyKey: `${REQUEST_KEY_PREFIX}${requestId}`,
      secrets: [token],
      text: [
        intro,
        note ? `Note: ${note}` : "",
        "",
        piece.body,
        "",
        `Approve, ask for changes or reject: ${link}`,
        `The link works once and expires on ${expiresAt.toUTCString()}.`,
      ]
        .filter((line, i) => line !== "" || i > 1)
        .join("\n"),
      html: `<p>${escapeHtml(intro)}</p>${note ? `<p><strong>Note:</strong> ${escapeHtml(note)}</p>` : ""}
<pre style="white-space:pre-wrap;font-family:inherit;border-left:3px solid #1f5f8b;padding-left:12px">${escapeHtml(piece.body)}</pre>
<p><a href="${escapeHtml(link)}">Approve, ask for changes or reject</a></p>
<p style="color:#555">The link works once and expires on ${escapeHtml(expiresAt.toUTCString())}.</p>`,
    });
  } catch (error) {
    await db.delete(marketingRequests).where(eq(marketingRequests.id, requestId));
    if (error instanceof EmailError)
      throw new ServiceError("BAD_GATEWAY", `The email could not be sent: ${error.message}`);
    throw error;
  }
  await transition(db, {
    pieceId: piece.id,
    agentId,
    from: piece.status,
    to: "sent_to_marketing",
    action: "send_to_marketing",
    actor: "agent",
    note: `Sent to ${agent.marketingEmail}${note ? `: ${note}` : ""}`,
  });
  await notify(env, {
    agentId,
    event: "marketing_sent",
    title: `Sent to marketing: ${what}`,
    body: `Waiting for ${agent.marketingEmail} to approve, ask for changes or reject it.`,
    link: `/approvals?piece=${piece.id}`,
    dedupeKey: `marketing-sent:${requestId}`,
  });
  // The hub's alarm now includes this request's reminder.
  await rescheduleNotifications(env, agentId);
}

/**
 * Development tools only (the dev outbox): a fresh token for the open review request an email in the
 * local outbox carries, since the stored email has its token redacted. The old token stops working. Only
 * for emails that never left this machine (status "stored"), so no real recipient's link is replaced.
 */
export async function reissueReviewLink(db: Db, agentId: string, emailId: string, now = Date.now()) {
  const [email] = await db
    .select({ key: emailOutbox.idempotencyKey })
    .from(emailOutbox)
    .where(
      and(eq(emailOutbox.id, emailId), eq(emailOutbox.agentId, agentId), eq(emailOutbox.status, "stored")),
    )
    .limit(1);
  if (!email || !carriesReviewLink(email.key))
    throw new ServiceError("NOT_FOUND", "No review link in this email");
  const token = newToken();
  const [request] = await db
    .update(marketingRequests)
    .set({ tokenHash: hashToken(token) })
    .where(
      and(
        eq(marketingRequests.id, email.key.slice(REQUEST_KEY_PREFIX.length)),
        eq(marketingRequests.agentId, agentId),
        isNull(marketingRequests.usedAt),
        gt(marketingRequests.expiresAt, new Date(now)),
      ),
    )
    .returning({ id: marketingRequests.id });
  if (!request) throw new ServiceError("NOT_FOUND", "This review link was already used or expired");
  return { path: reviewLinkPath(token) };
}

/** What the marketing department sees behind its link; refuses unknown, used and expired links. */
export async function marketingRequestByToken(db: Db, token: string, now = Date.now()) {
  const [row] = await db
    .select({
      request: marketingRequests,
      piece: {
        id: contentPieces.id,
        kind: contentPieces.kind,
        body: contentPieces.body,
        structured: contentPieces.structured,
        status: contentPieces.status,
        version: contentPieces.version,
      },
      agentName: agents.name,
      brokerageName: agents.brokerageName,
      listing: {
        addressLine: listings.addressLine,
        city: listings.city,
        state: listings.state,
        priceCents: listings.priceCents,
      },
    })
    .from(marketingRequests)
    .innerJoin(contentPieces, eq(contentPieces.id, marketingRequests.contentId))
    .innerJoin(agents, eq(agents.id, marketingRequests.agentId))
    .innerJoin(listings, eq(listings.id, contentPieces.listingId))
    .where(eq(marketingRequests.tokenHash, hashToken(token)))
    .limit(1);
  if (!row) throw new ServiceError("NOT_FOUND", "This review link is not valid.");
  const { request } = row;
  if (request.usedAt) {
    return {
      state: "answered" as const,
      response: request.response,
      respondedAt: request.respondedAt?.getTime() ?? null,
      agentName: row.agentName,
    };
  }
  if (request.expiresAt.getTime() <= now) {
    throw new ServiceError(
      "NOT_FOUND",
      `This review link expired on ${request.expiresAt.toUTCString()}. Ask ${row.agentName} for a new one.`,
    );
  }
  return {
    state: "open" as const,
    agentName: row.agentName,
    brokerageName: row.brokerageName,
    listing: row.listing,
    piece: { ...row.piece, kindLabel: KIND_LABELS[row.piece.kind] },
    expiresAt: request.expiresAt.getTime(),
  };
}

/** The department's answer through its link: the link is spent atomically, so it counts once. */
export async function respondThroughLink(
  env: Env,
  db: Db,
  token: string,
  response: Response,
  notes: string | null,
) {
  const now = new Date();
  const [request] = await db
    .update(marketingRequests)
    .set({ usedAt: now, response, responseNotes: notes, respondedAt: now })
    .where(
      and(
        eq(marketingRequests.tokenHash, hashToken(token)),
        isNull(marketingRequests.usedAt),
        gt(marketingRequests.expiresAt, now),
      ),
    )
    .returning();
  if (!request) {
    await marketingRequestByToken(db, token); // throws the precise reason for unknown or expired links
    throw new ServiceError("CONFLICT", "This review link was already used.");
  }
  const [piece] = await db
    .select()
    .from(contentPieces)
    .where(eq(contentPieces.id, request.contentId))
    .limit(1);
  if (piece) await applyResponse(env, db, piece, { response, notes, actor: "marketing" });
  // The answer cancels the reminder: the hub's alarm is recomputed without it.
  await rescheduleNotifications(env, request.agentId);
  return { ok: true as const };
}

/** Chris records an answer he got another way (phone, hallway); open links for the piece are closed. */
export async function recordMarketingResponse(
  env: Env,
  db: Db,
  piece: ContentPiece,
  answer: { response: Response; notes: string | null; actor: "agent" },
) {
  const now = new Date();
  await db
    .update(marketingRequests)
    .set({ usedAt: now, response: answer.response, responseNotes: answer.notes, respondedAt: now })
    .where(and(eq(marketingRequests.contentId, piece.id), isNull(marketingRequests.usedAt)));
  await applyResponse(env, db, piece, answer);
  await rescheduleNotifications(env, piece.agentId);
}

async function applyResponse(
  env: Env,
  db: Db,
  piece: ContentPiece,
  answer: { response: Response; notes: string | null; actor: "agent" | "marketing" },
) {
  const note = `Marketing ${RESPONSE_LABELS[answer.response]} this draft${answer.notes ? `: ${answer.notes}` : ""}`;
  const moved =
    piece.status === "sent_to_marketing" &&
    // The draft goes back to Chris with the department's verdict; he decides what happens next.
    (await transition(db, {
      pieceId: piece.id,
      agentId: piece.agentId,
      from: "sent_to_marketing",
      to: "pending_approval",
      action: "record_marketing_response",
      actor: answer.actor,
      note,
    }).then(
      () => true,
      () => false,
    ));
  if (!moved) {
    // Chris already moved on: keep the answer in the history without changing the status.
    await db.insert(contentEvents).values({
      id: newId(),
      contentId: piece.id,
      agentId: piece.agentId,
      actor: answer.actor,
      action: "record_marketing_response",
      fromStatus: piece.status,
      toStatus: piece.status,
      note: `${note} (the draft was already ${STATUS_LABELS[piece.status]})`,
    });
  }
  await notify(env, {
    agentId: piece.agentId,
    event: "marketing_response",
    title: `Marketing ${RESPONSE_LABELS[answer.response]} your ${KIND_LABELS[piece.kind].toLowerCase()}`,
    body: answer.notes ?? "",
    link: `/approvals?piece=${piece.id}`,
    dedupeKey: `marketing-response:${piece.id}:${Date.now()}`,
  });
}
