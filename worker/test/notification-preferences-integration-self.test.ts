import { NOTIFICATION_EVENTS } from "db";
import { describe, expect, it } from "vitest";
import type { NotificationSettings } from "../src/agents/notifications/preferences";
import { signedUpBrowser, TestBrowser } from "./helpers/http";

const GET = "agent.getNotificationPreferences";
const UPDATE = "agent.updateNotificationPreferences";

describe("agent.getNotificationPreferences", () => {
  it("lists every event once with the defaults, no quiet hours and no digest", async () => {
    const { browser } = await signedUpBrowser();
    const res = await browser.query<NotificationSettings>(GET);
    expect(res.status).toBe(200);
    const { preferences, quietHours, digest, timezone } = res.data;
    expect(preferences.map((p) => p.event).sort()).toEqual([...NOTIFICATION_EVENTS].sort());
    expect(quietHours).toBeNull();
    expect(digest).toBeNull();
    expect(timezone).toBe("America/New_York");
    const byEvent = Object.fromEntries(preferences.map((p) => [p.event, p]));
    expect(byEvent.post_failed).toMatchObject({
      inApp: true,
      email: true,
      critical: true,
      digestible: false,
    });
    expect(byEvent.listing_new).toMatchObject({
      inApp: true,
      email: false,
      critical: false,
      digestible: true,
    });
    expect(byEvent.marketing_reminder).toMatchObject({ email: true, critical: false });
    expect(byEvent.post_scheduled).toMatchObject({ inApp: true, email: false });
    for (const pref of preferences) {
      expect(pref.label.length).toBeGreaterThan(0);
      expect(pref.description.length).toBeGreaterThan(0);
    }
  });

  it("needs a session", async () => {
    const res = await new TestBrowser().query(GET);
    expect(res.status).toBe(401);
  });
});

describe("agent.updateNotificationPreferences", () => {
  it("saves a partial matrix, quiet hours and a digest, and returns the settings as saved", async () => {
    const { browser } = await signedUpBrowser();
    const res = await browser.mutate<NotificationSettings>(UPDATE, {
      preferences: [
        { event: "post_succeeded", inApp: false, email: false },
        { event: "post_failed", inApp: true, email: false },
      ],
      quietHours: { start: "21:00", end: "07:00" },
      digest: { time: "08:00" },
    });
    expect(res.status).toBe(200);
    const read = await browser.query<NotificationSettings>(GET);
    expect(read.data).toEqual(res.data);
    expect(read.data.quietHours).toEqual({ start: "21:00", end: "07:00" });
    expect(read.data.digest).toEqual({ time: "08:00" });
    const byEvent = Object.fromEntries(read.data.preferences.map((p) => [p.event, p]));
    expect(byEvent.post_succeeded).toMatchObject({ inApp: false, email: false });
    expect(byEvent.post_failed).toMatchObject({ inApp: true, email: false });
    expect(byEvent.content_approved).toMatchObject({ inApp: true, email: true });
    // With a digest on, the low-priority events are emailed in it unless switched off.
    expect(byEvent.listing_new).toMatchObject({ email: true, digestible: true });

    // Saving again updates the same rows; null switches quiet hours and the digest off.
    const again = await browser.mutate<NotificationSettings>(UPDATE, {
      preferences: [{ event: "post_succeeded", inApp: true, email: true }],
      quietHours: null,
      digest: null,
    });
    expect(again.status).toBe(200);
    expect(again.data.quietHours).toBeNull();
    expect(again.data.digest).toBeNull();
    expect(again.data.preferences.find((p) => p.event === "post_succeeded")).toMatchObject({
      inApp: true,
      email: true,
    });
    expect(again.data.preferences.find((p) => p.event === "post_failed")).toMatchObject({ email: false });
  });

  it("refuses to switch a critical event off in-app, with a plain message, and saves nothing", async () => {
    const { browser } = await signedUpBrowser();
    const res = await browser.mutate(UPDATE, {
      preferences: [
        { event: "post_succeeded", inApp: false, email: false },
        { event: "post_unconfirmed", inApp: false, email: true },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.error?.data.code).toBe("BAD_REQUEST");
    expect(res.error?.data.fieldErrors).toBeNull();
    expect(res.error?.message).toMatch(/always shows in the app/);
    const read = await browser.query<NotificationSettings>(GET);
    expect(read.data.preferences.find((p) => p.event === "post_succeeded")).toMatchObject({ inApp: true });
  });

  it.each([
    ["a time past 23:59", { digest: { time: "24:00" } }, "digest.time"],
    ["a time without two-digit hours", { quietHours: { start: "7:00", end: "08:00" } }, "quietHours.start"],
    [
      "quiet hours that end when they start",
      { quietHours: { start: "22:00", end: "22:00" } },
      "quietHours.end",
    ],
    [
      "an unknown event",
      { preferences: [{ event: "listing_sold", inApp: true, email: true }] },
      "preferences.0.event",
    ],
    [
      "the same event twice",
      {
        preferences: [
          { event: "listing_new", inApp: true, email: true },
          { event: "listing_new", inApp: true, email: false },
        ],
      },
      "preferences",
    ],
    [
      "more entries than there are events",
      {
        preferences: Array.from({ length: NOTIFICATION_EVENTS.length + 1 }, () => ({
          event: "listing_new",
          inApp: true,
          email: true,
        })),
      },
      "preferences",
    ],
    ["a missing channel", { preferences: [{ event: "listing_new", inApp: true }] }, "preferences.0.email"],
  ])("refuses %s", async (_, input, field) => {
    const { browser } = await signedUpBrowser();
    const res = await browser.mutate(UPDATE, input);
    expect(res.status).toBe(400);
    expect(Object.keys(res.error?.data.fieldErrors ?? {})).toContain(field);
  });

  it("changes only the signed-in agent's settings", async () => {
    const chris = await signedUpBrowser("Chris");
    const pat = await signedUpBrowser("Pat");
    const before = await pat.browser.query<NotificationSettings>(GET);
    const res = await chris.browser.mutate(UPDATE, {
      // An agent id in the input is not part of the schema and changes nothing.
      agentId: pat.agentId,
      preferences: [{ event: "listing_new", inApp: false, email: true }],
      digest: { time: "06:30" },
    });
    expect(res.status).toBe(200);
    expect((await pat.browser.query<NotificationSettings>(GET)).data).toEqual(before.data);
    const mine = await chris.browser.query<NotificationSettings>(GET);
    expect(mine.data.digest).toEqual({ time: "06:30" });
  });

  it("needs a session", async () => {
    const res = await new TestBrowser().mutate(UPDATE, { digest: null });
    expect(res.status).toBe(401);
  });
});
