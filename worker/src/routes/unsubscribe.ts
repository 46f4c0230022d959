import { Hono } from "hono";
import { rescheduleNotifications } from "../agents/notifications/scheduler";
import { createDb } from "../lib/db";
import {
  applyUnsubscribe,
  describeUnsubscribe,
  topicLabel,
  verifyUnsubscribeToken,
} from "../services/unsubscribe";

const INVALID = "This unsubscribe link is not valid.";
const GONE = "This account no longer exists.";

/**
 * /api/email/unsubscribe?token=…: the signed token is the only credential (no session), so this is
 * mounted ahead of the same-origin guard: mail providers send the one-click POST (RFC 8058, body
 * `List-Unsubscribe=One-Click`) from their own servers, without our Origin. GET only describes; it never
 * unsubscribes, because link scanners prefetch every URL in an email. The body is not read: the one-click
 * body and the page's empty form mean the same thing.
 */
export const unsubscribeApp = new Hono<{ Bindings: Env }>()
  .get("/", async (c) => {
    const target = await verifyUnsubscribeToken(c.env, c.req.query("token") ?? "");
    if (!target) return c.text(INVALID, 400);
    const view = await describeUnsubscribe(createDb(c.env.DB), target);
    return view ? c.json(view) : c.text(GONE, 404);
  })
  .post("/", async (c) => {
    const target = await verifyUnsubscribeToken(c.env, c.req.query("token") ?? "");
    if (!target) return c.text(INVALID, 400);
    if (!(await applyUnsubscribe(createDb(c.env.DB), target))) return c.text(GONE, 404);
    // The digest's waiting rows go on their own (or not at all) at the hub's next alarm.
    if (target.topic === "digest") await rescheduleNotifications(c.env, target.agentId);
    return c.json({ event: target.topic, label: topicLabel(target.topic), emailOn: false });
  });
