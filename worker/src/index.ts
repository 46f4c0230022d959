import { app } from "./app";
import { handleQueue } from "./queues";
import { runScheduled } from "./scheduled";

export { NotificationHub } from "./durable-objects/notification-hub";
export { PostScheduler } from "./durable-objects/post-scheduler";

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => ctx.waitUntil(runScheduled(controller, env)),
  queue: (batch, env, _ctx) => handleQueue(batch, env),
} satisfies ExportedHandler<Env>;
