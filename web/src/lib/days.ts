// Calendar days, as "YYYY-MM-DD" strings in the agent's zone: plain date arithmetic, no time zones. Apart
// from lib/posts because the calendar route checks its `?date=` with `isDay` in the entry, and lib/posts
// brings the worker's zone conversion with it.

export const DAY_MS = 24 * 3600_000;
export const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);
export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const addDays = (day: string, days: number) => dayOf(dayMs(day) + days * DAY_MS);

/** 0 = Sunday. */
export const weekdayOf = (day: string) => new Date(dayMs(day)).getUTCDay();

/** The Sunday on or before `day` (weeks start on Sunday, as US calendars do). */
export const weekStart = (day: string) => addDays(day, -weekdayOf(day));

export const monthStart = (day: string) => `${day.slice(0, 7)}-01`;

export function addMonths(day: string, months: number): string {
  const date = new Date(dayMs(monthStart(day)));
  date.setUTCMonth(date.getUTCMonth() + months);
  return dayOf(date.getTime());
}

export const isDay = (value: unknown): value is string =>
  typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) && dayOf(dayMs(value)) === value;

export type CalendarView = "week" | "month";

/** The days a view shows: a week, or the month's whole weeks (Sunday to Saturday, at most 42 days). */
export function viewDays(view: CalendarView, anchor: string): string[] {
  if (view === "week") {
    const start = weekStart(anchor);
    return Array.from({ length: 7 }, (_, i) => addDays(start, i));
  }
  const first = monthStart(anchor);
  const start = weekStart(first);
  const last = addDays(addMonths(first, 1), -1);
  const end = addDays(last, 6 - weekdayOf(last));
  const count = Math.round((dayMs(end) - dayMs(start)) / DAY_MS) + 1;
  return Array.from({ length: count }, (_, i) => addDays(start, i));
}
