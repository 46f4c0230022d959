// What a Facebook grant connects: the long-lived user token reads who granted what and which Pages came
// with it; only the Page tokens are kept (sealed), never the user token. One Page is connected at once;
// several become page choices for Chris to pick from. Instagram comes through the Page it is linked to.
import { pageChoices, socialAccounts } from "db";
import { INSTAGRAM_PUBLISH_SCOPES } from "db/rules";
import { and, eq, ne } from "drizzle-orm";
import type { Db } from "../../lib/db";
import { ServiceError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { openToken, sealToken } from "../../lib/token-crypto";
import {
  accountToken,
  activeAccount,
  markNeedsReconnect,
  type SocialAccount,
} from "../../services/social-accounts";
import { GraphClient, GraphError } from "./graph";
import { exchangeForLongLived, OAuthError, type OAuthPurpose } from "./oauth";
import { resumeAfterReconnect } from "./publisher";

type ConnectEnv = Env;

/** Why a connect ended without an account, as the settings page names it. */
export type ConnectFailure = "no_pages" | "graph" | "instagram_declined" | "no_instagram";
export type ConnectOutcome = { result: "connected" | "choose" } | { result: "error"; reason: ConnectFailure };

type PermissionEntry = { permission: string; status: string };
type PageEntry = {
  id: string;
  name: string;
  access_token?: string;
  tasks?: string[];
  instagram_business_account?: { id: string; username?: string };
};

/** A Page as the grant offered it, with its token still in the clear (only in memory). */
export type GrantedPage = {
  id: string;
  name: string;
  token: string;
  instagram: { id: string; username: string | null } | null;
};

export type Grant = { metaUserId: string; granted: string[]; declined: string[] };

// Posting needs one of these Page tasks (Meta: CREATE_CONTENT, or MANAGE which includes it).
const POSTING_TASKS = ["CREATE_CONTENT", "MANAGE"];
const MAX_PAGES_READ = 5;

export const hasInstagramScopes = (scopes: readonly string[]) =>
  INSTAGRAM_PUBLISH_SCOPES.every((scope) => scopes.includes(scope));

const splitScopes = (value: string) => value.split(",").filter(Boolean);

/** The sealed-token additional data of a page choice: it has no id of its own. */
export const pageChoiceRowId = (agentId: string, pageId: string) => `page-choice:${agentId}:${pageId}`;

/** Reads what a (short-lived) user token was granted and which Pages it may post to. */
export async function readGrant(
  env: ConnectEnv,
  userToken: string,
): Promise<{ grant: Grant; pages: GrantedPage[] }> {
  const longLived = await exchangeForLongLived(env, userToken);
  const graph = new GraphClient(env, { timeoutMs: 15_000 });
  const me = await graph.get<{ id: string }>("me", { fields: "id" }, longLived);
  const permissions = await graph.get<{ data?: PermissionEntry[] }>("me/permissions", {}, longLived);
  const entries = permissions.data.data ?? [];
  const grant: Grant = {
    metaUserId: me.data.id,
    granted: entries.filter((p) => p.status === "granted").map((p) => p.permission),
    declined: entries.filter((p) => p.status !== "granted").map((p) => p.permission),
  };
  const pages: GrantedPage[] = [];
  let after: string | undefined;
  for (let read = 0; read < MAX_PAGES_READ; read++) {
    const { data } = await graph.get<{
      data?: PageEntry[];
      paging?: { cursors?: { after?: string }; next?: string };
    }>(
      "me/accounts",
      {
        fields: "id,name,access_token,tasks,instagram_business_account{id,username}",
        limit: 100,
        after,
      },
      longLived,
    );
    for (const page of data.data ?? []) {
      if (!page.access_token || !page.tasks?.some((task) => POSTING_TASKS.includes(task))) continue;
      const ig = page.instagram_business_account;
      pages.push({
        id: page.id,
        name: page.name,
        token: page.access_token,
        instagram: ig?.id ? { id: ig.id, username: ig.username ?? null } : null,
      });
    }
    after = data.paging?.next ? data.paging.cursors?.after : undefined;
    if (!after) break;
  }
  return { grant, pages };
}

const emptyToken = { accessTokenCiphertext: "", accessTokenIv: "", keyId: "" };

/**
 * Connects `page` as the agent's Facebook Page (a reconnect of the same Page updates its row). Another Page
 * connected before, and Instagram accounts of other Pages, are disconnected: one Page per agent. The
 * Instagram account of this Page gets the new token too when the grant still covers it.
 */
export async function connectPage(
  db: Db,
  env: ConnectEnv,
  agentId: string,
  page: GrantedPage,
  grant: Grant,
): Promise<SocialAccount> {
  const now = new Date();
  const existing = await db.select().from(socialAccounts).where(eq(socialAccounts.agentId, agentId));
  const same = existing.find((row) => row.platform === "facebook" && row.externalId === page.id);
  const id = same?.id ?? newId();
  const sealed = await sealToken(env, page.token, id);
  const values = {
    displayName: page.name,
    pageId: page.id,
    metaUserId: grant.metaUserId,
    accessTokenCiphertext: sealed.ciphertext,
    accessTokenIv: sealed.iv,
    keyId: sealed.keyId,
    tokenExpiresAt: null,
    scopes: grant.granted.join(","),
    declinedScopes: grant.declined.join(","),
    status: "connected" as const,
    statusReason: null,
    updatedAt: now,
  };
  const writes = [];
  writes.push(
    same
      ? db.update(socialAccounts).set(values).where(eq(socialAccounts.id, id))
      : db
          .insert(socialAccounts)
          .values({ id, agentId, platform: "facebook", externalId: page.id, ...values }),
  );
  for (const row of existing) {
    if (row.status === "disconnected" || row.id === id) continue;
    const otherPage = row.platform === "facebook" || row.pageId !== page.id;
    if (otherPage) {
      writes.push(
        db
          .update(socialAccounts)
          .set({
            ...emptyToken,
            status: "disconnected",
            statusReason: `Replaced by ${page.name}.`,
            updatedAt: now,
          })
          .where(eq(socialAccounts.id, row.id)),
      );
      continue;
    }
    // This Page's Instagram account: keep it working with the fresh Page token if it is still linked.
    if (page.instagram?.id === row.externalId && hasInstagramScopes(grant.granted)) {
      const igSealed = await sealToken(env, page.token, row.id);
      writes.push(
        db
          .update(socialAccounts)
          .set({
            accessTokenCiphertext: igSealed.ciphertext,
            accessTokenIv: igSealed.iv,
            keyId: igSealed.keyId,
            metaUserId: grant.metaUserId,
            username: page.instagram.username ?? row.username,
            scopes: values.scopes,
            declinedScopes: values.declinedScopes,
            status: "connected",
            statusReason: null,
            updatedAt: now,
          })
          .where(eq(socialAccounts.id, row.id)),
      );
    }
  }
  writes.push(db.delete(pageChoices).where(eq(pageChoices.agentId, agentId)));
  const [first, ...rest] = writes;
  if (first) await db.batch([first, ...rest]);
  const [account] = await db.select().from(socialAccounts).where(eq(socialAccounts.id, id));
  if (!account) throw new Error("connected account row is missing");
  return account;
}

/** Keeps the Pages of a grant that named several, sealed, until Chris picks one. */
async function offerPageChoices(
  db: Db,
  env: ConnectEnv,
  agentId: string,
  pages: GrantedPage[],
  grant: Grant,
) {
  const rows = await Promise.all(
    pages.map(async (page) => {
      const sealed = await sealToken(env, page.token, pageChoiceRowId(agentId, page.id));
      return {
        agentId,
        pageId: page.id,
        name: page.name,
        instagramId: page.instagram?.id ?? null,
        instagramUsername: page.instagram?.username ?? null,
        metaUserId: grant.metaUserId,
        scopes: grant.granted.join(","),
        declinedScopes: grant.declined.join(","),
        accessTokenCiphertext: sealed.ciphertext,
        accessTokenIv: sealed.iv,
        keyId: sealed.keyId,
      };
    }),
  );
  await db.batch([
    db.delete(pageChoices).where(eq(pageChoices.agentId, agentId)),
    ...rows.map((row) => db.insert(pageChoices).values(row)),
  ]);
}

/**
 * Connects (or refreshes) the Instagram professional account linked to the agent's Page. Instagram
 * publishes with the Page token, so the account row holds its own sealed copy of it.
 */
export async function connectInstagramAccount(
  db: Db,
  env: ConnectEnv,
  facebook: SocialAccount,
  pageToken: string,
  instagram: { id: string; username: string | null },
): Promise<SocialAccount> {
  const now = new Date();
  const rows = await db
    .select()
    .from(socialAccounts)
    .where(and(eq(socialAccounts.agentId, facebook.agentId), eq(socialAccounts.platform, "instagram")));
  const same = rows.find((row) => row.externalId === instagram.id);
  const id = same?.id ?? newId();
  const sealed = await sealToken(env, pageToken, id);
  const username = instagram.username ?? same?.username ?? null;
  const values = {
    displayName: username ? `@${username}` : "Instagram account",
    username,
    pageId: facebook.externalId,
    metaUserId: facebook.metaUserId,
    accessTokenCiphertext: sealed.ciphertext,
    accessTokenIv: sealed.iv,
    keyId: sealed.keyId,
    scopes: facebook.scopes,
    declinedScopes: facebook.declinedScopes,
    status: "connected" as const,
    statusReason: null,
    updatedAt: now,
  };
  const writes = [];
  writes.push(
    same
      ? db.update(socialAccounts).set(values).where(eq(socialAccounts.id, id))
      : db.insert(socialAccounts).values({
          id,
          agentId: facebook.agentId,
          platform: "instagram",
          externalId: instagram.id,
          ...values,
        }),
  );
  // One Instagram account per agent: another one connected before is let go.
  writes.push(
    db
      .update(socialAccounts)
      .set({
        ...emptyToken,
        status: "disconnected",
        statusReason: `Replaced by ${values.displayName}.`,
        updatedAt: now,
      })
      .where(
        and(
          eq(socialAccounts.agentId, facebook.agentId),
          eq(socialAccounts.platform, "instagram"),
          ne(socialAccounts.id, id),
          ne(socialAccounts.status, "disconnected"),
        ),
      ),
  );
  const [first, ...rest] = writes;
  if (first) await db.batch([first, ...rest]);
  const [account] = await db.select().from(socialAccounts).where(eq(socialAccounts.id, id));
  if (!account) throw new Error("connected account row is missing");
  return account;
}

/**
 * The callback's work once the code is exchanged: what the grant connects. For an Instagram re-consent the
 * Page already connected is refreshed and its Instagram account connected in the same step.
 */
export async function completeConnect(
  db: Db,
  env: ConnectEnv,
  input: { agentId: string; userToken: string; purpose: OAuthPurpose },
): Promise<ConnectOutcome> {
  let granted: Awaited<ReturnType<typeof readGrant>>;
  try {
    granted = await readGrant(env, input.userToken);
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    if (error instanceof GraphError) return { result: "error", reason: "graph" };
    throw error;
  }
  const { grant, pages } = granted;
  if (pages.length === 0) return { result: "error", reason: "no_pages" };
  const current = await activeAccount(db, input.agentId, "facebook");
  const chosen =
    pages.length === 1 ? pages[0] : pages.find((page) => current && page.id === current.externalId);
  if (!chosen) {
    await offerPageChoices(db, env, input.agentId, pages, grant);
    return { result: "choose" };
  }
  const facebook = await connectPage(db, env, input.agentId, chosen, grant);
  if (input.purpose !== "instagram") return { result: "connected" };
  if (!hasInstagramScopes(grant.granted)) return { result: "error", reason: "instagram_declined" };
  if (!chosen.instagram) return { result: "error", reason: "no_instagram" };
  await connectInstagramAccount(db, env, facebook, chosen.token, chosen.instagram);
  return { result: "connected" };
}

/** Chris's pick among the Pages of the last grant; the other choices are dropped. */
export async function selectPage(
  db: Db,
  env: ConnectEnv,
  agentId: string,
  pageId: string,
): Promise<SocialAccount> {
  const [choice] = await db
    .select()
    .from(pageChoices)
    .where(and(eq(pageChoices.agentId, agentId), eq(pageChoices.pageId, pageId)));
  if (!choice)
    throw new ServiceError(
      "NOT_FOUND",
      "That Page is not among the Pages to choose from. Connect Facebook again.",
    );
  const token = await openToken(
    env,
    { ciphertext: choice.accessTokenCiphertext, iv: choice.accessTokenIv, keyId: choice.keyId },
    pageChoiceRowId(agentId, pageId),
  );
  return connectPage(
    db,
    env,
    agentId,
    {
      id: choice.pageId,
      name: choice.name,
      token,
      instagram: choice.instagramId ? { id: choice.instagramId, username: choice.instagramUsername } : null,
    },
    {
      metaUserId: choice.metaUserId ?? "",
      granted: splitScopes(choice.scopes),
      declined: splitScopes(choice.declinedScopes),
    },
  );
}

export const NO_INSTAGRAM_MESSAGE =
  "Your Facebook Page has no Instagram professional account linked. In Meta Business Suite, open Settings > " +
  "Accounts > Instagram accounts, connect your Instagram account to the Page (it must be a business or " +
  "creator account), then try again.";

/**
 * `socialAccounts.connectInstagram`: the account linked to the connected Page, or a re-consent URL when
 * the grant lacks Instagram's permissions (`startReconsent` makes it).
 */
export async function connectInstagram(
  db: Db,
  env: ConnectEnv,
  agentId: string,
  startReconsent: () => Promise<{ authorizationUrl: string }>,
): Promise<{ authorizationUrl: string | null; account: SocialAccount | null }> {
  const facebook = await activeAccount(db, agentId, "facebook");
  if (facebook?.status !== "connected")
    throw new ServiceError(
      "BAD_REQUEST",
      facebook ? "Reconnect your Facebook Page first." : "Connect your Facebook Page first.",
    );
  if (!hasInstagramScopes(splitScopes(facebook.scopes))) {
    return { authorizationUrl: (await startReconsent()).authorizationUrl, account: null };
  }
  const pageToken = await accountToken(env, facebook);
  let linked: { id: string; username?: string } | undefined;
  try {
    const { data } = await new GraphClient(env, { timeoutMs: 15_000 }).get<{
      instagram_business_account?: { id: string; username?: string };
    }>(facebook.externalId, { fields: "instagram_business_account{id,username}" }, pageToken);
    linked = data.instagram_business_account;
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    if (error.kind === "reconnect") {
      await markNeedsReconnect(env, db, facebook, "Facebook no longer accepts the connection to your Page.");
      throw new ServiceError(
        "BAD_REQUEST",
        "Facebook no longer accepts the connection. Reconnect your Page first.",
      );
    }
    throw new ServiceError("BAD_GATEWAY", "Facebook could not be reached. Try again in a minute.");
  }
  if (!linked?.id) throw new ServiceError("BAD_REQUEST", NO_INSTAGRAM_MESSAGE);
  const account = await connectInstagramAccount(db, env, facebook, pageToken, {
    id: linked.id,
    username: linked.username ?? null,
  });
  return { authorizationUrl: null, account };
}

/**
 * After a (re)connect, posts held for it go again. A failure here must not undo the connect: the cron
 * sweeper picks the posts up later.
 */
export async function resumeAfterConnect(env: ConnectEnv, agentId: string): Promise<void> {
  try {
    await resumeAfterReconnect(env, agentId);
  } catch (error) {
    console.error(
      "resuming posts after reconnect failed",
      error instanceof Error ? error.name : typeof error,
    );
  }
}
