// The connected Facebook Page and Instagram account of an agent, and their Page token. Shared by the
// connect flow (socialAccounts router, OAuth callback) and the publishing engine. The token is decrypted
// only here and handed straight to the Graph client; it is never returned by a procedure or logged.
import { notifications, type SocialPlatform, socialAccounts } from "db";
import { and, eq } from "drizzle-orm";
import type { Db } from "../lib/db";
import { newId } from "../lib/ids";
import { openToken } from "../lib/token-crypto";

export type SocialAccount = typeof socialAccounts.$inferSelect;

const PLATFORM_LABELS = { facebook: "Facebook Page", instagram: "Instagram account" } as const;

/** The agent's account on `platform` that is not disconnected (connected or needing a reconnect). */
export async function activeAccount(
  db: Db,
  agentId: string,
  platform: SocialPlatform,
): Promise<SocialAccount | null> {
  const rows = await db
    .select()
    .from(socialAccounts)
    .where(and(eq(socialAccounts.agentId, agentId), eq(socialAccounts.platform, platform)));
  return (
    rows.find((row) => row.status === "connected") ??
    rows.find((row) => row.status === "needs_reconnect") ??
    null
  );
}

/** The account's Page token (Instagram publishes with the linked Page's token). */
export function accountToken(
  env: Pick<Env, "TOKEN_ENCRYPTION_KEY" | "TOKEN_ENCRYPTION_KEY_PREVIOUS">,
  account: SocialAccount,
): Promise<string> {
  return openToken(
    env,
    { ciphertext: account.accessTokenCiphertext, iv: account.accessTokenIv, keyId: account.keyId },
    account.id,
  );
}

/**
 * Marks an account as needing a reconnect, with the reason Chris sees, and notifies him once per episode
 * (the dedupe key changes when the account is reconnected, since updatedAt moves).
 */
export async function markNeedsReconnect(db: Db, account: SocialAccount, reason: string): Promise<void> {
  const [updated] = await db
    .update(socialAccounts)
    .set({ status: "needs_reconnect", statusReason: reason, updatedAt: new Date() })
    .where(and(eq(socialAccounts.id, account.id), eq(socialAccounts.status, "connected")))
    .returning({ id: socialAccounts.id });
  if (!updated) return;
  await db
    .insert(notifications)
    .values({
      id: newId(),
      agentId: account.agentId,
      eventType: "account_needs_reconnect",
      title: `Reconnect your ${PLATFORM_LABELS[account.platform]}`,
      body: `${reason} Posts to ${account.displayName} wait until you reconnect in Settings › Social accounts.`,
      link: "/settings#social",
      dedupeKey: `account-reconnect:${account.id}:${account.updatedAt.getTime()}`,
    })
    .onConflictDoNothing();
}
