import { env } from "cloudflare:workers";
import { oauthStates, socialAccounts } from "db";
import { FACEBOOK_SCOPES } from "db/rules";
import { and, desc, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, inject, it, vi } from "vitest";
import { fakeGraphControl } from "../../tools/fake-graph/client.mjs";
import type { FakeGraphUserSpec } from "../../tools/fake-graph/server.mjs";
import { startAuthorization } from "../src/agents/social/oauth";
import { accountToken } from "../src/services/social-accounts";
import { db } from "./helpers/content";
import { APP_ORIGIN, PASSWORD, signedUpBrowser, TestBrowser } from "./helpers/http";

const graph = () => fakeGraphControl(inject("graphFakeUrl"));

type AccountView = {
  id: string;
  platform: "facebook" | "instagram";
  displayName: string;
  username: string | null;
  externalId: string;
  status: string;
  statusReason: string | null;
  declinedPermissions: string[];
};
type ListResult = {
  accounts: AccountView[];
  pageChoices: { pageId: string; name: string; instagramUsername: string | null }[];
};

// Every console line of a test, to prove no token is ever logged.
let logged: string[] = [];
beforeEach(() => {
  logged = [];
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(
        args.map((arg) => (arg instanceof Error ? `${arg.name} ${arg.message}` : String(arg))).join(" "),
      );
    });
  }
});
afterEach(() => vi.restoreAllMocks());

/** Asks the app for the dialog URL, plays Chris on the fake's consent page, and returns to the callback. */
async function viaDialog(
  browser: TestBrowser,
  userId: string,
  options: { decline?: string[]; cancel?: boolean; procedure?: string } = {},
) {
  const started = await browser.mutate<{ authorizationUrl: string | null }>(
    options.procedure ?? "socialAccounts.connectFacebook",
  );
  expect(started.error).toBeNull();
  const dialogUrl = started.data.authorizationUrl;
  if (!dialogUrl) throw new Error("no authorization URL");
  const answer = await graph().authorize(dialogUrl, {
    userId,
    decline: options.decline,
    cancel: options.cancel,
  });
  return { dialogUrl, callbackUrl: answer.location, shown: answer.shown };
}

async function callback(browser: TestBrowser, callbackUrl: string) {
  const url = new URL(callbackUrl);
  expect(url.origin).toBe(APP_ORIGIN);
  const response = await browser.fetch(`${url.pathname}${url.search}`, { redirect: "manual" });
  expect(response.status).toBe(302);
  return response.headers.get("Location") ?? "";
}

async function chrisWith(spec: FakeGraphUserSpec = {}) {
  const world = await graph().createUser(spec);
  const agent = await signedUpBrowser();
  return { world, ...agent };
}

const accountsOf = (agentId: string) =>
  db().select().from(socialAccounts).where(eq(socialAccounts.agentId, agentId));

async function storedTokens(agentId: string) {
  const rows = await accountsOf(agentId);
  const tokens = await Promise.all(
    rows.filter((row) => row.accessTokenCiphertext).map((row) => accountToken(env, row)),
  );
  return { rows, tokens };
}

/** Neither the list, nor a redirect, nor a log line carries a token or its ciphertext. */
function expectNoSecrets(texts: string[], secrets: string[]) {
  const haystack = [...texts, ...logged].join("\n");
  for (const secret of secrets.filter((value) => value.length > 8)) expect(haystack).not.toContain(secret);
}

