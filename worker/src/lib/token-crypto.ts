// OAuth tokens at rest: AES-256-GCM with TOKEN_ENCRYPTION_KEY (base64 of 32 bytes). Each ciphertext keeps
// the id of the key that sealed it, so a key can rotate: TOKEN_ENCRYPTION_KEY_PREVIOUS still opens old rows
// while new ones use the current key. The row's own id is the additional data, so a ciphertext copied to
// another row does not open. Tokens never leave this module except to the Graph client.
import { decodeBase64, encodeBase64, encodeBase64urlNoPadding } from "@oslojs/encoding";

export type SealedToken = { ciphertext: string; iv: string; keyId: string };

type KeyEnv = Pick<Env, "TOKEN_ENCRYPTION_KEY" | "TOKEN_ENCRYPTION_KEY_PREVIOUS">;

/** A missing, malformed or unknown key: a configuration problem, never the token's content. */
export class TokenKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TokenKeyError";
  }
}

type LoadedKey = { id: string; key: CryptoKey };
// Imported once per isolate and key: importKey and the SHA-256 for the id cost more than a seal.
const loaded = new Map<string, Promise<LoadedKey>>();

function loadKey(base64: string): Promise<LoadedKey> {
  let entry = loaded.get(base64);
  if (!entry) {
    entry = (async () => {
      let raw: Uint8Array;
      try {
        raw = decodeBase64(base64.trim());
      } catch {
        throw new TokenKeyError("TOKEN_ENCRYPTION_KEY is not base64");
      }
      if (raw.length !== 32) throw new TokenKeyError("TOKEN_ENCRYPTION_KEY must be 32 bytes (base64)");
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", raw));
      const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
      return { id: `k_${encodeBase64urlNoPadding(digest.subarray(0, 6))}`, key };
    })();
    entry.catch(() => loaded.delete(base64));
    loaded.set(base64, entry);
  }
  return entry;
}

function currentKey(env: KeyEnv): Promise<LoadedKey> {
  if (!env.TOKEN_ENCRYPTION_KEY) throw new TokenKeyError("TOKEN_ENCRYPTION_KEY is not set");
  return loadKey(env.TOKEN_ENCRYPTION_KEY);
}

const encoder = new TextEncoder();

/** Encrypts `token` for the row `rowId` (the additional data) with the current key. */
export async function sealToken(env: KeyEnv, token: string, rowId: string): Promise<SealedToken> {
  const { id, key } = await currentKey(env);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(rowId) },
    key,
    encoder.encode(token),
  );
  return { ciphertext: encodeBase64(new Uint8Array(ciphertext)), iv: encodeBase64(iv), keyId: id };
}

/** Decrypts a token sealed for `rowId`, with whichever configured key has its id. */
export async function openToken(env: KeyEnv, sealed: SealedToken, rowId: string): Promise<string> {
  if (!sealed.ciphertext) throw new TokenKeyError("no token stored");
  const candidates = [env.TOKEN_ENCRYPTION_KEY, env.TOKEN_ENCRYPTION_KEY_PREVIOUS].filter(Boolean);
  for (const base64 of candidates) {
    const { id, key } = await loadKey(base64);
    if (id !== sealed.keyId) continue;
    try {
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: decodeBase64(sealed.iv), additionalData: encoder.encode(rowId) },
        key,
        decodeBase64(sealed.ciphertext),
      );
      return new TextDecoder().decode(plain);
    } catch {
      throw new TokenKeyError("the stored token does not decrypt (tampered, or sealed for another row)");
    }
  }
  throw new TokenKeyError(`no configured key has id ${sealed.keyId}`);
}

/** Whether a row sealed with `keyId` should be re-sealed with the current key (rotation in progress). */
export async function needsReseal(env: KeyEnv, keyId: string): Promise<boolean> {
  return (await currentKey(env)).id !== keyId;
}
