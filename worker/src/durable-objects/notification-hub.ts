import { DurableObject } from "cloudflare:workers";

/**
 * One per agent: holds that agent's open dashboard tabs as hibernatable WebSockets and pushes
 * in-app notifications to them. The Worker authenticates the upgrade before it reaches this object.
 */
export class NotificationHub extends DurableObject<Env> {
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
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
