// Marketing department reminders: a draft sent for review with no answer after the agent's
// marketing_reminder_days gets one reminder: to the agent (a `marketing_reminder` notification) and to the
// department (an email with the same link: the token sealed at send time is opened again, no new token is
// made). Called by the agent's NotificationHub alarm. A request stops waiting when it is answered, its link
// expires or is used, its draft leaves "with the marketing department", or a newer request for the same
// draft replaces it; all of that is read from the rows at the time, so nothing has to cancel a timer.
import { agents, contentPieces, listings, marketingRequests } from "db";
import { and, asc, eq, gt, isNull, min, notExists, or, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../../lib/db";
import { EmailError, emailConfigFromEnv, escapeHtml, sendEmail } from "../../lib/email";
import { openToken } from "../../lib/token-crypto";
import { draftLabel, reviewLinkPath } from "../../services/marketing";
import { notify } from "../../services/notify";

type MarketingRequest = typeof marketingRequests.$inferSelect;

const DAY_MS = 24 * 3600_000;
/** Reminders sent by one alarm; more wait for the next one (due at once). */
const MAX_PER_RUN = 20;

export const reminderKey = (requestId: string) => `marketing-reminder:${requestId}`;

const newer = alias(marketingRequests, "newer_request");

/** When a request's reminder falls due, in SQL: sent + the agent's current number of days. */
const dueAt = sql<number>`(${marketingRequests.createdAt} + ${agents.marketingReminderDays} * ${DAY_MS})`;

/** The agent's requests still waiting for an answer and not reminded yet, at `now`. */
function waiting(db: Db, agentId: string, now: number): SQL | undefined {
  return and(
    eq(marketingRequests.agentId, agentId),
    eq(contentPieces.agentId, agentId),
    isNull(marketingRequests.usedAt),
    isNull(marketingRequests.reminderSentAt),
    gt(marketingRequests.expiresAt, new Date(now)),
    eq(contentPieces.status, "sent_to_marketing"),
    // A link that expires before the reminder would be due never gets one.
    sql`${marketingRequests.expiresAt} > ${dueAt}`,
    // The draft was sent again: the newest email carries the link that counts.
    notExists(
      db
        .select({ one: sql`1` })
        .from(newer)
        .where(
          and(
            eq(newer.contentId, marketingRequests.contentId),
            or(
              gt(newer.createdAt, marketingRequests.createdAt),
              and(eq(newer.createdAt, marketingRequests.createdAt), gt(newer.id, marketingRequests.id)),
            ),
          ),
        ),
    ),
  );
}

const waitingRequests = (db: Db) =>
  db
    .select({
      request: marketingRequests,
      piece: { id: contentPieces.id, kind: contentPieces.kind, body: contentPieces.body },
      agentName: agents.name,
      days: agents.marketingReminderDays,
      addressLine: listings.addressLine,
    })
    .from(marketingRequests)
    .innerJoin(contentPieces, eq(contentPieces.id, marketingRequests.contentId))
    .innerJoin(agents, eq(agents.id, marketingRequests.agentId))
    .leftJoin(listings, eq(listings.id, contentPieces.listingId));

type Waiting = Awaited<ReturnType<ReturnType<typeof waitingRequests>["where"]>>[number];

/** Sends every reminder due for this agent at `now`, once each; returns how many were sent. */
export async function sendDueReminders(env: Env, db: Db, agentId: string, now: number): Promise<number> {
  const due = await waitingRequests(db)
    .where(and(waiting(db, agentId, now), sql`${dueAt} <= ${now}`))
    .orderBy(asc(marketingRequests.createdAt))
    .limit(MAX_PER_RUN);
  let sent = 0;
  for (const row of due) if (await remind(env, db, row, now)) sent++;
  return sent;
}

/**
 * When this agent's next reminder falls due (epoch ms; in the past when one is overdue, e.g. after an
 * email API failure: the hub's alarm then waits a minute before trying again), or null when none waits.
 */
export async function nextReminderAt(db: Db, agentId: string): Promise<number | null> {
  const [row] = await db
    .select({ at: min(dueAt) })
    .from(marketingRequests)
    .innerJoin(contentPieces, eq(contentPieces.id, marketingRequests.contentId))
    .innerJoin(agents, eq(agents.id, marketingRequests.agentId))
    .where(waiting(db, agentId, Date.now()));
  return row?.at == null ? null : Number(row.at);
}

async function remind(env: Env, db: Db, row: Waiting, now: number): Promise<boolean> {
  const { request } = row;
  const claimedAt = new Date(now);
  // The claim: of two alarms that both saw this request due, one sends.
  const [claimed] = await db
    .update(marketingRequests)
    .set({ reminderSentAt: claimedAt })
    .where(
      and(
        eq(marketingRequests.id, request.id),
        isNull(marketingRequests.reminderSentAt),
        isNull(marketingRequests.usedAt),
        gt(marketingRequests.expiresAt, claimedAt),
      ),
    )
    .returning({ id: marketingRequests.id });
  if (!claimed) return false;

  const what = draftLabel(row.piece.kind, row.addressLine);
  let emailed = true;
  try {
    const token = await linkToken(env, request);
    await sendEmail(db, emailConfigFromEnv(env), reminderEmail(env, row, what, token));
  } catch (error) {
    if (!(error instanceof EmailError) || error.retryable) {
      // Given back, so a later alarm (nextReminderAt) tries again; the email's key keeps it to one.
      await db
        .update(marketingRequests)
        .set({ reminderSentAt: null })
        .where(and(eq(marketingRequests.id, request.id), eq(marketingRequests.reminderSentAt, claimedAt)));
      console.error("reminders: the reminder email failed; tried again later", request.id, errorName(error));
      return false;
    }
    // Refused for good (a bad address, say): Chris hears of it instead of the department.
    console.error("reminders: the reminder email was refused", request.id, error.message);
    emailed = false;
  }
  const sentOn = request.createdAt.toUTCString();
  await notify(env, {
    agentId: request.agentId,
    event: "marketing_reminder",
    title: `No answer from marketing yet: ${what}`,
    body: emailed
      ? `Sent to ${request.recipientEmail} on ${sentOn}. They got a reminder with the same link.`
      : `Sent to ${request.recipientEmail} on ${sentOn}. The reminder email could not be sent; check the address in Settings.`,
    link: `/approvals?piece=${row.piece.id}`,
    dedupeKey: reminderKey(request.id),
  });
  return true;
}

/** The link's token, opened from its sealed copy; null without a key (or a key that cannot open it). */
async function linkToken(env: Env, request: MarketingRequest): Promise<string | null> {
  if (!request.tokenSealed || !env.TOKEN_ENCRYPTION_KEY) return null;
  try {
    return await openToken(env, request.tokenSealed, request.id);
  } catch (error) {
    // TokenKeyError messages name the key problem, never the token.
    console.error(
      "reminders: the review link could not be opened; pointing to the first email",
      request.id,
      errorName(error),
    );
    return null;
  }
}

const errorName = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : "error");

