import { describe, expect, it } from "vitest";
import { calendarDatesIn, utcToZoned, zonedTimeToUtc } from "../src/lib/time";

const utc = (iso: string) => Date.parse(iso);

describe("zonedTimeToUtc", () => {
  it("reads 09:00 New York with the offset in force that day, either side of both DST changes", () => {
    // Spring forward is 2026-03-08, fall back 2026-11-01.
    expect(zonedTimeToUtc("2026-03-07", "09:00", "America/New_York")).toBe(utc("2026-03-07T14:00:00Z"));
    expect(zonedTimeToUtc("2026-03-09", "09:00", "America/New_York")).toBe(utc("2026-03-09T13:00:00Z"));
    expect(zonedTimeToUtc("2026-10-31", "09:00", "America/New_York")).toBe(utc("2026-10-31T13:00:00Z"));
    expect(zonedTimeToUtc("2026-11-02", "09:00", "America/New_York")).toBe(utc("2026-11-02T14:00:00Z"));
  });

  it("moves a time in the spring-forward gap forward by the gap", () => {
    // 02:30 does not exist on 2026-03-08 in New York: the clocks go 01:59 EST -> 03:00 EDT.
    expect(zonedTimeToUtc("2026-03-08", "02:30", "America/New_York")).toBe(utc("2026-03-08T07:30:00Z"));
    expect(utcToZoned(utc("2026-03-08T07:30:00Z"), "America/New_York")).toEqual({
      date: "2026-03-08",
      time: "03:30",
    });
    // Just around the gap.
    expect(zonedTimeToUtc("2026-03-08", "01:59", "America/New_York")).toBe(utc("2026-03-08T06:59:00Z"));
    expect(zonedTimeToUtc("2026-03-08", "03:00", "America/New_York")).toBe(utc("2026-03-08T07:00:00Z"));
  });

  it("takes the earlier instant for a fall-back time that happens twice", () => {
    // 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST) on 2026-11-01.
    expect(zonedTimeToUtc("2026-11-01", "01:30", "America/New_York")).toBe(utc("2026-11-01T05:30:00Z"));
    expect(zonedTimeToUtc("2026-11-01", "02:00", "America/New_York")).toBe(utc("2026-11-01T07:00:00Z"));
  });

  it("handles other zones: London's own DST dates, India's half-hour offset, UTC", () => {
    expect(zonedTimeToUtc("2026-03-28", "09:00", "Europe/London")).toBe(utc("2026-03-28T09:00:00Z"));
    expect(zonedTimeToUtc("2026-03-30", "09:00", "Europe/London")).toBe(utc("2026-03-30T08:00:00Z"));
    // London springs forward at 01:00 on 2026-03-29; 01:30 moves to 02:30 BST.
    expect(zonedTimeToUtc("2026-03-29", "01:30", "Europe/London")).toBe(utc("2026-03-29T01:30:00Z"));
    // And falls back at 02:00 BST on 2026-10-25: 01:30 is first the BST one.
    expect(zonedTimeToUtc("2026-10-25", "01:30", "Europe/London")).toBe(utc("2026-10-25T00:30:00Z"));
    expect(zonedTimeToUtc("2026-07-01", "09:00", "Asia/Kolkata")).toBe(utc("2026-07-01T03:30:00Z"));
    expect(zonedTimeToUtc("2026-01-01", "00:15", "Asia/Kolkata")).toBe(utc("2025-12-31T18:45:00Z"));
    expect(zonedTimeToUtc("2026-12-31", "23:59", "UTC")).toBe(utc("2026-12-31T23:59:00Z"));
  });

  it("refuses a date or time that does not exist on any calendar, and an unknown zone", () => {
    expect(() => zonedTimeToUtc("2026-02-30", "09:00", "UTC")).toThrow(RangeError);
    expect(() => zonedTimeToUtc("2026-02-10", "24:00", "UTC")).toThrow(RangeError);
    expect(() => zonedTimeToUtc("2026-2-10", "9:00", "UTC")).toThrow(RangeError);
    expect(() => zonedTimeToUtc("2026-02-10", "09:00", "Mars/Olympus")).toThrow(RangeError);
  });
});

