import { env } from "cloudflare:workers";
import { type NotificationEvent, notifications } from "db";
import { afterEach, describe, expect, it } from "vitest";
import { createDb } from "../src/lib/db";
import { newId } from "../src/lib/ids";
import type { NotificationView } from "../src/services/notify";
import { APP_ORIGIN, signedUpBrowser, type TestBrowser } from "./helpers/http";

type Page = { items: NotificationView[]; nextCursor: string | null; unreadCount: number };

/** History rows written directly, a millisecond apart, oldest first (so no queue delivery races the test). */
async function history(agentId: string, events: NotificationEvent[]) {
  const base = Date.now() - events.length * 1000;
  const rows = events.map((event, i) => ({
    id: newId(),
    agentId,
    eventType: event,
    title: `${event} ${i}`,
    body: "",
    link: "/listings",
    dedupeKey: newId(),
    createdAt: new Date(base + i),
  }));
  for (const row of rows) await createDb(env.DB).insert(notifications).values(row);
  return rows.map((row) => row.id).reverse(); // newest first, as listed
}

const sockets: WebSocket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

async function openSocket(browser: TestBrowser) {
  const res = await browser.fetch("/api/notifications/socket", {
    headers: { Upgrade: "websocket", Origin: APP_ORIGIN },
  });
  const socket = res.webSocket;
  if (!socket) throw new Error(`no socket (status ${res.status})`);
  socket.accept();
  sockets.push(socket);
  const seen: { type: string; unreadCount?: number }[] = [];
  socket.addEventListener("message", (e) => {
    if (e.data !== "pong") seen.push(JSON.parse(String(e.data)));
  });
  return { socket, seen };
}

async function until<T>(read: () => T | undefined, timeout = 3000): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("notifications.list", () => {
  it("pages newest first with a cursor, filters unread and by event, and counts unread", async () => {
    const { browser, agentId } = await signedUpBrowser();
    const ids = await history(agentId, [
      "listing_new",
      "post_failed",
      "listing_new",
      "content_ready",
      "listing_new",
    ]);
    const first = await browser.query<Page>("notifications.list", { limit: 2 });
    expect(first.data.items.map((n) => n.id)).toEqual(ids.slice(0, 2));
    expect(first.data.unreadCount).toBe(5);
    const second = await browser.query<Page>("notifications.list", {
      limit: 2,
      cursor: first.data.nextCursor,
    });
    expect(second.data.items.map((n) => n.id)).toEqual(ids.slice(2, 4));
    const third = await browser.query<Page>("notifications.list", {
      limit: 2,
      cursor: second.data.nextCursor,
    });
    expect(third.data.items.map((n) => n.id)).toEqual(ids.slice(4));
    expect(third.data.nextCursor).toBeNull();

    const listingsOnly = await browser.query<Page>("notifications.list", { event: "listing_new" });
    expect(listingsOnly.data.items.map((n) => n.event)).toEqual([
      "listing_new",
      "listing_new",
      "listing_new",
    ]);

    await browser.mutate("notifications.markRead", { ids: [ids[0]] });
    const unread = await browser.query<Page>("notifications.list", { unreadOnly: true });
    expect(unread.data.items.map((n) => n.id)).toEqual(ids.slice(1));
    expect(unread.data.unreadCount).toBe(4);
    expect((await browser.query("notifications.unreadCount")).data).toEqual({ unreadCount: 4 });
  });

  it("refuses a forged cursor and a limit out of range", async () => {
    const { browser } = await signedUpBrowser();
    expect((await browser.query("notifications.list", { cursor: "bm9wZQ" })).status).toBe(400);
    expect((await browser.query("notifications.list", { limit: 51 })).status).toBe(400);
    expect((await browser.mutate("notifications.markRead", { ids: [] })).status).toBe(400);
  });

  it("shows only the signed-in agent's history, and markRead ignores another agent's ids", async () => {
    const alice = await signedUpBrowser("Alice Agent");
    const bob = await signedUpBrowser("Bob Agent");
    const [bobs] = await history(bob.agentId, ["post_failed"]);
    expect((await alice.browser.query<Page>("notifications.list", {})).data.items).toEqual([]);
    const marked = await alice.browser.mutate<{ marked: number }>("notifications.markRead", { ids: [bobs] });
    expect(marked.data.marked).toBe(0);
    expect((await bob.browser.query<Page>("notifications.list", {})).data.items[0]?.readAt).toBeNull();
  });
});

describe("the live bell", () => {
  it("a new socket gets the unread count; mark read sends the new count to the agent's tabs", async () => {
    const { browser, agentId } = await signedUpBrowser();
    const ids = await history(agentId, ["listing_new", "content_ready", "post_failed"]);
    const tab = await openSocket(browser);
    expect(await until(() => tab.seen[0])).toEqual({ type: "unread", unreadCount: 3 });

    await browser.mutate("notifications.markRead", { ids: [ids[0]] });
    expect(await until(() => tab.seen[1])).toEqual({ type: "unread", unreadCount: 2 });
    await browser.mutate("notifications.markAllRead");
    expect(await until(() => tab.seen[2])).toEqual({ type: "unread", unreadCount: 0 });
  });

  it("a notification through notify() reaches an open socket with the unread count, once", async () => {
    const { browser, agentId } = await signedUpBrowser();
    const tab = await openSocket(browser);
    await until(() => tab.seen[0]);
    const { notify } = await import("../src/services/notify");
    const input = {
      agentId,
      event: "post_succeeded" as const,
      title: "Your post is live on Facebook",
      body: "See it on your Page.",
      link: "/posts",
      dedupeKey: `test:${newId()}`,
    };
    await notify(env, input);
    await notify(env, input);
    // Through the real queue: its consumer waits up to max_batch_timeout (5 s) to fill a batch.
    const pushed = await until(() => tab.seen.find((m) => m.type === "notification"), 15_000);
    expect(pushed).toMatchObject({
      type: "notification",
      unreadCount: 1,
      notification: { event: "post_succeeded", title: "Your post is live on Facebook", link: "/posts" },
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(tab.seen.filter((m) => m.type === "notification")).toHaveLength(1);
  }, 20_000);

  it("answers ping with pong", async () => {
    const { browser } = await signedUpBrowser();
    const { socket } = await openSocket(browser);
    const pong = new Promise<string>((resolve) =>
      socket.addEventListener("message", (e) => {
        if (e.data === "pong") resolve(String(e.data));
      }),
    );
    socket.send("ping");
    expect(await pong).toBe("pong");
  });
});
