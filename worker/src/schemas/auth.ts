import * as z from "zod/mini";
import { email, text } from "./common";

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

// A short deny-list of the most common passwords that pass the length rule (OWASP ASVS 2.1.7).
const COMMON_PASSWORDS = new Set([
  "123456789012",
  "1234567890123",
  "password1234",
  "password12345",
  "passwordpassword",
  "qwertyuiop12",
  "qwerty123456",
  "1q2w3e4r5t6y",
  "iloveyou1234",
  "letmein12345",
  "welcome12345",
  "realestate123",
  "changeme1234",
]);

export const newPassword = z.string().check(
  z.minLength(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters`),
  z.maxLength(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters`),
  z.refine((value) => !COMMON_PASSWORDS.has(value.toLowerCase()), "This password is too common"),
);

export const registerInput = z.object({
  email,
  password: newPassword,
  name: text(100, 1, "Name"),
  brokerageName: z.optional(text(120, 0, "Brokerage name")),
});

export const loginInput = z.object({
  email,
  password: z
    .string()
    .check(
      z.minLength(1, "Password is required"),
      z.maxLength(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters`),
    ),
});

export type RegisterInput = z.infer<typeof registerInput>;
export type LoginInput = z.infer<typeof loginInput>;
