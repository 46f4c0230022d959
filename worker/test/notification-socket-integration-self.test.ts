import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { HUB_AGENT_HEADER } from "../src/durable-objects/notification-hub";
import { APP_ORIGIN, signedUpBrowser, TestBrowser } from "./helpers/http";

const upgrade = (browser: TestBrowser, headers: Record<string, string> = { Origin: APP_ORIGIN }) =>
  browser.fetch("/api/notifications/socket", { headers: { Upgrade: "websocket", ...headers } });

function opened(response: Response): WebSocket {
  const socket = response.webSocket;
  if (!socket) throw new Error(`no socket (status ${response.status})`);
  socket.accept();
  return socket;
}
// The hub greets each socket with {type:"unread"}; these tests wait for what comes after.
const nextMessage = (socket: WebSocket) =>
  new Promise<unknown>((resolve) =>
    socket.addEventListener("message", (e) => {
      const message = JSON.parse(String(e.data));
      if (message.type !== "unread") resolve(message);
    }),
  );

describe("GET /api/notifications/socket", () => {
  it("refuses a visitor without a session", async () => {
    const res = await upgrade(new TestBrowser());
    expect(res.status).toBe(401);
    expect(res.webSocket).toBeNull();
  });

  it("refuses a foreign or missing Origin even with a session (cross-site WebSocket hijacking)", async () => {
    const { browser } = await signedUpBrowser();
    const cases: Record<string, string>[] = [{ Origin: "https://evil.example" }, { Origin: "null" }, {}];
    for (const headers of cases) {
      const res = await upgrade(browser, headers);
      expect(res.status).toBe(403);
      expect(res.webSocket).toBeNull();
    }
    expect((await upgrade(browser, { Origin: APP_ORIGIN, "Sec-Fetch-Site": "cross-site" })).status).toBe(403);
  });

  it("opens the signed-in agent's own hub with a session and our Origin", async () => {
    const { browser, agentId } = await signedUpBrowser();
    const res = await upgrade(browser);
    expect(res.status).toBe(101);
    const socket = opened(res);
    const message = nextMessage(socket);
    expect(
      await env.NOTIFICATION_HUB.getByName(agentId).broadcast({ type: "notification", title: "Hi" }),
    ).toBe(1);
    expect(await message).toEqual({ type: "notification", title: "Hi" });
    socket.close();
  });

  it("ignores an agent id the client puts in the hub's header", async () => {
    const alice = await signedUpBrowser("Alice Agent");
    const bob = await signedUpBrowser("Bob Agent");
    const res = await upgrade(alice.browser, { Origin: APP_ORIGIN, [HUB_AGENT_HEADER]: bob.agentId });
    const socket = opened(res);
    expect(await env.NOTIFICATION_HUB.getByName(bob.agentId).broadcast({ type: "secret" })).toBe(0);
    expect(await env.NOTIFICATION_HUB.getByName(alice.agentId).broadcast({ type: "mine" })).toBe(1);
    socket.close();
  });

  it("answers 426 to a plain GET", async () => {
    const { browser } = await signedUpBrowser();
    expect(
      (await browser.fetch("/api/notifications/socket", { headers: { Origin: APP_ORIGIN } })).status,
    ).toBe(426);
  });
});
