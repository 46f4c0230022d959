import { Hono } from "hono";
import { HUB_AGENT_HEADER, HUB_SESSION_HEADER } from "../durable-objects/notification-hub";
import { isSameOriginRequest } from "../lib/csrf";
import { createDb } from "../lib/db";
import { readSessionToken, validateSessionToken } from "../services/auth/sessions";

/**
 * GET /api/notifications/socket: the only way to the agent's NotificationHub. A WebSocket handshake is a
 * GET that browsers send cross-site with cookies, so besides the session it needs our own Origin.
 */
export const notificationsApp = new Hono<{ Bindings: Env }>().get("/socket", async (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket")
    return c.text("Expected a WebSocket upgrade", 426);
  if (!isSameOriginRequest(c.req.raw, c.env.APP_ORIGIN)) return c.text("Cross-origin request refused", 403);
  const token = readSessionToken(c.req.header("Cookie") ?? null);
  const auth = token ? await validateSessionToken(createDb(c.env.DB), token) : null;
  if (!auth) return c.text("Sign in to continue", 401);

  const headers = new Headers(c.req.raw.headers);
  // Set here and nowhere else: whatever the client sent under these names is replaced.
  headers.set(HUB_AGENT_HEADER, auth.agent.id);
  headers.set(HUB_SESSION_HEADER, auth.session.id);
  const upgraded = await c.env.NOTIFICATION_HUB.getByName(auth.agent.id).fetch(
    new Request(c.req.raw.url, { headers }),
  );
  // Re-wrapped so the app's header middleware may add its headers (a forwarded response's are immutable).
  return new Response(upgraded.body, {
    status: upgraded.status,
    headers: upgraded.headers,
    webSocket: upgraded.webSocket,
  });
});

/**
 * Closes the bell sockets a session opened, once it is signed out. Best effort: signing out never fails
 * because the hub cannot be reached (the socket then lives until it drops; its next handshake gets 401).
 */
export async function closeSessionSockets(env: Env, agentId: string, sessionId: string): Promise<void> {
  try {
    await env.NOTIFICATION_HUB.getByName(agentId).closeSession(sessionId);
  } catch (error) {
    console.error("notifications: could not close a signed-out session's sockets", error);
  }
}
