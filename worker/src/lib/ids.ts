import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";

/** A random, URL-safe id (120 bits). */
export function newId(): string {
  return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(15)));
}
