// The agent's notification preferences: which channel each event uses, quiet hours that hold email, and
// the daily digest. Saved choices live in rltr_mktg_notification_preferences (one row per event the
// agent changed; the rest follow the defaults here) and on the agent's row (quiet hours, digest time).
import {
  agents,
  CRITICAL_NOTIFICATION_EVENTS,
  DIGEST_NOTIFICATION_EVENTS,
  type NotificationEvent,
  notificationPreferences,
  notifications,
} from "db";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../lib/db";
import { ServiceError } from "../../lib/errors";
import { utcToZoned, zonedTimeToUtc } from "../../lib/time";
import type { NotificationSettingsInput } from "../../schemas/notifications";
import { rescheduleNotifications } from "./scheduler";

/** Label and one line for the settings page, in display order (grouped by the agent doing the work). */
export const NOTIFICATION_EVENT_INFO = {
  listing_new: { label: "New listings", description: "New homes found in your builder's listings." },
  listing_changed: {
    label: "Listing changes",
    description: "A price, status or incentive changed on one of your listings.",
  },
  ingestion_failed: {
    label: "Listing import failed",
    description: "The listing agent could not read your builder's site.",
  },
  content_ready: { label: "Drafts ready", description: "New drafts are waiting for your approval." },
  content_failed: { label: "Draft failed", description: "The content agent could not write a draft." },
  content_approved: { label: "Content approved", description: "A draft was approved and is on its way." },
  marketing_sent: {
    label: "Sent to marketing",
    description: "A draft went to your marketing department for review.",
  },
  marketing_response: {
    label: "Marketing answered",
    description: "Your marketing department approved a draft or asked for changes.",
  },
  marketing_reminder: {
    label: "Marketing reminders",
    description: "A draft sent for review has had no answer for a few days.",
  },
  post_scheduled: { label: "Post scheduled", description: "A post is scheduled to publish." },
  preflight_warning: {
    label: "Pre-post check",
    description: "A scheduled post has something to fix before it publishes.",
  },
  post_succeeded: { label: "Post published", description: "A post went live, with its link." },
  post_failed: {
    label: "Post failed",
    description: "A post could not be published, with the reason and what to do.",
  },
  post_unconfirmed: {
    label: "Post not confirmed",
    description: "A post may not have gone live; check it on the network.",
  },
  account_needs_reconnect: {
    label: "Reconnect an account",
    description: "A Facebook or Instagram account needs signing in again.",
  },
} satisfies Record<NotificationEvent, { label: string; description: string }>;

const DISPLAY_ORDER = Object.keys(NOTIFICATION_EVENT_INFO) as NotificationEvent[];

/** Always shown in-app: the agent must see that a post failed or an account needs reconnecting. */
export const CRITICAL_EVENTS: readonly NotificationEvent[] = CRITICAL_NOTIFICATION_EVENTS;
/** Low-priority: with a digest on, their email waits for it. */
export const DIGEST_EVENTS: readonly NotificationEvent[] = DIGEST_NOTIFICATION_EVENTS;

/** Emailed unless the agent switches them off; the rest only when switched on. */
export const EMAIL_BY_DEFAULT: readonly NotificationEvent[] = [
  "post_failed",
  "post_unconfirmed",
  "account_needs_reconnect",
  "content_approved",
  "post_succeeded",
  "marketing_response",
  "marketing_reminder",
  "ingestion_failed",
];

export type QuietHours = { start: string; end: string };

export type NotificationSettings = {
  preferences: {
    event: NotificationEvent;
    label: string;
    description: string;
    inApp: boolean;
    email: boolean;
    critical: boolean;
    digestible: boolean;
  }[];
  quietHours: QuietHours | null;
  digest: { time: string } | null;
  timezone: string;
};

type Saved = { inApp: boolean | null; email: boolean | null } | undefined;

/**
 * One event's channels: the saved choice over the defaults, critical in-app forced. With a digest on,
 * the low-priority events are emailed (in the digest) by default: choosing a digest is asking for them.
 */
