import { env } from "cloudflare:workers";
import { encodeBase64 } from "@oslojs/encoding";
import { describe, expect, it } from "vitest";
import { needsReseal, openToken, sealToken, TokenKeyError } from "../src/lib/token-crypto";

const newKey = () => encodeBase64(crypto.getRandomValues(new Uint8Array(32)));
const TOKEN = "EAAPageTokenForTheTestsOnly0123456789";

describe("token crypto", () => {
  it("round-trips a token and never stores it in the clear", async () => {
    const sealed = await sealToken(env, TOKEN, "row-1");
    expect(sealed.ciphertext).not.toContain(TOKEN);
    expect(sealed.iv).toMatch(/^[A-Za-z0-9+/]{16}$/);
    expect(sealed.keyId).toMatch(/^k_/);
    expect(await openToken(env, sealed, "row-1")).toBe(TOKEN);
    // A fresh IV each time: two seals of one token differ.
    expect((await sealToken(env, TOKEN, "row-1")).ciphertext).not.toBe(sealed.ciphertext);
  });

  it("refuses a ciphertext opened for another row (the row id is the additional data)", async () => {
    const sealed = await sealToken(env, TOKEN, "row-1");
    await expect(openToken(env, sealed, "row-2")).rejects.toBeInstanceOf(TokenKeyError);
  });

  it("refuses a tampered ciphertext and an emptied one", async () => {
    const sealed = await sealToken(env, TOKEN, "row-1");
    const bytes = Uint8Array.from(atob(sealed.ciphertext), (c) => c.charCodeAt(0));
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    const tampered = { ...sealed, ciphertext: encodeBase64(bytes) };
    await expect(openToken(env, tampered, "row-1")).rejects.toBeInstanceOf(TokenKeyError);
    await expect(openToken(env, { ciphertext: "", iv: "", keyId: "" }, "row-1")).rejects.toBeInstanceOf(
      TokenKeyError,
    );
  });

  it("rotates: the previous key still opens old rows, new rows use the current key", async () => {
    const oldKey = newKey();
    const currentKey = newKey();
    const before = { TOKEN_ENCRYPTION_KEY: oldKey, TOKEN_ENCRYPTION_KEY_PREVIOUS: "" };
    const during = { TOKEN_ENCRYPTION_KEY: currentKey, TOKEN_ENCRYPTION_KEY_PREVIOUS: oldKey };
    const old = await sealToken(before, TOKEN, "row-1");
    expect(await openToken(during, old, "row-1")).toBe(TOKEN);
    expect(await needsReseal(during, old.keyId)).toBe(true);
    const fresh = await sealToken(during, TOKEN, "row-1");
    expect(fresh.keyId).not.toBe(old.keyId);
    expect(await needsReseal(during, fresh.keyId)).toBe(false);
    // Once the previous key is removed, old rows no longer open; the error names the key id, not the token.
    const after = { TOKEN_ENCRYPTION_KEY: currentKey, TOKEN_ENCRYPTION_KEY_PREVIOUS: "" };
    const refused = await openToken(after, old, "row-1").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TokenKeyError);
    expect(String((refused as Error).message)).toContain(old.keyId);
    expect(String((refused as Error).message)).not.toContain(TOKEN);
    expect(await openToken(after, fresh, "row-1")).toBe(TOKEN);
  });

  it("refuses an unknown key id and a malformed or missing key", async () => {
    const sealed = await sealToken(env, TOKEN, "row-1");
    await expect(openToken(env, { ...sealed, keyId: "k_unknown" }, "row-1")).rejects.toThrow(
      /no configured key/,
    );
    await expect(
      sealToken({ TOKEN_ENCRYPTION_KEY: "", TOKEN_ENCRYPTION_KEY_PREVIOUS: "" }, TOKEN, "row-1"),
    ).rejects.toBeInstanceOf(TokenKeyError);
    await expect(
      sealToken(
        { TOKEN_ENCRYPTION_KEY: encodeBase64(new Uint8Array(16)), TOKEN_ENCRYPTION_KEY_PREVIOUS: "" },
        TOKEN,
        "r",
      ),
    ).rejects.toThrow(/32 bytes/);
  });
});