describe("connectFacebook", () => {
  it("answers the login dialog URL with a hashed, session-bound state and PKCE S256", async () => {
    const { browser, agentId } = await signedUpBrowser();
    const started = await browser.mutate<{ authorizationUrl: string }>("socialAccounts.connectFacebook");
    const url = new URL(started.data.authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${inject("graphFakeUrl")}/v27.0/dialog/oauth`);
    expect(url.searchParams.get("client_id")).toBe("test-app");
    expect(url.searchParams.get("redirect_uri")).toBe(`${APP_ORIGIN}/api/oauth/facebook/callback`);
    expect(url.searchParams.get("response_type")).toBe("code");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get("scope")).toBe(FACEBOOK_SCOPES.join(","));
    expect(url.searchParams.has("config_id")).toBe(false);
    expect(url.searchParams.has("auth_type")).toBe(false);
    const state = url.searchParams.get("state") ?? "";
    expect(state.length).toBeGreaterThanOrEqual(32);
    const rows = await db().select().from(oauthStates).where(eq(oauthStates.agentId, agentId));
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row?.stateHash).not.toBe(state);
    expect(row?.purpose).toBe("facebook");
    expect(row?.usedAt).toBeNull();
    expect((row?.expiresAt.getTime() ?? 0) - Date.now()).toBeGreaterThan(9 * 60_000);
    expect((row?.expiresAt.getTime() ?? 0) - Date.now()).toBeLessThanOrEqual(10 * 60_000);
  });

  it("sends the Facebook Login for Business configuration instead of scopes when one is set", async () => {
    const { agentId } = await signedUpBrowser();
    const { authorizationUrl } = await startAuthorization(
      db(),
      { ...env, FACEBOOK_LOGIN_CONFIG_ID: "1234567890" },
      { agentId, sessionId: "session-x", origin: APP_ORIGIN, purpose: "facebook" },
    );
    const url = new URL(authorizationUrl);
    expect(url.searchParams.get("config_id")).toBe("1234567890");
    expect(url.searchParams.has("scope")).toBe(false);
  });

  it("needs a session", async () => {
    const res = await new TestBrowser().mutate("socialAccounts.connectFacebook");
    expect(res.error?.data.code).toBe("UNAUTHORIZED");
  });
});

describe("the OAuth callback", () => {
  it("connects the one Page end to end with a sealed Page token, never keeping the user token", async () => {
    const { world, browser, agentId } = await chrisWith({ name: "Chris Morgan" });
    const { callbackUrl } = await viaDialog(browser, world.user.id);
    const location = await callback(browser, callbackUrl);
    expect(location).toBe("/settings?social=connected#social");

    const { rows, tokens } = await storedTokens(agentId);
    expect(rows).toHaveLength(1);
    const [account] = rows;
    const page = world.pages[0];
    expect(account).toMatchObject({
      platform: "facebook",
      externalId: page?.id,
      pageId: page?.id,
      displayName: page?.name,
      metaUserId: world.user.id,
      status: "connected",
      statusReason: null,
    });
    expect(account?.scopes.split(",")).toEqual(
      expect.arrayContaining(["pages_manage_posts", "pages_show_list"]),
    );
    // The stored token is a Page token (Graph's /me answers the Page with it), sealed at rest.
    const [pageToken = ""] = tokens;
    const me = await graph()
      .graph({ token: pageToken, appSecret: "test-app-secret" })
      .get("me", { fields: "id" });
    expect(me.body.id).toBe(page?.id);
    expect(account?.accessTokenCiphertext).not.toContain(pageToken);

    // The user token only read: every call made with it is a GET, and no Graph write happened at all.
    const calls = await graph().calls({ userId: world.user.id });
    const userCalls = calls.filter(
      (call) => call.tokenKind === "user" && call.path !== "/oauth/access_token",
    );
    expect(userCalls.map((call) => call.path).sort()).toEqual(["/me", "/me/accounts", "/me/permissions"]);
    expect(userCalls.every((call) => call.method === "GET")).toBe(true);
    expect(calls.filter((call) => call.path === "/oauth/access_token")).toHaveLength(2);

    const list = await browser.query<ListResult>("socialAccounts.list");
    expect(list.data.accounts).toEqual([
      expect.objectContaining({ platform: "facebook", status: "connected", displayName: page?.name }),
    ]);
    expect(list.data.pageChoices).toEqual([]);
    const secrets = [
      pageToken,
      world.user.accessToken,
      page?.accessToken ?? "",
      account?.accessTokenCiphertext ?? "",
    ];
    expectNoSecrets([JSON.stringify(list.data), location, callbackUrl.replace(/code=[^&]+/, "")], secrets);
  });

  it("refuses a made-up or missing state and connects nothing", async () => {
    const { world, browser, agentId } = await chrisWith();
    const { callbackUrl } = await viaDialog(browser, world.user.id);
    const code = new URL(callbackUrl).searchParams.get("code") ?? "";
    for (const query of [`code=${code}&state=not-the-state`, `code=${code}`, "state="]) {
      const res = await browser.fetch(`/api/oauth/facebook/callback?${query}`, { redirect: "manual" });
      expect(res.headers.get("Location")).toBe("/settings?social=error&reason=state#social");
    }
    expect(await accountsOf(agentId)).toHaveLength(0);
  });

  it("refuses another session's state, which stays usable by the session that asked", async () => {
    const { world, browser, agentId, email } = await chrisWith();
    const { callbackUrl } = await viaDialog(browser, world.user.id);
    const intruder = await signedUpBrowser();
    expect(await callback(intruder.browser, callbackUrl)).toBe("/settings?social=error&reason=state#social");
    expect(await accountsOf(intruder.agentId)).toHaveLength(0);
    expect(await accountsOf(agentId)).toHaveLength(0);
    // The same agent signed in on another device is another session too.
    const otherDevice = new TestBrowser();
    const login = await otherDevice.mutate("auth.login", { email, password: PASSWORD });
    expect(login.error).toBeNull();
    expect(await callback(otherDevice, callbackUrl)).toBe("/settings?social=error&reason=state#social");
    expect(await accountsOf(agentId)).toHaveLength(0);
    expect(await callback(browser, callbackUrl)).toBe("/settings?social=connected#social");
  });

  it("refuses an expired state", async () => {
    const { world, browser, agentId } = await chrisWith();
    const { callbackUrl } = await viaDialog(browser, world.user.id);
    await db()
      .update(oauthStates)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(oauthStates.agentId, agentId));
    expect(await callback(browser, callbackUrl)).toBe("/settings?social=error&reason=expired#social");
    expect(await accountsOf(agentId)).toHaveLength(0);
  });

  it("uses a state once and a code once", async () => {
    const { world, browser, agentId } = await chrisWith();
    const first = await viaDialog(browser, world.user.id);
    expect(await callback(browser, first.callbackUrl)).toBe("/settings?social=connected#social");
    const before = await accountsOf(agentId);
    // The same callback again: the state is used.
    expect(await callback(browser, first.callbackUrl)).toBe("/settings?social=error&reason=state#social");
    // A fresh state with the old code: Facebook (the fake) refuses the used code.
    const fresh = await browser.mutate<{ authorizationUrl: string }>("socialAccounts.connectFacebook");
    const state = new URL(fresh.data.authorizationUrl).searchParams.get("state") ?? "";
    const code = new URL(first.callbackUrl).searchParams.get("code") ?? "";
    const replay = `${APP_ORIGIN}/api/oauth/facebook/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`;
    expect(await callback(browser, replay)).toBe("/settings?social=error&reason=exchange#social");
    expect(await accountsOf(agentId)).toEqual(before);
    expectNoSecrets([], [code]);
  });

  it("names a cancel as such and connects nothing", async () => {
    const { world, browser, agentId } = await chrisWith();
    const { callbackUrl } = await viaDialog(browser, world.user.id, { cancel: true });
    expect(new URL(callbackUrl).searchParams.get("error")).toBe("access_denied");
    expect(await callback(browser, callbackUrl)).toBe("/settings?social=error&reason=cancelled#social");
    expect(await accountsOf(agentId)).toHaveLength(0);
    // The state went with the cancel.
    expect(await callback(browser, callbackUrl)).toBe("/settings?social=error&reason=state#social");
  });

  it("sends a browser without a session to sign in, touching no state", async () => {
    const { world, browser, agentId } = await chrisWith();
    const { callbackUrl } = await viaDialog(browser, world.user.id);
    const url = new URL(callbackUrl);
    const anonymous = new TestBrowser();
    const res = await anonymous.fetch(`${url.pathname}${url.search}`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/login?redirect=%2Fsettings%23social");
    const [state] = await db().select().from(oauthStates).where(eq(oauthStates.agentId, agentId));
    expect(state?.usedAt).toBeNull();
  });

  it("connects nothing when no Page lets Chris create content", async () => {
    const { world, browser, agentId } = await chrisWith({
      pages: [{ name: "Read Only", tasks: ["ANALYZE"] }],
    });
    const { callbackUrl } = await viaDialog(browser, world.user.id);
    expect(await callback(browser, callbackUrl)).toBe("/settings?social=error&reason=no_pages#social");
    expect(await accountsOf(agentId)).toHaveLength(0);
  });

  it("reconnects the same Page in place after it needed reconnecting", async () => {
    const { world, browser, agentId } = await chrisWith();
    await callback(browser, (await viaDialog(browser, world.user.id)).callbackUrl);
    const [before] = await accountsOf(agentId);
    await db()
      .update(socialAccounts)
      .set({ status: "needs_reconnect", statusReason: "Facebook says the token expired." })
      .where(eq(socialAccounts.agentId, agentId));
    expect(await callback(browser, (await viaDialog(browser, world.user.id)).callbackUrl)).toBe(
      "/settings?social=connected#social",
    );
    const after = await accountsOf(agentId);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: before?.id, status: "connected", statusReason: null });
  });
});

describe("several Pages", () => {
  it("offers them to pick from, then connects the chosen one", async () => {
    const { world, browser, agentId } = await chrisWith({
      pages: [
        { name: "Chris Morgan Homes", instagram: { username: "chrismorganhomes" } },
        { name: "Lakeside Living", instagram: null },
        { name: "Only Analytics", tasks: ["ANALYZE"] },
      ],
    });
    const { callbackUrl } = await viaDialog(browser, world.user.id);
    expect(await callback(browser, callbackUrl)).toBe("/settings?social=choose#social");
    expect(await accountsOf(agentId)).toHaveLength(0);
    const list = await browser.query<ListResult>("socialAccounts.list");
    expect(list.data.accounts).toEqual([]);
    expect(list.data.pageChoices).toEqual([
      { pageId: world.pages[0]?.id, name: "Chris Morgan Homes", instagramUsername: "chrismorganhomes" },
      { pageId: world.pages[1]?.id, name: "Lakeside Living", instagramUsername: null },
    ]);
    expectNoSecrets(
      [JSON.stringify(list.data)],
      [world.user.accessToken, ...world.pages.map((p) => p.accessToken)],
    );

    const unknown = await browser.mutate("socialAccounts.selectPage", { pageId: world.pages[2]?.id });
    expect(unknown.error?.data.code).toBe("NOT_FOUND");
    const picked = await browser.mutate<AccountView>("socialAccounts.selectPage", {
      pageId: world.pages[1]?.id,
    });
    expect(picked.error).toBeNull();
    expect(picked.data).toMatchObject({
      platform: "facebook",
      displayName: "Lakeside Living",
      status: "connected",
    });
    expect(JSON.stringify(picked.data)).not.toMatch(/EAA/);

    const after = await browser.query<ListResult>("socialAccounts.list");
    expect(after.data.pageChoices).toEqual([]);
    const { tokens } = await storedTokens(agentId);
    const me = await graph()
      .graph({ token: tokens[0], appSecret: "test-app-secret" })
      .get("me", { fields: "id" });
    expect(me.body.id).toBe(world.pages[1]?.id);
    // The choice is gone once made.
    const again = await browser.mutate("socialAccounts.selectPage", { pageId: world.pages[0]?.id });
    expect(again.error?.data.code).toBe("NOT_FOUND");
  });

  it("checks the page id's shape", async () => {
    const { browser } = await signedUpBrowser();
    const res = await browser.mutate("socialAccounts.selectPage", { pageId: "1' or 1=1" });
    expect(res.error?.data.code).toBe("BAD_REQUEST");
  });
});

describe("connectInstagram", () => {
  it("connects the Instagram account linked to the Page, with its own sealed copy of the Page token", async () => {
    const { world, browser, agentId } = await chrisWith();
    await callback(browser, (await viaDialog(browser, world.user.id)).callbackUrl);
    const res = await browser.mutate<{ authorizationUrl: string | null; account: AccountView | null }>(
      "socialAccounts.connectInstagram",
    );
    expect(res.error).toBeNull();
    expect(res.data.authorizationUrl).toBeNull();
    expect(res.data.account).toMatchObject({
      platform: "instagram",
      displayName: "@chrismorganhomes",
      username: "chrismorganhomes",
      externalId: world.pages[0]?.instagram?.id,
      status: "connected",
    });
    const { rows, tokens } = await storedTokens(agentId);
    const facebook = rows.find((row) => row.platform === "facebook");
    const instagram = rows.find((row) => row.platform === "instagram");
    expect(instagram?.pageId).toBe(facebook?.externalId);
    expect(instagram?.accessTokenCiphertext).not.toBe(facebook?.accessTokenCiphertext);
    expect(new Set(tokens).size).toBe(1);
    const list = await browser.query<ListResult>("socialAccounts.list");
    expect(list.data.accounts.map((a) => [a.platform, a.status])).toEqual([
      ["facebook", "connected"],
      ["instagram", "connected"],
    ]);
    expectNoSecrets(
      [JSON.stringify(list.data), JSON.stringify(res.data)],
      [...tokens, world.user.accessToken],
    );
  });

  it("asks again (auth_type=rerequest) when Instagram's permission was declined, then connects", async () => {
    const { world, browser, agentId } = await chrisWith();
    const first = await viaDialog(browser, world.user.id, { decline: ["instagram_content_publish"] });
    expect(await callback(browser, first.callbackUrl)).toBe("/settings?social=connected#social");
    const list = await browser.query<ListResult>("socialAccounts.list");
    expect(list.data.accounts[0]?.declinedPermissions).toContain("instagram_content_publish");

    const asked = await browser.mutate<{ authorizationUrl: string | null; account: null }>(
      "socialAccounts.connectInstagram",
    );
    expect(asked.data.account).toBeNull();
    const dialog = new URL(asked.data.authorizationUrl ?? "");
    expect(dialog.searchParams.get("auth_type")).toBe("rerequest");
    const [state] = await db()
      .select()
      .from(oauthStates)
      .where(and(eq(oauthStates.agentId, agentId)))
      .orderBy(desc(oauthStates.createdAt))
      .limit(1);
    expect(state?.purpose).toBe("instagram");

    const again = await graph().authorize(asked.data.authorizationUrl ?? "", { userId: world.user.id });
    expect(again.shown).toContain("instagram_content_publish");
    expect(await callback(browser, again.location)).toBe("/settings?social=connected#social");
    const after = await browser.query<ListResult>("socialAccounts.list");
    expect(after.data.accounts.map((a) => [a.platform, a.status, a.declinedPermissions])).toEqual([
      ["facebook", "connected", []],
      ["instagram", "connected", []],
    ]);
  });

  it("names the permission still declined after the re-consent", async () => {
    const { world, browser } = await chrisWith();
    await callback(
      browser,
      (await viaDialog(browser, world.user.id, { decline: ["instagram_basic"] })).callbackUrl,
    );
    const second = await viaDialog(browser, world.user.id, {
      procedure: "socialAccounts.connectInstagram",
      decline: ["instagram_basic"],
    });
    expect(await callback(browser, second.callbackUrl)).toBe(
      "/settings?social=error&reason=instagram_declined#social",
    );
    const list = await browser.query<ListResult>("socialAccounts.list");
    expect(list.data.accounts.map((a) => a.platform)).toEqual(["facebook"]);
    expect(list.data.accounts[0]?.declinedPermissions).toEqual(["instagram_basic"]);
  });

  it("says how to link an Instagram account when the Page has none", async () => {
    const { world, browser } = await chrisWith({ pages: [{ name: "No Instagram Homes", instagram: null }] });
    await callback(browser, (await viaDialog(browser, world.user.id)).callbackUrl);
    const res = await browser.mutate("socialAccounts.connectInstagram");
    expect(res.error?.data.code).toBe("BAD_REQUEST");
    expect(res.error?.message).toContain("Meta Business Suite");
    expect(res.error?.message).toContain("Settings > Accounts > Instagram accounts");
  });

  it("needs a connected Facebook Page first", async () => {
    const { browser } = await signedUpBrowser();
    const res = await browser.mutate("socialAccounts.connectInstagram");
    expect(res.error?.data.code).toBe("BAD_REQUEST");
    expect(res.error?.message).toMatch(/Connect your Facebook Page first/);
  });
});

describe("disconnect", () => {
  it("deletes the token, keeps the row as disconnected, and only for the agent's own accounts", async () => {
    const { world, browser, agentId } = await chrisWith();
    await callback(browser, (await viaDialog(browser, world.user.id)).callbackUrl);
    const [account] = await accountsOf(agentId);
    const stranger = await signedUpBrowser();
    const refused = await stranger.browser.mutate("socialAccounts.disconnect", { id: account?.id });
    expect(refused.error?.data.code).toBe("NOT_FOUND");
    const res = await browser.mutate<AccountView>("socialAccounts.disconnect", { id: account?.id });
    expect(res.data).toMatchObject({ id: account?.id, status: "disconnected" });
    const [row] = await accountsOf(agentId);
    expect([row?.accessTokenCiphertext, row?.accessTokenIv, row?.keyId, row?.status]).toEqual([
      "",
      "",
      "",
      "disconnected",
    ]);
    const list = await browser.query<ListResult>("socialAccounts.list");
    expect(list.data.accounts).toEqual([
      expect.objectContaining({ id: account?.id, status: "disconnected" }),
    ]);
  });
});