function resolve(event: NotificationEvent, saved: Saved, digestOn: boolean) {
  const emailDefault = EMAIL_BY_DEFAULT.includes(event) || (digestOn && DIGEST_EVENTS.includes(event));
  return {
    inApp: CRITICAL_EVENTS.includes(event) || (saved?.inApp ?? true),
    email: saved?.email ?? emailDefault,
  };
}

type AgentDelivery = {
  timezone: string;
  quietHoursStart: string | null;
  quietHoursEnd: string | null;
  digestTime: string | null;
};

const deliveryColumns = {
  timezone: agents.timezone,
  quietHoursStart: agents.quietHoursStart,
  quietHoursEnd: agents.quietHoursEnd,
  digestTime: agents.digestTime,
};

function quietHoursOf(agent: AgentDelivery): QuietHours | null {
  return agent.quietHoursStart && agent.quietHoursEnd
    ? { start: agent.quietHoursStart, end: agent.quietHoursEnd }
    : null;
}

/** What the consumer needs to deliver one event: its channels and the agent's timing. */
export type DeliveryPolicy = {
  inApp: boolean;
  email: boolean;
  timezone: string;
  quietHours: QuietHours | null;
  digestTime: string | null;
};

/** The channels for one event (saved choice over defaults; critical in-app forced) and the timing, in one query. */
export async function channelsFor(
  db: Db,
  agentId: string,
  event: NotificationEvent,
): Promise<DeliveryPolicy> {
  const [row] = await db
    .select({
      ...deliveryColumns,
      inApp: notificationPreferences.inApp,
      email: notificationPreferences.email,
    })
    .from(agents)
    .leftJoin(
      notificationPreferences,
      and(eq(notificationPreferences.agentId, agents.id), eq(notificationPreferences.eventType, event)),
    )
    .where(eq(agents.id, agentId))
    .limit(1);
  // A deleted agent has no rows left to deliver; the defaults answer anyone still asking.
  if (!row)
    return { ...resolve(event, undefined, false), timezone: "UTC", quietHours: null, digestTime: null };
  return {
    ...resolve(event, row, row.digestTime !== null),
    timezone: row.timezone,
    quietHours: quietHoursOf(row),
    digestTime: row.digestTime,
  };
}

/** Every event whose email is on for this agent (one query). */
export async function emailedEvents(
  db: Db,
  agentId: string,
  digestOn: boolean,
): Promise<Set<NotificationEvent>> {
  const saved = await db
    .select({
      event: notificationPreferences.eventType,
      inApp: notificationPreferences.inApp,
      email: notificationPreferences.email,
    })
    .from(notificationPreferences)
    .where(eq(notificationPreferences.agentId, agentId));
  const byEvent = new Map(saved.map((row) => [row.event, row]));
  return new Set(DISPLAY_ORDER.filter((event) => resolve(event, byEvent.get(event), digestOn).email));
}

export async function getNotificationSettings(db: Db, agentId: string): Promise<NotificationSettings> {
  const [agentRows, saved] = await db.batch([
    db.select(deliveryColumns).from(agents).where(eq(agents.id, agentId)).limit(1),
    db
      .select({
        event: notificationPreferences.eventType,
        inApp: notificationPreferences.inApp,
        email: notificationPreferences.email,
      })
      .from(notificationPreferences)
      .where(eq(notificationPreferences.agentId, agentId)),
  ]);
  const agent = agentRows[0];
  if (!agent) throw new ServiceError("NOT_FOUND", "Account not found");
  const byEvent = new Map(saved.map((row) => [row.event, row]));
  return {
    preferences: DISPLAY_ORDER.map((event) => ({
      event,
      ...NOTIFICATION_EVENT_INFO[event],
      ...resolve(event, byEvent.get(event), agent.digestTime !== null),
      critical: CRITICAL_EVENTS.includes(event),
      digestible: DIGEST_EVENTS.includes(event),
    })),
    quietHours: quietHoursOf(agent),
    digest: agent.digestTime ? { time: agent.digestTime } : null,
    timezone: agent.timezone,
  };
}

/**
 * Saves the changed channels, quiet hours and digest in one batch. Email already waiting is never
 * dropped: held rows follow the new quiet hours (or go now when there are none), and with the digest
 * switched off the hub's alarm sends its rows on their own.
 */
