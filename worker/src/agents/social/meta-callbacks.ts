// Meta's deauthorize and data-deletion callbacks. Meta signs them with the app secret (`signed_request` =
// base64url(HMAC-SHA256(payload)) "." base64url(JSON payload)); an unsigned or forged one changes nothing.
// Both disconnect every account the Meta user granted and delete their tokens; deletion also forgets who
// he was and answers with a status page and a confirmation code.
import { decodeBase64urlIgnorePadding, encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";
import { dataDeletionRequests, pageChoices, socialAccounts } from "db";
import { eq } from "drizzle-orm";
import type { Db } from "../../lib/db";

export type SignedRequestPayload = { algorithm: string; user_id: string; issued_at?: number };

const encoder = new TextEncoder();

function decodePart(part: string): Uint8Array | null {
  if (!part || !/^[A-Za-z0-9_-]+={0,2}$/.test(part)) return null;
  try {
    return decodeBase64urlIgnorePadding(part.replace(/=+$/, ""));
  } catch {
    return null;
  }
}

/** The payload of a correctly signed request, or null (bad shape, wrong algorithm, forged signature). */
export async function verifySignedRequest(
  appSecret: string,
  signedRequest: string,
): Promise<SignedRequestPayload | null> {
  if (!appSecret || signedRequest.length > 8192) return null;
  const [encodedSignature, encodedPayload, extra] = signedRequest.split(".");
  if (extra !== undefined || !encodedSignature || !encodedPayload) return null;
  const signature = decodePart(encodedSignature);
  const payloadBytes = decodePart(encodedPayload);
  if (!signature || !payloadBytes) return null;
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(appSecret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  // Meta signs the payload as sent (its base64url text), not the decoded JSON.
  const expected = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(encodedPayload)));
  if (signature.length !== expected.length || !crypto.subtle.timingSafeEqual(signature, expected))
    return null;
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(payloadBytes));
  } catch {
    return null;
  }
  if (!payload || typeof payload !== "object") return null;
  const { algorithm, user_id: userId } = payload as Record<string, unknown>;
  if (typeof algorithm !== "string" || algorithm.toUpperCase() !== "HMAC-SHA256") return null;
  if ((typeof userId !== "string" && typeof userId !== "number") || String(userId) === "") return null;
  return { ...(payload as SignedRequestPayload), user_id: String(userId) };
}

const REVOKED_REASON = "Access was removed on Facebook. Connect again to keep posting.";

/** Disconnects the Meta user's accounts (all agents) and deletes their tokens; answers how many. */
export async function revokeMetaUser(db: Db, metaUserId: string, forget = false): Promise<number> {
  const now = new Date();
  const [updated] = await db.batch([
    db
      .update(socialAccounts)
      .set({
        accessTokenCiphertext: "",
        accessTokenIv: "",
        keyId: "",
        status: "disconnected",
        statusReason: REVOKED_REASON,
        updatedAt: now,
        ...(forget ? { metaUserId: null, scopes: "", declinedScopes: "" } : {}),
      })
      .where(eq(socialAccounts.metaUserId, metaUserId))
      .returning({ id: socialAccounts.id }),
    db.delete(pageChoices).where(eq(pageChoices.metaUserId, metaUserId)),
  ]);
  return updated.length;
}

/** Meta's data-deletion request: everything revoked and forgotten; the code opens the status page. */
export async function recordDataDeletion(
  db: Db,
  metaUserId: string,
  origin: string,
): Promise<{ url: string; confirmation_code: string }> {
  const accountsDeleted = await revokeMetaUser(db, metaUserId, true);
  const confirmationCode = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(10)));
  await db.insert(dataDeletionRequests).values({ confirmationCode, metaUserId, accountsDeleted });
  return { url: `${origin}/api/meta/data-deletion/${confirmationCode}`, confirmation_code: confirmationCode };
}

export async function dataDeletionStatus(db: Db, confirmationCode: string) {
  const [row] = await db
    .select({
      confirmationCode: dataDeletionRequests.confirmationCode,
      accountsDeleted: dataDeletionRequests.accountsDeleted,
      createdAt: dataDeletionRequests.createdAt,
    })
    .from(dataDeletionRequests)
    .where(eq(dataDeletionRequests.confirmationCode, confirmationCode));
  return row ?? null;
}
