import type { inferRouterOutputs } from "@trpc/server";
import type { PostStatus, SocialPlatform } from "db/rules";
import type { AppRouter } from "worker/router";
import { MAX_SCHEDULE_AHEAD_MS, utcToZoned, zonedTimeToUtc } from "worker/schemas/posts";
import { addDays, dayMs, dayOf } from "./days";

type Outputs = inferRouterOutputs<AppRouter>;
type PostItemOutput = Outputs["posts"]["list"]["items"][number];
type PostDetailOutput = Outputs["posts"]["get"];

// Interfaces, not aliases, so web's declarations can name them without reaching into worker internals.
/** One post as `posts.list` lists it. */
export interface PostItem extends PostItemOutput {}
/** One post with its text, as `posts.get` returns it. */
export interface PostDetail extends PostDetailOutput {}

export type { PostStatus, SocialPlatform };
export { MAX_SCHEDULE_AHEAD_MS, utcToZoned, zonedTimeToUtc };

export const PLATFORM_LABELS: Record<SocialPlatform, string> = {
  facebook: "Facebook",
  instagram: "Instagram",
};

export const POST_STATUS_LABELS: Record<PostStatus, string> = {
  scheduled: "Scheduled",
  publishing: "Publishing…",
  published: "Published",
  failed: "Failed",
  unconfirmed: "Unconfirmed",
  cancelled: "Cancelled",
};

/** A scheduled time must leave the scheduler a minute; sooner is "post now". */
export const MIN_SCHEDULE_LEAD_MS = 60_000;

/** The live post's link text: "View on Facebook". */
export const viewOn = (platform: SocialPlatform) => `View on ${PLATFORM_LABELS[platform]}`;

/** Where Chris checks a post that could not be confirmed: his Page, or his Instagram profile. */
export function accountUrl(
  platform: SocialPlatform,
  account: { pageId?: string; externalId?: string; username: string | null } | null,
): string {
  if (platform === "instagram") {
    return account?.username
      ? `https://www.instagram.com/${account.username}/`
      : "https://www.instagram.com/";
  }
  const pageId = account?.pageId || account?.externalId;
  return pageId ? `https://www.facebook.com/${pageId}` : "https://www.facebook.com/";
}

export type ScheduleCheck = { at: number; error: null } | { at: null; error: string };

/**
 * A date ("YYYY-MM-DD") and time ("HH:MM") picked in the agent's zone -> epoch ms, or why it can't be
 * scheduled: it must be at least a minute ahead and within a year (what the worker accepts).
 */
export function checkScheduleTime(
  date: string,
  time: string,
  timeZone: string,
  now = Date.now(),
): ScheduleCheck {
  if (!date || !time) return { at: null, error: "Choose a date and a time" };
  let at: number;
  try {
    at = zonedTimeToUtc(date, time, timeZone);
  } catch {
    return { at: null, error: "Enter a valid date and time" };
  }
  if (at < now + MIN_SCHEDULE_LEAD_MS) return { at: null, error: "Choose a time in the future" };
  if (at > now + MAX_SCHEDULE_AHEAD_MS) return { at: null, error: "Choose a time within a year from now" };
  return { at, error: null };
}

// ——— Calendar days, as "YYYY-MM-DD" strings in the agent's zone ———

export {
  addDays,
  addMonths,
  type CalendarView,
  isDay,
  monthStart,
  viewDays,
  weekdayOf,
  weekStart,
} from "./days";

/** The epoch-ms range [from, to) of the days, midnight to midnight in the agent's zone. */
export function daysRange(days: string[], timeZone: string): { from: number; to: number } {
  const first = days[0] ?? dayOf(Date.now());
  const last = days.at(-1) ?? first;
  return {
    from: zonedTimeToUtc(first, "00:00", timeZone),
    to: zonedTimeToUtc(addDays(last, 1), "00:00", timeZone),
  };
}

export const todayIn = (timeZone: string, now = Date.now()) => utcToZoned(now, timeZone).date;

function format(timeZone: string, options: Intl.DateTimeFormatOptions) {
  try {
    return new Intl.DateTimeFormat("en-US", { ...options, timeZone });
  } catch {
    return new Intl.DateTimeFormat("en-US", options);
  }
}

/** "9:00 AM" in the agent's zone. */
export const formatTime = (epochMs: number, timeZone: string) =>
  format(timeZone, { hour: "numeric", minute: "2-digit" }).format(epochMs);

/** "Monday, March 15, 2027 at 9:00 AM EDT" in the agent's zone. */
export const formatLong = (epochMs: number, timeZone: string) =>
  format(timeZone, {
    weekday: "long",
    month: "long",
    day: "numeric",
    year: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(epochMs);

/** A calendar day written out ("Mon, Mar 15"); the day is a date, not an instant, so read as UTC. */
export const formatDay = (day: string, options: Intl.DateTimeFormatOptions) =>
  new Intl.DateTimeFormat("en-US", { ...options, timeZone: "UTC" }).format(dayMs(day));