export async function updateNotificationSettings(
  env: Env,
  db: Db,
  agentId: string,
  input: NotificationSettingsInput,
  now = Date.now(),
): Promise<NotificationSettings> {
  const preferences = input.preferences ?? [];
  for (const pref of preferences) {
    if (!pref.inApp && CRITICAL_EVENTS.includes(pref.event)) {
      const { label } = NOTIFICATION_EVENT_INFO[pref.event];
      throw new ServiceError(
        "BAD_REQUEST",
        `"${label}" always shows in the app so you never miss it; you can still switch its email off.`,
      );
    }
  }
  const [agent] = await db.select(deliveryColumns).from(agents).where(eq(agents.id, agentId)).limit(1);
  if (!agent) throw new ServiceError("NOT_FOUND", "Account not found");

  const next: AgentDelivery = {
    ...agent,
    ...(input.quietHours !== undefined && {
      quietHoursStart: input.quietHours?.start ?? null,
      quietHoursEnd: input.quietHours?.end ?? null,
    }),
    ...(input.digest !== undefined && { digestTime: input.digest?.time ?? null }),
  };
  const statements = [];
  if (preferences.length > 0) {
    statements.push(
      db
        .insert(notificationPreferences)
        .values(
          preferences.map((pref) => ({
            agentId,
            eventType: pref.event,
            inApp: pref.inApp,
            email: pref.email,
            updatedAt: new Date(now),
          })),
        )
        .onConflictDoUpdate({
          target: [notificationPreferences.agentId, notificationPreferences.eventType],
          set: {
            inApp: sql`excluded.in_app`,
            email: sql`excluded.email`,
            updatedAt: sql`excluded.updated_at`,
          },
        }),
    );
  }
  if (input.quietHours !== undefined || input.digest !== undefined) {
    statements.push(
      db
        .update(agents)
        .set({
          quietHoursStart: next.quietHoursStart,
          quietHoursEnd: next.quietHoursEnd,
          digestTime: next.digestTime,
          updatedAt: new Date(now),
        })
        .where(eq(agents.id, agentId)),
    );
  }
  if (input.quietHours !== undefined) {
    // Held email follows the new quiet hours: it goes now, or when they end.
    const releaseAt = new Date(quietHoursEndAt(now, next.timezone, quietHoursOf(next)) ?? now);
    statements.push(
      db
        .update(notifications)
        .set({ emailDueAt: releaseAt })
        .where(and(eq(notifications.agentId, agentId), eq(notifications.emailStatus, "held"))),
    );
  }
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
  await rescheduleNotifications(env, agentId);
  return getNotificationSettings(db, agentId);
}

const DAY_MS = 24 * 3600_000;

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/** A zone Intl does not know (never saved by the profile form, but rows outlive forms) reads as UTC. */
function safeZone(timeZone: string): string {
  try {
    utcToZoned(0, timeZone);
    return timeZone;
  } catch {
    return "UTC";
  }
}

/**
 * When the quiet hours around `now` end (epoch ms), or null when `now` is outside them. Times are the
 * agent's wall clock; a window whose start is after its end (21:00-07:00) crosses midnight.
 */
export function quietHoursEndAt(now: number, timeZone: string, quiet: QuietHours | null): number | null {
  if (!quiet || quiet.start === quiet.end) return null;
  const zone = safeZone(timeZone);
  const { date, time } = utcToZoned(now, zone);
  const crosses = quiet.start > quiet.end;
  const inside = crosses ? time >= quiet.start || time < quiet.end : time >= quiet.start && time < quiet.end;
  if (!inside) return null;
  const endDate = crosses && time >= quiet.start ? nextDate(date) : date;
  const end = zonedTimeToUtc(endDate, quiet.end, zone);
  // A fall-back hour can make the wall clock's end an instant already past: nothing to wait for then.
  return end > now ? end : null;
}

/** The agent's digest on the local date of `now`: that date and its moment, and the next day's moment. */
export function digestMoments(now: number, timeZone: string, digestTime: string) {
  const zone = safeZone(timeZone);
  const { date } = utcToZoned(now, zone);
  return {
    date,
    today: zonedTimeToUtc(date, digestTime, zone),
    tomorrow: zonedTimeToUtc(nextDate(date), digestTime, zone),
  };
}
