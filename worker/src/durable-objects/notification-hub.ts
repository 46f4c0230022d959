import { DurableObject } from "cloudflare:workers";
import { nextWakeAt, runDueNotificationWork } from "../agents/notifications/scheduler";
import { createDb } from "../lib/db";
import { unreadCount } from "../services/notify";

/**
 * Set by the Worker's checked route (routes/notifications.ts) to the signed-in agent's id; a client's own
 * value is removed before forwarding, so only a session the Worker validated can open a socket here.
 */
export const HUB_AGENT_HEADER = "X-Notification-Agent-Id";
/** Set by the same route to the validated session's id, so signing that session out can close its sockets. */
export const HUB_SESSION_HEADER = "X-Notification-Session-Id";
/** Close code for a socket whose session was signed out: the client asks who is signed in, no reconnect. */
export const SIGNED_OUT_CLOSE_CODE = 4001;

/** What the hub sends to a tab, as JSON. */
export type HubMessage =
  | { type: "notification"; notification: unknown; unreadCount: number }
  | { type: "unread"; unreadCount: number };

/**
 * Kept with each socket (it survives hibernation): whose tab it is and which session opened it (null only
 * for a socket opened without the route, as unit tests do: no session can close it).
 */
export type HubAttachment = { agentId: string; sessionId: string | null };

const sessionTag = (sessionId: string) => `session:${sessionId}`;

/** A broadcast to this many tabs, or this slow, is logged with its send-loop time. */
const FANOUT_LOG_SOCKETS = 100;
const FANOUT_LOG_MS = 50;

/**
 * One per agent (named by the agent's id): holds that agent's open dashboard tabs as hibernatable
 * WebSockets and pushes in-app notifications to them. Nothing lives in memory: the agent id is in each
 * socket's attachment and tag, so a hub woken from hibernation knows whose sockets it holds.
 */
export class NotificationHub extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Answered by the runtime without waking the hub: a tab's keep-alive costs nothing.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  override async fetch(request: Request): Promise<Response> {
    const agentId = request.headers.get(HUB_AGENT_HEADER);
    const sessionId = request.headers.get(HUB_SESSION_HEADER);
    // Anything but the checked route is refused, and so is a socket meant for another agent's hub.
    if (!agentId || (this.ctx.id.name !== undefined && this.ctx.id.name !== agentId)) {
      return new Response("Forbidden", { status: 403 });
    }
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    // Tagged by session: closeSession asks the runtime for just its sockets, reading no attachments.
    this.ctx.acceptWebSocket(server, sessionId ? [agentId, sessionTag(sessionId)] : [agentId]);
    server.serializeAttachment({ agentId, sessionId } satisfies HubAttachment);
    // The tab starts from the current count; later changes arrive as "unread" or "notification".
    const count = await unreadCount(createDb(this.env.DB), agentId);
    server.send(JSON.stringify({ type: "unread", unreadCount: count } satisfies HubMessage));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Sends one event to every open tab; returns how many tabs received it. */
  async broadcast(event: unknown): Promise<number> {
    const startedAt = Date.now();
    const started = performance.now();
    const data = JSON.stringify(event);
    const sockets = this.ctx.getWebSockets();
    let delivered = 0;
    for (const socket of sockets) {
      try {
        socket.send(data);
        delivered++;
      } catch {
        // A socket closing mid-send is dropped; the notification stays in the history.
      }
    }
    const ms = performance.now() - started;
    // Only an unusual fan-out is logged (bench:bell reads this line). Deployed, the clock stands still
    // while code runs, so `ms` says ~0 there: the socket count is the signal.
    if (sockets.length >= FANOUT_LOG_SOCKETS || ms >= FANOUT_LOG_MS) {
      console.log(
        JSON.stringify({
          message: "notifications: hub fan-out",
          sockets: sockets.length,
          delivered,
          ms,
          startedAt,
        }),
      );
    }
    return delivered;
  }

  /** The session was signed out: its tabs' sockets close (code 4001); returns how many were closed. */
  async closeSession(sessionId: string): Promise<number> {
    let closed = 0;
    for (const socket of this.ctx.getWebSockets(sessionTag(sessionId))) {
      try {
        socket.close(SIGNED_OUT_CLOSE_CODE, "Signed out");
        closed++;
      } catch {
        // Already closing.
      }
    }
    return closed;
  }

  /** A new notification for every open tab. */
  push(message: HubMessage): Promise<number> {
    return this.broadcast(message);
  }

  /** The unread count changed (a new notification, or mark-read in some tab). */
  unread(count: number): Promise<number> {
    return this.broadcast({ type: "unread", unreadCount: count } satisfies HubMessage);
  }

  /**
   * Sets the hub's one alarm to the agent's next held email, digest or reminder (or none). The agent id
   * is kept in storage: an alarm has no request to read it from, and `ctx.id.name` may be unset.
   */
  async reschedule(agentId: string, floor = Date.now()): Promise<number | null> {
    if (this.ctx.id.name !== undefined && this.ctx.id.name !== agentId) {
      throw new Error("reschedule for another agent's hub");
    }
    await this.ctx.storage.put(NotificationHub.AGENT_ID_KEY, agentId);
    const now = Date.now();
    const next = await nextWakeAt(createDb(this.env.DB), agentId, now);
    if (next === null) {
      await this.ctx.storage.deleteAlarm();
      return null;
    }
    const at = next <= now ? Math.max(next, floor) : next;
    await this.ctx.storage.setAlarm(at);
    return at;
  }

  override async alarm(): Promise<void> {
    const agentId = await this.ctx.storage.get<string>(NotificationHub.AGENT_ID_KEY);
    if (!agentId) return;
    // Work still due right after a run failed to send: it is tried again a minute later, not in a loop.
    let floor = Date.now() + 60_000;
    try {
      await runDueNotificationWork(this.env, agentId, Date.now());
    } catch (error) {
      console.error("notifications: alarm work failed", agentId, error);
      floor = Date.now() + 5 * 60_000;
    }
    await this.reschedule(agentId, floor);
  }

  private static readonly AGENT_ID_KEY = "agentId";

  override webSocketMessage(socket: WebSocket, message: string | ArrayBuffer) {
    // "ping" is answered by the auto-response; this covers a runtime without it.
    if (message === "ping") socket.send("pong");
  }

  override webSocketClose(socket: WebSocket, code: number) {
    // Completes the closing handshake. 1005/1006/1015 only describe a close and cannot be sent, and
    // a socket that is already gone (a dropped tab) throws: neither is an error worth reporting.
    try {
      socket.close(code === 1005 || code === 1006 || code === 1015 ? 1000 : code, "closing");
    } catch {
      // Already closed.
    }
  }
}
