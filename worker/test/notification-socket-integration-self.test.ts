import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  HUB_AGENT_HEADER,
  HUB_SESSION_HEADER,
  type HubAttachment,
  SIGNED_OUT_CLOSE_CODE,
} from "../src/durable-objects/notification-hub";
import { runHousekeeping } from "../src/scheduled";
import { readSessionToken, sessionIdFromToken } from "../src/services/auth/sessions";
import { APP_ORIGIN, PASSWORD, signedUpBrowser, TestBrowser } from "./helpers/http";

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

/** Resolves with the next text frame as is ("pong" is not JSON). */
const nextText = (socket: WebSocket) =>
  new Promise<string>((resolve) =>
    socket.addEventListener("message", (e) => resolve(String(e.data)), { once: true }),
  );
const closed = (socket: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    socket.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })),
  );

/** The same agent signed in a second time (another browser): a second session. */
async function secondSession(email: string) {
  const browser = new TestBrowser();
  const res = await browser.mutate("auth.login", { email, password: PASSWORD });
  if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.error)}`);
  return browser;
}
const sessionOf = (browser: TestBrowser) => {
  const token = readSessionToken([...browser.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
  if (!token) throw new Error("not signed in");
  return sessionIdFromToken(token);
};
/** What the hub itself knows of its sockets (a fresh instance after an eviction): attachments and tags. */
const hubSockets = (agentId: string) =>
  runInDurableObject(env.NOTIFICATION_HUB.getByName(agentId), (_instance, state) =>
    state
      .getWebSockets()
      .map((ws) => ({ ...(ws.deserializeAttachment() as HubAttachment), tags: state.getTags(ws) }))
      .sort((a, b) => String(a.sessionId).localeCompare(String(b.sessionId))),
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

  it("refuses an upgrade forwarded to another agent's hub, even with a session header", async () => {
    const alice = await signedUpBrowser("Alice Agent");
    const bob = await signedUpBrowser("Bob Agent");
    const res = await env.NOTIFICATION_HUB.getByName(bob.agentId).fetch("https://hub/connect", {
      headers: {
        Upgrade: "websocket",
        [HUB_AGENT_HEADER]: alice.agentId,
        [HUB_SESSION_HEADER]: sessionOf(alice.browser),
      },
    });
    expect(res.status).toBe(403);
    expect(res.webSocket).toBeNull();
    expect(await env.NOTIFICATION_HUB.getByName(bob.agentId).broadcast({ type: "x" })).toBe(0);
  });
});

describe("signing out", () => {
  it("closes the signed-out session's sockets with 4001, and only that session's", async () => {
    const { browser, email, agentId } = await signedUpBrowser();
    const other = await secondSession(email);
    const mine = [opened(await upgrade(browser)), opened(await upgrade(browser))];
    const theirs = opened(await upgrade(other));
    const mineClosed = mine.map(closed);

    const res = await browser.mutate("auth.logout");
    expect(res.status).toBe(200);
    for (const close of await Promise.all(mineClosed)) {
      expect(close).toEqual({ code: SIGNED_OUT_CLOSE_CODE, reason: "Signed out" });
    }
    // The other session's tab still gets its notifications; the signed-out browser can't reconnect.
    const message = nextMessage(theirs);
    expect(await env.NOTIFICATION_HUB.getByName(agentId).broadcast({ type: "notification" })).toBe(1);
    expect(await message).toEqual({ type: "notification" });
    expect((await upgrade(browser)).status).toBe(401);
    theirs.close();
  });

  it("the housekeeping cron closes an expired session's sockets, and only that session's", async () => {
    const { browser, email, agentId } = await signedUpBrowser();
    const other = await secondSession(email);
    const expiring = opened(await upgrade(browser));
    const live = opened(await upgrade(other));
    const expiringClosed = closed(expiring);
    await env.DB.prepare("UPDATE rltr_mktg_sessions SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1000, sessionOf(browser))
      .run();

    await runHousekeeping(env, Date.now());
    expect(await expiringClosed).toEqual({ code: SIGNED_OUT_CLOSE_CODE, reason: "Signed out" });
    const message = nextMessage(live);
    expect(await env.NOTIFICATION_HUB.getByName(agentId).broadcast({ type: "notification" })).toBe(1);
    expect(await message).toEqual({ type: "notification" });
    live.close();
  });

  it("still signs out when the hub cannot be reached", async () => {
    const { browser } = await signedUpBrowser();
    const original = env.NOTIFICATION_HUB.getByName;
    // The route's env is this env: a hub that throws stands in for one that is unreachable.
    env.NOTIFICATION_HUB.getByName = () => {
      throw new Error("hub unreachable");
    };
    try {
      const res = await browser.mutate("auth.logout");
      expect(res.status).toBe(200);
    } finally {
      env.NOTIFICATION_HUB.getByName = original;
    }
    expect((await browser.query("auth.me")).status).toBe(401);
  });
});

describe("hibernation", () => {
  it("keeps the sockets, their agent and session, ping/pong and pushes after the hub is evicted", async () => {
    const { browser, email, agentId } = await signedUpBrowser();
    const other = await secondSession(email);
    // Each greeting is awaited before going on, so the hub has finished with each connect before eviction.
    const first = opened(await upgrade(browser));
    expect(JSON.parse(await nextText(first))).toEqual({ type: "unread", unreadCount: 0 });
    const second = opened(await upgrade(other));
    expect(JSON.parse(await nextText(second))).toEqual({ type: "unread", unreadCount: 0 });
    const stub = env.NOTIFICATION_HUB.getByName(agentId);

    await evictDurableObject(stub);

    const sessions = [sessionOf(browser), sessionOf(other)].sort();
    expect(await hubSockets(agentId)).toEqual(
      sessions.map((sessionId) => ({ agentId, sessionId, tags: [agentId, `session:${sessionId}`] })),
    );

    await evictDurableObject(stub);
    const pong = nextText(first);
    first.send("ping");
    expect(await pong).toBe("pong");

    const received = [first, second].map(nextMessage);
    const message = { type: "notification", notification: { id: "n1" }, unreadCount: 1 } as const;
    expect(await stub.push(message)).toBe(2);
    for (const got of await Promise.all(received)) expect(got).toEqual(message);

    await evictDurableObject(stub);
    const firstClosed = closed(first);
    expect(await stub.closeSession(sessionOf(browser))).toBe(1);
    expect(await firstClosed).toEqual({ code: SIGNED_OUT_CLOSE_CODE, reason: "Signed out" });
    expect((await hubSockets(agentId)).map((s) => s.sessionId)).toEqual([sessionOf(other)]);
    const stillThere = nextText(second);
    expect(await stub.unread(0)).toBe(1);
    expect(JSON.parse(await stillThere)).toEqual({ type: "unread", unreadCount: 0 });
    second.close();
  });
});
