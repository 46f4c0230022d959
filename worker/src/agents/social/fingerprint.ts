// A fingerprint of a post's text, stored before a publishing call so that after an ambiguous answer the
// read-back can recognise our own post on the Page. Graph may trim or re-wrap the text, so it is
// normalised first (Unicode NFC, line endings, runs of white space, case) and then hashed.
import { encodeHexLowerCase } from "@oslojs/encoding";

export function normalizePostText(text: string): string {
  return text.normalize("NFC").replace(/\s+/gu, " ").trim().toLowerCase();
}

export async function fingerprint(text: string): Promise<string> {
  const bytes = new TextEncoder().encode(normalizePostText(text));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return encodeHexLowerCase(digest.subarray(0, 16));
}
