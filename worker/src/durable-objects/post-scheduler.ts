import { DurableObject } from "cloudflare:workers";
import { preflightPost } from "../agents/social/preflight";
import { duePreflights, dueSteps, nextWakeAt } from "../agents/social/publisher";
import { createDb } from "../lib/db";
import { dispatchPosts } from "../services/outbox";

/** Preflights make Graph calls; a few per alarm keep the alarm short (due posts go first). */
const PREFLIGHTS_PER_ALARM = 10;

/**
 * One per agent (`getByName(agentId)`): keeps a single alarm at the agent's earliest pending step or
 * preflight. It holds no schedule of its own: when the alarm fires it reads D1 for what is due, hands
 * those posts to the posting queue (the consumer claims each step, so a duplicate hand-over does
 * nothing), runs due preflights, and sets the alarm to the next time D1 names. A stale alarm (a post
 * rescheduled or cancelled meanwhile) finds nothing due and only re-arms.
 */
export class PostScheduler extends DurableObject<Env> {
  /** Makes sure the alarm fires at `at` at the latest (an earlier alarm stays). */
  async wake(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(Math.max(at, Date.now()));
  }

  /** The alarm's time, or null (for tests and diagnostics). */
  async alarmAt(): Promise<number | null> {
    return this.ctx.storage.getAlarm();
  }

  override async alarm(): Promise<void> {
    const agentId = this.ctx.id.name;
    if (!agentId) throw new Error("PostScheduler must be addressed by name (the agent id)");
    const env = this.env;
    const due = await dueSteps(env, agentId, Date.now());
    // A failed send throws, so the alarm is retried; the sweeper is the net under that.
    if (due.length > 0 && !(await dispatchPosts(createDb(env.DB), env.POSTING_QUEUE, due))) {
      throw new Error(`posts of ${agentId} not dispatched`);
    }
    const preflights = await duePreflights(env, agentId, Date.now(), PREFLIGHTS_PER_ALARM);
    for (const postId of preflights) {
      await preflightPost(env, postId).catch((error: unknown) =>
        console.error("post scheduler: preflight failed", postId, error),
      );
    }
    // More preflights waiting (many posts scheduled at once): look again in a moment.
    if (preflights.length === PREFLIGHTS_PER_ALARM) await this.wake(Date.now() + 1_000);
    const next = await nextWakeAt(env, agentId, Date.now());
    if (next !== null) await this.wake(next);
  }
}
