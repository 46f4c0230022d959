import { isTRPCClientError } from "@trpc/client";

export type FieldErrors = Record<string, string[]>;

type ErrorData = { code?: string; httpStatus?: number; fieldErrors?: FieldErrors | null };

function dataOf(error: unknown): ErrorData | undefined {
  return isTRPCClientError(error) ? (error.data as ErrorData | undefined) : undefined;
}

/** The tRPC error code ("UNAUTHORIZED", "CONFLICT", ...) or undefined for network and unknown errors. */
export function errorCode(error: unknown): string | undefined {
  return dataOf(error)?.code;
}

export function isUnauthorized(error: unknown): boolean {
  return errorCode(error) === "UNAUTHORIZED";
}

/** 4xx answers will not change on retry; network failures and 5xx might. */
export function isClientError(error: unknown): boolean {
  const status = dataOf(error)?.httpStatus;
  return status !== undefined && status >= 400 && status < 500;
}

export function fieldErrorsOf(error: unknown): FieldErrors | null {
  return dataOf(error)?.fieldErrors ?? null;
}

/** A message fit to show the user; the server already words its errors for people. */
export function errorMessage(error: unknown): string {
  if (isTRPCClientError(error) && !error.data) {
    return "Could not reach the server. Check your connection and try again.";
  }
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong. Please try again.";
}
