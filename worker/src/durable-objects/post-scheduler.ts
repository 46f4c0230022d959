import { DurableObject } from "cloudflare:workers";
import { createDb } from "../lib/db";
import { dispatchPost } from "../services/outbox";

export type ScheduledPost = { postScheduleId: string; at: number };

/**
 * One per scheduled post: holds an alarm for the post's time and then hands the post to the posting
 * queue (the fast path; the cron's sweeper sends due posts the alarm missed). Alarms are at-least-once, so
 * the posting consumer must (and does) ignore a post already done.
 */
export class PostScheduler extends DurableObject<Env> {
  async schedule(postScheduleId: string, at: number): Promise<void> {
    await this.ctx.storage.put<ScheduledPost>("post", { postScheduleId, at });
    await this.ctx.storage.setAlarm(at);
  }

  /** Placeholder until the per-agent scheduler lands: the alarm fires at `at` at the latest. */
  async wake(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }

  async cancel(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  async pending(): Promise<ScheduledPost | null> {
    return (await this.ctx.storage.get<ScheduledPost>("post")) ?? null;
  }

  override async alarm(): Promise<void> {
    const post = await this.ctx.storage.get<ScheduledPost>("post");
    if (!post) return;
    // A failed send throws, so the alarm is retried.
    if (!(await dispatchPost(createDb(this.env.DB), this.env.POSTING_QUEUE, post.postScheduleId))) {
      throw new Error(`post ${post.postScheduleId} not dispatched`);
    }
    await this.ctx.storage.deleteAll();
  }
}