function reminderEmail(env: Env, row: Waiting, what: string, token: string | null) {
  const { request } = row;
  const sentOn = request.createdAt.toUTCString();
  const expires = request.expiresAt.toUTCString();
  const intro = `${row.agentName} asked you on ${sentOn} to review this ${what} and is still waiting for your answer.`;
  const link = token
    ? `${(env.APP_ORIGIN || "http://localhost:8787").replace(/\/$/, "")}${reviewLinkPath(token)}`
    : null;
  const action = link
    ? `Approve, ask for changes or reject: ${link}`
    : `Please use the link in the first email (subject "Review requested: ${what}") to approve, ask for changes or reject.`;
  const expiry = `The link works once and expires on ${expires}.`;
  return {
    to: request.recipientEmail,
    subject: `Reminder: review requested: ${what}`,
    agentId: request.agentId,
    idempotencyKey: reminderKey(request.id),
    secrets: token ? [token] : [],
    text: [intro, "", row.piece.body, "", action, expiry].join("\n"),
    html: `<p>${escapeHtml(intro)}</p>
<pre style="white-space:pre-wrap;font-family:inherit;border-left:3px solid #1f5f8b;padding-left:12px">${escapeHtml(row.piece.body)}</pre>
<p>${link ? `<a href="${escapeHtml(link)}">Approve, ask for changes or reject</a>` : escapeHtml(action)}</p>
<p style="color:#555">${escapeHtml(expiry)}</p>`,
  };
}
