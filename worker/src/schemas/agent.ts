import * as z from "zod/mini";
import { email, isValidTimeZone, text } from "./common";

export const profileInput = z.object({
  name: text(100, 1, "Name"),
  brokerageName: text(120, 0, "Brokerage name"),
  licenseNumber: z
    .string()
    .check(
      z.trim(),
      z.maxLength(40, "License number must be at most 40 characters"),
      z.regex(/^[A-Za-z0-9 -]*$/, "License number may contain letters, digits, spaces and dashes"),
    ),
  phone: z
    .string()
    .check(
      z.trim(),
      z.maxLength(30, "Phone must be at most 30 characters"),
      z.regex(/^[0-9+().\s-]*$/, "Phone may contain digits, spaces and + ( ) . -"),
    ),
  timezone: z.string().check(z.refine(isValidTimeZone, "Choose a valid time zone")),
  marketingEmail: z.optional(z.nullable(z.union([z.literal(""), email]))),
  /** Draft posts automatically when the listing agent finds a new or changed listing. */
  autoDraftNewListings: z.optional(z.boolean()),
  /** Days without an answer before the marketing department is reminded of a draft (once). */
  marketingReminderDays: z.optional(
    z
      .int("Reminder days must be a whole number")
      .check(z.minimum(1, "Remind after at least 1 day"), z.maximum(30, "Remind after at most 30 days")),
  ),
});

export type ProfileInput = z.infer<typeof profileInput>;
