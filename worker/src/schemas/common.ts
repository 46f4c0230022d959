import * as z from "zod/mini";

/** Trimmed text with a length cap; `min` > 0 makes it required. */
export const text = (max: number, min = 0, label = "This field") =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(min, min <= 1 ? `${label} is required` : `${label} must be at least ${min} characters`),
      z.maxLength(max, `${label} must be at most ${max} characters`),
    );

/** Emails are trimmed, NFKC-normalized and lower-cased before anything else sees them. */
export const email = z.pipe(
  z.string().check(z.trim(), z.normalize("NFKC"), z.toLowerCase(), z.maxLength(254, "Email is too long")),
  z.email("Enter a valid email address"),
);

export function isValidTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
