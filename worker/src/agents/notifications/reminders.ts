// Marketing department reminders: a draft sent for review with no answer after the agent's
// marketing_reminder_days gets one reminder (to the agent in-app/email, to the department by email with
// the same link). Called by the agent's NotificationHub alarm. (Built out in issue 10.)
import type { Db } from "../../lib/db";

/** Sends every reminder due for this agent at `now`, once each; returns how many were sent. */
export async function sendDueReminders(_env: Env, _db: Db, _agentId: string, _now: number): Promise<number> {
  return 0;
}

/** When this agent's next reminder falls due (epoch ms), or null when none is waiting. */
export async function nextReminderAt(_db: Db, _agentId: string): Promise<number | null> {
  return null;
}
