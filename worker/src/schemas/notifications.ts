import { NOTIFICATION_EVENTS } from "db/rules";
import * as z from "zod/mini";

const id = z.string().check(z.minLength(1), z.maxLength(64));

export const notificationListInput = z.object({
  cursor: z.optional(z.string().check(z.maxLength(200))),
  limit: z._default(z.int().check(z.minimum(1), z.maximum(50)), 20),
  unreadOnly: z.optional(z.boolean()),
  /** Only what the bell shows: notifications whose in-app channel was on when they were written. */
  inApp: z.optional(z.boolean()),
  event: z.optional(z.enum(NOTIFICATION_EVENTS)),
});
export type NotificationListInput = z.infer<typeof notificationListInput>;

export const markReadInput = z.object({ ids: z.array(id).check(z.minLength(1), z.maxLength(100)) });

/** A wall-clock time, "HH:MM" from 00:00 to 23:59. */
const clockTime = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Enter a time like 07:00"));

export const notificationPreferenceInput = z.object({
  event: z.enum(NOTIFICATION_EVENTS),
  inApp: z.boolean(),
  email: z.boolean(),
});

export const notificationSettingsInput = z.object({
  /** Only the events that change; the others keep their saved choice or default. */
  preferences: z.optional(
    z.array(notificationPreferenceInput).check(
      z.maxLength(NOTIFICATION_EVENTS.length),
      z.refine(
        (prefs) => new Set(prefs.map((pref) => pref.event)).size === prefs.length,
        "Each event may appear once",
      ),
    ),
  ),
  /** null turns quiet hours off. */
  quietHours: z.optional(
    z.nullable(
      z.object({ start: clockTime, end: clockTime }).check(
        z.refine((hours) => hours.start !== hours.end, {
          message: "Quiet hours must end at a different time than they start",
          path: ["end"],
        }),
      ),
    ),
  ),
  /** null turns the daily digest off. */
  digest: z.optional(z.nullable(z.object({ time: clockTime }))),
});
export type NotificationSettingsInput = z.infer<typeof notificationSettingsInput>;
