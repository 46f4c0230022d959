import { scrypt } from "node:crypto";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { decodeBase64, encodeBase64 } from "@oslojs/encoding";

// scrypt with OWASP's listed parameters N=2^14, r=8, p=5 (16 MiB): runs natively in workerd
// (BoringSSL) in ~0.27 s of CPU, inside a paid Worker's CPU limit and well under its 128 MB memory.
// PBKDF2 at OWASP's 600k iterations is not an option: Workers cap PBKDF2 at 100k.
const PARAMS = { logN: 14, r: 8, p: 5 } as const;
const KEY_LENGTH = 32;

/** Every scrypt run since the isolate started: lets tests prove that throttling stops work before scrypt. */
export const passwordWork = { derivations: 0 };

function derive(password: string, salt: Uint8Array, logN: number, r: number, p: number) {
  passwordWork.derivations++;
  return new Promise<Uint8Array>((resolve, reject) => {
    scrypt(
      password.normalize("NFKC"),
      salt,
      KEY_LENGTH,
      { N: 2 ** logN, r, p, maxmem: 64 * 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(new Uint8Array(key))),
    );
  });
}

/** Returns a PHC-style string: `$scrypt$ln=14,r=8,p=5$<salt>$<hash>` (base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await derive(password, salt, PARAMS.logN, PARAMS.r, PARAMS.p);
  return `$scrypt$ln=${PARAMS.logN},r=${PARAMS.r},p=${PARAMS.p}$${encodeBase64(salt)}$${encodeBase64(key)}`;
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  const match = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([^$]+)\$([^$]+)$/.exec(hash);
  if (!match) return false;
  const [, logN, r, p, salt, expected] = match as unknown as [string, string, string, string, string, string];
  const key = await derive(password, decodeBase64(salt), Number(logN), Number(r), Number(p));
  return constantTimeEqual(key, decodeBase64(expected));
}

const DUMMY_HASH =
  "$scrypt$ln=14,r=8,p=5$x9qiI0DW2w/O/IUq75VnSQ==$M46hrN4umlbf5Iu0bIu4A1XVkyDZZnoXEZntU0+M5s8=";

/** Spends the same work as a real verification, so an unknown email is not revealed by timing. */
export async function burnPasswordCheck(password: string): Promise<void> {
  await verifyPassword(DUMMY_HASH, password);
}

export function needsRehash(hash: string): boolean {
  return !hash.startsWith(`$scrypt$ln=${PARAMS.logN},r=${PARAMS.r},p=${PARAMS.p}$`);
}
