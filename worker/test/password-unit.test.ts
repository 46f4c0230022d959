import { describe, expect, it } from "vitest";
import { hashPassword, needsRehash, verifyPassword } from "../src/services/auth/password";

describe("password hashing (scrypt, OWASP parameters)", () => {
  it("verifies the right password, refuses a wrong one, and salts every hash", async () => {
    const a = await hashPassword("correct horse battery staple");
    const b = await hashPassword("correct horse battery staple");
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, "correct horse battery staple")).toBe(true);
    expect(await verifyPassword(a, "correct horse battery stapl")).toBe(false);
    expect(needsRehash(a)).toBe(false);
  });

  it("treats Unicode compositions alike (NFKC) and refuses malformed hashes", async () => {
    const hash = await hashPassword("caf\u00e9-passphrase");
    expect(await verifyPassword(hash, "cafe\u0301-passphrase")).toBe(true);
    expect(await verifyPassword("$argon2id$v=19$whatever", "x")).toBe(false);
    expect(await verifyPassword("", "x")).toBe(false);
  });

  it("flags hashes made with weaker parameters for rehash", () => {
    expect(needsRehash("$scrypt$ln=10,r=8,p=1$c2FsdA==$aGFzaA==")).toBe(true);
  });
});
