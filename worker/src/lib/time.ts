// Wall-clock times in a named time zone <-> UTC epoch ms, with Intl alone (no date library). The worker
// stores UTC; Chris picks and reads times in his own zone, and the web client converts with this code.

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    // Throws RangeError for a zone Intl does not know.
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** The wall clock in `timeZone` at `epochMs`, written as if it were UTC (whole seconds). */
function wallClock(epochMs: number, timeZone: string): number {
  const parts = formatFor(timeZone).formatToParts(epochMs);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  // Some engines print midnight as 24 even with h23.
  const hour = part("hour") % 24;
  return Date.UTC(part("year"), part("month") - 1, part("day"), hour, part("minute"), part("second"));
}

/** The zone's offset from UTC at `epochMs` (ms; negative west of Greenwich). */
export function zoneOffsetMs(epochMs: number, timeZone: string): number {
  return wallClock(epochMs, timeZone) - Math.floor(epochMs / 1000) * 1000;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})$/;
const DAY_MS = 24 * 3600_000;

/**
 * "2026-03-09" + "09:00" in "America/New_York" -> epoch ms. Across daylight-saving changes: a time in the
 * spring-forward gap (02:30 that day) moves forward by the gap (03:30 daylight time); a fall-back time
 * that happens twice (01:30) is the earlier instant. Throws RangeError for a malformed date or time, or
 * an unknown zone.
 */
export function zonedTimeToUtc(localDate: string, localTime: string, timeZone: string): number {
  const date = DATE.exec(localDate);
  const time = TIME.exec(localTime);
  if (!date || !time) throw new RangeError(`Not a date and time: ${localDate} ${localTime}`);
  const [year, month, day] = date.slice(1).map(Number) as [number, number, number];
  const [hour, minute] = time.slice(1).map(Number) as [number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59) {
    throw new RangeError(`Not a date and time: ${localDate} ${localTime}`);
  }
  // The offsets in force a day either side cover any one transition near this time; each gives a
  // candidate instant, kept if it really shows this wall clock.
  const before = zoneOffsetMs(wall - DAY_MS, timeZone);
  const after = zoneOffsetMs(wall + DAY_MS, timeZone);
  const matches = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((instant) => wallClock(instant, timeZone) === wall)
    .sort((a, b) => a - b);
  // None matches only in a gap: read the time with the offset from before the jump, which lands after it.
  return matches[0] ?? wall - before;
}

/** Epoch ms -> the date ("YYYY-MM-DD") and time ("HH:MM") on the wall clock in `timeZone`. */
export function utcToZoned(epochMs: number, timeZone: string): { date: string; time: string } {
  const iso = new Date(wallClock(epochMs, timeZone)).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

// Spans over which a zone's offset was found the same, per isolate: the dashboard asks for the same 30
// days again and again.
const steadySpans = new Map<string, { start: number; end: number; offset: number }>();

/**
 * The zone's offset throughout [from, to], or null where it changes. Read once a day across the window
 * (no zone changes its offset twice within a day) and on to the end of `to`'s UTC day, kept so that a
 * later window of the same day costs no Intl call; only the window itself when the offset changes later
 * that day.
 */
function steadyOffsetMs(timeZone: string, from: number, to: number): number | null {
  const known = steadySpans.get(timeZone);
  if (known && from >= known.start && to <= known.end) return known.offset;
  const offset = zoneOffsetMs(from, timeZone);
  const steadyUntil = (until: number) => {
    for (let at = from + DAY_MS; at < until + DAY_MS; at += DAY_MS) {
      if (zoneOffsetMs(Math.min(at, until), timeZone) !== offset) return false;
    }
    return true;
  };
  const endOfDay = (Math.floor(to / DAY_MS) + 1) * DAY_MS;
  if (steadyUntil(endOfDay)) {
    steadySpans.set(timeZone, { start: from, end: endOfDay, offset });
    return offset;
  }
  return steadyUntil(to) ? offset : null;
}

/**
 * The calendar date ("YYYY-MM-DD") in `timeZone` of instants, fast inside [from, to]. Intl's
 * formatToParts costs ~10 µs a call and a month of posts would each need one: where the zone's offset is
 * the same throughout the window (no DST change in it), a date inside is that offset's arithmetic.
 * Otherwise, and outside the window, each date is asked of Intl.
 */
export function calendarDatesIn(timeZone: string, from: number, to: number): (at: number) => string {
  const slow = (at: number) => utcToZoned(at, timeZone).date;
  const offset = steadyOffsetMs(timeZone, from, to);
  if (offset === null) return slow;
  return (at) => (at >= from && at <= to ? new Date(at + offset).toISOString().slice(0, 10) : slow(at));
}
