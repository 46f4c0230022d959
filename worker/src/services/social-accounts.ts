// The connected Facebook Page and Instagram account of an agent, and their Page token. Shared by the
// connect flow (socialAccounts router, OAuth callback) and the publishing engine. The token is decrypted
// only here and handed straight to the Graph client; it is never returned by a procedure or logged.
import { PLATFORM_LABELS, pageChoices, type SocialPlatform, socialAccounts } from "db";
import { SOCIAL_PLATFORMS } from "db/rules";
import { and, eq } from "drizzle-orm";
import type { Db } from "../lib/db";
import { ServiceError } from "../lib/errors";
import { openToken } from "../lib/token-crypto";
import { notify } from "./notify";

export type SocialAccount = typeof socialAccounts.$inferSelect;

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
export async function markNeedsReconnect(
  env: Env,
  db: Db,
  account: SocialAccount,
  reason: string,
): Promise<void> {
  const [updated] = await db
    .update(socialAccounts)
    .set({ status: "needs_reconnect", statusReason: reason, updatedAt: new Date() })
    .where(and(eq(socialAccounts.id, account.id), eq(socialAccounts.status, "connected")))
    .returning({ id: socialAccounts.id });
  if (!updated) return;
  await notify(env, {
    agentId: account.agentId,
    event: "account_needs_reconnect",
    title: `Reconnect your ${PLATFORM_LABELS[account.platform]}`,
    body: `${reason} Posts to ${account.displayName} wait until you reconnect in Settings › Social accounts.`,
    link: "/settings#social",
    dedupeKey: `account-reconnect:${account.id}:${account.updatedAt.getTime()}`,
  });
}

/** An account as Settings › Social accounts shows it: never a token or its ciphertext. */
export type SocialAccountView = {
  id: string;
  platform: SocialPlatform;
  displayName: string;
  username: string | null;
  externalId: string;
  pageId: string;
  status: SocialAccount["status"];
  statusReason: string | null;
  declinedPermissions: string[];
  connectedAt: number;
  updatedAt: number;
};

export type PageChoiceView = { pageId: string; name: string; instagramUsername: string | null };

export function accountView(row: SocialAccount): SocialAccountView {
  return {
    id: row.id,
    platform: row.platform,
    displayName: row.displayName,
    username: row.username,
    externalId: row.externalId,
    pageId: row.pageId,
    status: row.status,
    statusReason: row.statusReason,
    declinedPermissions: row.declinedScopes.split(",").filter(Boolean),
    connectedAt: row.createdAt.getTime(),
    updatedAt: row.updatedAt.getTime(),
  };
}

/**
 * Per platform the account in use (connected or needing a reconnect), else the one disconnected last, so
 * Chris sees what he had; plus the Pages of a grant waiting for his pick.
 */
export async function listAccountViews(
  db: Db,
  agentId: string,
): Promise<{ accounts: SocialAccountView[]; pageChoices: PageChoiceView[] }> {
  const [rows, choices] = await Promise.all([
    db.select().from(socialAccounts).where(eq(socialAccounts.agentId, agentId)),
    db
      .select({
        pageId: pageChoices.pageId,
        name: pageChoices.name,
        instagramUsername: pageChoices.instagramUsername,
      })
      .from(pageChoices)
      .where(eq(pageChoices.agentId, agentId)),
  ]);
  const accounts: SocialAccountView[] = [];
  for (const platform of SOCIAL_PLATFORMS) {
    const mine = rows
      .filter((row) => row.platform === platform)
      .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
    const shown = mine.find((row) => row.status !== "disconnected") ?? mine[0];
    if (shown) accounts.push(accountView(shown));
  }
  return { accounts, pageChoices: choices.sort((a, b) => a.name.localeCompare(b.name)) };
}

/** Deletes the account's token and marks it disconnected; its posts stay. */
export async function disconnectAccount(db: Db, agentId: string, id: string): Promise<SocialAccountView> {
  const [row] = await db
    .update(socialAccounts)
    .set({
      accessTokenCiphertext: "",
      accessTokenIv: "",
      keyId: "",
      status: "disconnected",
      statusReason: null,
      updatedAt: new Date(),
    })
    .where(and(eq(socialAccounts.id, id), eq(socialAccounts.agentId, agentId)))
    .returning();
  if (!row) throw new ServiceError("NOT_FOUND", "No such social account.");
  return accountView(row);
}
