import { DurableObject } from "cloudflare:workers";

/**
 * Set by the Worker's checked route (routes/notifications.ts) to the signed-in agent's id; a client's own
 * value is removed before forwarding, so only a session the Worker validated can open a socket here.
 */
export const HUB_AGENT_HEADER = "X-Notification-Agent-Id";

/**
 * One per agent (named by the agent's id): holds that agent's open dashboard tabs as hibernatable
 * WebSockets and pushes in-app notifications to them.
 */
export class NotificationHub extends DurableObject<Env> {
  override async fetch(request: Request): Promise<Response> {
    const agentId = request.headers.get(HUB_AGENT_HEADER);
    // Anything but the checked route is refused, and so is a socket meant for another agent's hub.
    if (!agentId || (this.ctx.id.name !== undefined && this.ctx.id.name !== agentId)) {
      return new Response("Forbidden", { status: 403 });
    }
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ agentId });
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Sends one event to every open tab; returns how many tabs received it. */
  async broadcast(event: unknown): Promise<number> {
    const data = JSON.stringify(event);
    let delivered = 0;
    for (const socket of this.ctx.getWebSockets()) {
      try {
        socket.send(data);
        delivered++;
      } catch {
        // A socket closing mid-send is dropped; the notification stays in the history.
      }
    }
    return delivered;
  }

  override webSocketMessage(socket: WebSocket, message: string | ArrayBuffer) {
    if (message === "ping") socket.send("pong");
  }

  override webSocketClose(socket: WebSocket, code: number) {
    socket.close(code === 1005 ? 1000 : code, "closing");
  }
}
