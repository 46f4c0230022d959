// Wakes the agent's PostScheduler (one Durable Object per agent) for a step due at `at`. D1 holds the
// truth about what is due; the alarm only makes the scheduler look again, so a lost wake costs at most
// the sweeper's delay, and an early or repeated one does nothing.
export async function wakeScheduler(env: Pick<Env, "POST_SCHEDULER">, agentId: string, at: number) {
  try {
    await env.POST_SCHEDULER.getByName(agentId).wake(at);
  } catch (error) {
    console.error("post scheduler: not woken, the sweeper will catch the post", agentId, error);
  }
}
