import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { HUB_AGENT_HEADER } from "../src/durable-objects/notification-hub";
import type { PostScheduler } from "../src/durable-objects/post-scheduler";

describe("PostScheduler", () => {
  it("wake keeps the earliest alarm; an alarm with nothing due in D1 hands nothing over", async () => {
    const stub = env.POST_SCHEDULER.getByName(`agent-${crypto.randomUUID()}`);
    const at = Date.now() + 60_000;
    await stub.wake(at + 60_000);
    await stub.wake(at);
    await stub.wake(at + 120_000);
    expect(await stub.alarmAt()).toBe(at);

    const send = await runInDurableObject(stub, (instance: PostScheduler) =>
      vi
        .spyOn((instance as unknown as { env: Env }).env.POSTING_QUEUE, "sendBatch")
        .mockResolvedValue(undefined as never),
    );
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(send).not.toHaveBeenCalled();
    expect(await stub.alarmAt()).toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(false);
  });
});

describe("NotificationHub", () => {
  it("pushes a broadcast to every open WebSocket of the agent", async () => {
    const agentId = `agent-${crypto.randomUUID()}`;
    const stub = env.NOTIFICATION_HUB.getByName(agentId);
    const sockets = await Promise.all(
      [1, 2].map(async () => {
        const res = await stub.fetch("https://hub/connect", {
          headers: { Upgrade: "websocket", [HUB_AGENT_HEADER]: agentId },
        });
        expect(res.status).toBe(101);
        const socket = res.webSocket;
        if (!socket) throw new Error("no socket");
        socket.accept();
        return socket;
      }),
    );
    const received = sockets.map(
      (socket) =>
        new Promise<string>((resolve) =>
          socket.addEventListener("message", (e) => {
            // The hub greets every socket with the unread count first.
            if (!String(e.data).includes('"unread"')) resolve(String(e.data));
          }),
        ),
    );
    expect(await stub.broadcast({ type: "notification", title: "New listing" })).toBe(2);
    for (const message of await Promise.all(received)) {
      expect(JSON.parse(message)).toEqual({ type: "notification", title: "New listing" });
    }
    for (const socket of sockets) socket.close();
  });

  it("refuses a plain request", async () => {
    const stub = env.NOTIFICATION_HUB.getByName("agent-x");
    expect(
      (await stub.fetch("https://hub/connect", { headers: { [HUB_AGENT_HEADER]: "agent-x" } })).status,
    ).toBe(426);
  });

  it("refuses an upgrade that did not come through the checked route, or names another agent", async () => {
    const stub = env.NOTIFICATION_HUB.getByName("agent-y");
    const direct = await stub.fetch("https://hub/connect", { headers: { Upgrade: "websocket" } });
    expect(direct.status).toBe(403);
    expect(direct.webSocket).toBeNull();
    const other = await stub.fetch("https://hub/connect", {
      headers: { Upgrade: "websocket", [HUB_AGENT_HEADER]: "agent-z" },
    });
    expect(other.status).toBe(403);
    expect(await stub.broadcast({ type: "x" })).toBe(0);
  });
});