describe("utcToZoned", () => {
  it("shows an instant on the zone's wall clock, across midnight and DST", () => {
    expect(utcToZoned(utc("2026-03-09T13:00:00Z"), "America/New_York")).toEqual({
      date: "2026-03-09",
      time: "09:00",
    });
    expect(utcToZoned(utc("2026-11-01T06:30:00Z"), "America/New_York")).toEqual({
      date: "2026-11-01",
      time: "01:30",
    });
    expect(utcToZoned(utc("2026-07-01T20:00:00Z"), "Asia/Kolkata")).toEqual({
      date: "2026-07-02",
      time: "01:30",
    });
    expect(utcToZoned(utc("2026-07-01T00:00:00Z"), "UTC")).toEqual({ date: "2026-07-01", time: "00:00" });
  });

  it("round-trips every quarter hour of a DST week in New York, except the gap", () => {
    const start = utc("2026-03-05T05:00:00Z");
    for (let t = start; t < start + 7 * 24 * 3600_000; t += 15 * 60_000) {
      const { date, time } = utcToZoned(t, "America/New_York");
      expect(zonedTimeToUtc(date, time, "America/New_York")).toBe(t);
    }
  });
});

describe("calendarDatesIn", () => {
  const DAY = 86_400_000;
  /** Every 20 minutes of [from - 2 days, to + 2 days]: the fast dates inside, Intl's outside. */
  const expectIntlDates = (timeZone: string, from: number, to: number) => {
    const dateOf = calendarDatesIn(timeZone, from, to);
    const wrong: string[] = [];
    for (let at = from - 2 * DAY; at <= to + 2 * DAY; at += 20 * 60_000) {
      const expected = utcToZoned(at, timeZone).date;
      if (dateOf(at) !== expected) wrong.push(`${new Date(at).toISOString()}: ${dateOf(at)} != ${expected}`);
    }
    expect(wrong).toEqual([]);
  };

  it("gives Intl's date for every instant of a 30-day window, with and without a DST change in it", () => {
    const windows: [string, string][] = [
      ["America/New_York", "2026-12-01T17:04:05.123Z"], // starts hours after the fall-back of 2026-11-01
      ["America/New_York", "2026-11-01T05:00:00.000Z"], // fall back an hour after it ends
      ["America/New_York", "2026-12-01T23:59:59.999Z"], // later the same day: the kept span
      ["America/New_York", "2026-12-02T00:00:00.000Z"], // the next UTC day
      ["America/New_York", "2026-11-15T12:00:00.000Z"], // fall back on 2026-11-01 inside it
      ["America/New_York", "2026-03-20T03:30:00.000Z"], // spring forward on 2026-03-08 inside it
      ["Europe/London", "2026-04-10T00:30:00.000Z"],
      ["Asia/Kolkata", "2026-06-30T18:29:00.000Z"], // +05:30 near its midnight
      ["Australia/Lord_Howe", "2026-04-20T13:00:00.000Z"], // a 30-minute DST change on 2026-04-05
      ["Pacific/Chatham", "2026-04-20T11:00:00.000Z"], // +12:45 / +13:45
      ["UTC", "2026-12-01T00:00:00.000Z"],
    ];
    for (const [zone, iso] of windows) {
      const to = Date.parse(iso);
      expectIntlDates(zone, to - 30 * DAY, to);
    }
  });

  it("does not carry a steady offset over to a window with a DST change", () => {
    const zone = "America/Chicago";
    const steady = Date.parse("2026-10-20T12:00:00Z"); // 30 days before: no change (it is 2026-11-01)
    expectIntlDates(zone, steady - 30 * DAY, steady);
    const across = Date.parse("2026-11-03T12:00:00Z");
    expectIntlDates(zone, across - 30 * DAY, across);
    expectIntlDates(zone, steady - 30 * DAY, steady);
  });
});
