import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { HUB_AGENT_HEADER } from "../src/durable-objects/notification-hub";
import type { PostScheduler } from "../src/durable-objects/post-scheduler";

describe("PostScheduler", () => {
  it("hands the post to the posting queue when its alarm fires, once", async () => {
    const stub = env.POST_SCHEDULER.getByName(`post-${crypto.randomUUID()}`);
    const at = Date.now() + 60_000;
    await stub.schedule("post-1", at);
    expect(await stub.pending()).toEqual({ postScheduleId: "post-1", at });

    const send = await runInDurableObject(stub, (instance: PostScheduler) =>
      vi
        .spyOn((instance as unknown as { env: Env }).env.POSTING_QUEUE, "send")
        .mockResolvedValue(undefined as never),
    );
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(send).toHaveBeenCalledWith({ type: "publish", postScheduleId: "post-1" });
    expect(await stub.pending()).toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(false);
  });

  it("cancel removes the alarm", async () => {
    const stub = env.POST_SCHEDULER.getByName(`post-${crypto.randomUUID()}`);
    await stub.schedule("post-2", Date.now() + 60_000);
    await stub.cancel();
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
        new Promise<string>((resolve) => socket.addEventListener("message", (e) => resolve(String(e.data)))),
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
