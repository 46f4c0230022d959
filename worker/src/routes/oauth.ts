import { Hono } from "hono";
import { completeConnect, resumeAfterConnect } from "../agents/social/connect";
import {
  dataDeletionStatus,
  recordDataDeletion,
  revokeMetaUser,
  verifySignedRequest,
} from "../agents/social/meta-callbacks";
import { consumeState, exchangeCode, OAuthError } from "../agents/social/oauth";
import { createDb } from "../lib/db";
import { readSessionToken, sessionCookie, validateSessionToken } from "../services/auth/sessions";

const appOrigin = (env: Env, request: Request) => env.APP_ORIGIN || new URL(request.url).origin;

const settingsUrl = (query: string) => `/settings?${query}#social`;

/**
 * GET /api/oauth/facebook/callback?code&state: where Facebook's login dialog sends the browser. The state
 * must be one this session asked for in the last 10 minutes and not used yet; anything else connects
 * nothing. The outcome goes back to Settings › Social accounts as a fixed reason code, never the request's
 * own words.
 */
export const oauthApp = new Hono<{ Bindings: Env }>().get("/facebook/callback", async (c) => {
  const db = createDb(c.env.DB);
  const token = readSessionToken(c.req.header("Cookie") ?? null);
  const auth = token ? await validateSessionToken(db, token) : null;
  if (!token || !auth) return c.redirect(`/login?redirect=${encodeURIComponent("/settings#social")}`, 302);
  if (auth.session.refreshed) c.header("Set-Cookie", sessionCookie(token, auth.session.expiresAt));
  const params = new URL(c.req.url).searchParams;
  const state = params.get("state");
  try {
    if (!state) throw new OAuthError("state");
    const consumed = await consumeState(db, state, auth.session.id);
    if (params.has("error")) throw new OAuthError("cancelled");
    const userToken = await exchangeCode(c.env, {
      params,
      state,
      codeVerifier: consumed.codeVerifier,
      origin: appOrigin(c.env, c.req.raw),
    });
    const outcome = await completeConnect(db, c.env, {
      agentId: auth.agent.id,
      userToken,
      purpose: consumed.purpose,
    });
    if (outcome.result === "error")
      return c.redirect(settingsUrl(`social=error&reason=${outcome.reason}`), 302);
    if (outcome.result === "connected") await resumeAfterConnect(c.env, auth.agent.id);
    return c.redirect(settingsUrl(`social=${outcome.result === "choose" ? "choose" : "connected"}`), 302);
  } catch (error) {
    if (error instanceof OAuthError)
      return c.redirect(settingsUrl(`social=error&reason=${error.reason}`), 302);
    // Only the error's kind: a message could one day quote a request or a response.
    console.error("facebook callback failed", error instanceof Error ? error.name : typeof error);
    return c.redirect(settingsUrl("social=error&reason=failed"), 302);
  }
});

// A signed_request is well under 1 KiB; anything much larger is not Meta's.
const MAX_CALLBACK_BYTES = 16_384;

async function signedRequestOf(request: Request): Promise<string> {
  if (Number(request.headers.get("Content-Length") ?? 0) > MAX_CALLBACK_BYTES) return "";
  const type = request.headers.get("Content-Type") ?? "";
  if (!type.includes("application/x-www-form-urlencoded") && !type.includes("multipart/form-data")) return "";
  try {
    const value = (await request.formData()).get("signed_request");
    return typeof value === "string" ? value : "";
  } catch {
    return "";
  }
}

const escapeHtml = (value: string) =>
  value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");

function statusPage(title: string, paragraphs: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head>
<body><main><h1>${escapeHtml(title)}</h1>
${paragraphs.map((text) => `<p>${escapeHtml(text)}</p>`).join("\n")}
</main></body></html>`;
}

/**
 * Meta's server-to-server callbacks (Facebook Login settings: "Deauthorize callback URL" and "Data deletion
 * request URL"). They come without our Origin, so app.ts mounts them ahead of the CSRF guard: the signed
 * request is their authentication.
 */
export const metaApp = new Hono<{ Bindings: Env }>()
  .post("/deauthorize", async (c) => {
    const payload = await verifySignedRequest(c.env.FACEBOOK_APP_SECRET, await signedRequestOf(c.req.raw));
    if (!payload) return c.json({ error: "Invalid signed_request" }, 400);
    await revokeMetaUser(createDb(c.env.DB), payload.user_id);
    return c.json({ ok: true });
  })
  .post("/data-deletion", async (c) => {
    const payload = await verifySignedRequest(c.env.FACEBOOK_APP_SECRET, await signedRequestOf(c.req.raw));
    if (!payload) return c.json({ error: "Invalid signed_request" }, 400);
    return c.json(await recordDataDeletion(createDb(c.env.DB), payload.user_id, appOrigin(c.env, c.req.raw)));
  })
  .get("/data-deletion/:code", async (c) => {
    const code = c.req.param("code");
    const row = /^[a-z2-7]{16,32}$/.test(code) ? await dataDeletionStatus(createDb(c.env.DB), code) : null;
    if (!row) {
      return c.html(
        statusPage("Deletion request not found", [
          "No data deletion request has this confirmation code. Check the link Facebook gave you.",
        ]),
        404,
      );
    }
    const accounts =
      row.accountsDeleted === 1 ? "1 connected account" : `${row.accountsDeleted} connected accounts`;
    return c.html(
      statusPage("Your data deletion request is complete", [
        `Confirmation code: ${row.confirmationCode}`,
        `Received ${row.createdAt.toISOString().replace("T", " ").slice(0, 16)} UTC.`,
        `The access tokens of ${accounts} were deleted and the accounts disconnected. We no longer keep your Facebook user id with them.`,
        "Posts already published stay on Facebook and Instagram; delete them there if you wish.",
      ]),
    );
  });
