// Facebook Login (classic, authorization code + PKCE) with oauth4webapi. Facebook publishes no discovery
// document for it, so the authorization server is described by hand. The state is random, stored only as
// its SHA-256, bound to the session that asked, valid 10 minutes and used once.
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";
import { oauthStates } from "db";
import { FACEBOOK_SCOPES } from "db/rules";
import { and, eq, gt, isNull, lt, or } from "drizzle-orm";
import * as oauth from "oauth4webapi";
import type { Db } from "../../lib/db";
import { graphBaseUrl } from "./graph";

export type OAuthEnv = Pick<
  Env,
  | "FACEBOOK_OAUTH_URL"
  | "GRAPH_API_URL"
  | "GRAPH_API_VERSION"
  | "FACEBOOK_APP_ID"
  | "FACEBOOK_APP_SECRET"
  | "FACEBOOK_LOGIN_CONFIG_ID"
>;

export type OAuthPurpose = "facebook" | "instagram";

export const STATE_TTL_MS = 10 * 60_000;
export const CALLBACK_PATH = "/api/oauth/facebook/callback";

/** Why a callback was refused, as the settings page names it (a fixed list: never the request's words). */
export type OAuthRefusal = "state" | "expired" | "cancelled" | "exchange";

export class OAuthError extends Error {
  constructor(readonly reason: OAuthRefusal) {
    super(`Facebook sign-in refused (${reason})`);
    this.name = "OAuthError";
  }
}

const hashState = (state: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(state)));

export function facebookAuthorizationServer(env: OAuthEnv): oauth.AuthorizationServer {
  const dialogBase = env.FACEBOOK_OAUTH_URL.replace(/\/+$/, "");
  return {
    issuer: dialogBase,
    authorization_endpoint: `${dialogBase}/${env.GRAPH_API_VERSION || "v27.0"}/dialog/oauth`,
    token_endpoint: `${graphBaseUrl(env)}/oauth/access_token`,
  };
}

const facebookClient = (env: OAuthEnv): oauth.Client => ({ client_id: env.FACEBOOK_APP_ID });

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Plain http is allowed only to a fake on this machine (development and tests), never elsewhere. */
export function tokenRequestOptions(url: string): oauth.TokenEndpointRequestOptions {
  const parsed = new URL(url);
  return parsed.protocol === "http:" && LOOPBACK.has(parsed.hostname)
    ? { [oauth.allowInsecureRequests]: true }
    : {};
}

export const redirectUriFor = (origin: string) => `${origin}${CALLBACK_PATH}`;

/**
 * Starts a login: stores the state (hashed) with its PKCE verifier and answers the dialog URL. `rerequest`
 * asks again for permissions Chris declined (Facebook otherwise skips them silently).
 */
export async function startAuthorization(
  db: Db,
  env: OAuthEnv,
  input: { agentId: string; sessionId: string; origin: string; purpose: OAuthPurpose; rerequest?: boolean },
  now = Date.now(),
): Promise<{ authorizationUrl: string }> {
  const as = facebookAuthorizationServer(env);
  const state = oauth.generateRandomState();
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
  // Old rows of this agent are dropped as new ones come: nothing else reads them.
  await db
    .delete(oauthStates)
    .where(
      and(
        eq(oauthStates.agentId, input.agentId),
        or(lt(oauthStates.expiresAt, new Date(now - STATE_TTL_MS)), lt(oauthStates.usedAt, new Date(now))),
      ),
    );
  await db.insert(oauthStates).values({
    stateHash: hashState(state),
    agentId: input.agentId,
    sessionId: input.sessionId,
    purpose: input.purpose,
    codeVerifier,
    expiresAt: new Date(now + STATE_TTL_MS),
  });
  const url = new URL(as.authorization_endpoint as string);
  url.searchParams.set("client_id", env.FACEBOOK_APP_ID);
  url.searchParams.set("redirect_uri", redirectUriFor(input.origin));
  url.searchParams.set("response_type", "code");
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", codeChallenge);
  url.searchParams.set("code_challenge_method", "S256");
  if (env.FACEBOOK_LOGIN_CONFIG_ID) url.searchParams.set("config_id", env.FACEBOOK_LOGIN_CONFIG_ID);
  else url.searchParams.set("scope", FACEBOOK_SCOPES.join(","));
  if (input.rerequest) url.searchParams.set("auth_type", "rerequest");
  return { authorizationUrl: url.toString() };
}

export type ConsumedState = { agentId: string; purpose: OAuthPurpose; codeVerifier: string };

/**
 * Marks the state used, in one conditional update, if it is this session's, unexpired and unused; a second
 * callback with it (or a concurrent one) finds it used. Another session's state stays usable by its owner.
 */
export async function consumeState(
  db: Db,
  state: string,
  sessionId: string,
  now = Date.now(),
): Promise<ConsumedState> {
  const stateHash = hashState(state);
  const [row] = await db
    .update(oauthStates)
    .set({ usedAt: new Date(now) })
    .where(
      and(
        eq(oauthStates.stateHash, stateHash),
        eq(oauthStates.sessionId, sessionId),
        isNull(oauthStates.usedAt),
        gt(oauthStates.expiresAt, new Date(now)),
      ),
    )
    .returning({
      agentId: oauthStates.agentId,
      purpose: oauthStates.purpose,
      codeVerifier: oauthStates.codeVerifier,
    });
  if (row) return row;
  const [known] = await db
    .select({ sessionId: oauthStates.sessionId, usedAt: oauthStates.usedAt })
    .from(oauthStates)
    .where(eq(oauthStates.stateHash, stateHash));
  const expired = known && known.sessionId === sessionId && !known.usedAt;
  throw new OAuthError(expired ? "expired" : "state");
}

/**
 * The callback's code for a (short-lived) user token. oauth4webapi checks the response (state, error,
 * token_type); its errors can quote the token response, so none of them leaves this function.
 */
export async function exchangeCode(
  env: OAuthEnv,
  input: { params: URLSearchParams; state: string; codeVerifier: string; origin: string },
): Promise<string> {
  const as = facebookAuthorizationServer(env);
  const client = facebookClient(env);
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, client, input.params, input.state);
  } catch (error) {
    throw new OAuthError(error instanceof oauth.AuthorizationResponseError ? "cancelled" : "state");
  }
  try {
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.ClientSecretPost(env.FACEBOOK_APP_SECRET),
      params,
      redirectUriFor(input.origin),
      input.codeVerifier,
      tokenRequestOptions(as.token_endpoint as string),
    );
    const result = await oauth.processAuthorizationCodeResponse(as, client, response);
    return result.access_token;
  } catch {
    throw new OAuthError("exchange");
  }
}

/**
 * A short-lived user token for a long-lived one (`fb_exchange_token`, about 60 days): Page tokens read with
 * a long-lived user token do not expire.
 */
export async function exchangeForLongLived(env: OAuthEnv, userToken: string): Promise<string> {
  const as = facebookAuthorizationServer(env);
  const client = facebookClient(env);
  try {
    const response = await oauth.genericTokenEndpointRequest(
      as,
      client,
      oauth.ClientSecretPost(env.FACEBOOK_APP_SECRET),
      "fb_exchange_token",
      { fb_exchange_token: userToken },
      tokenRequestOptions(as.token_endpoint as string),
    );
    const result = await oauth.processGenericTokenEndpointResponse(as, client, response);
    return result.access_token;
  } catch {
    throw new OAuthError("exchange");
  }
}
