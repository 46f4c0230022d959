// Unsubscribe links: every notification email carries one (in List-Unsubscribe and the footer) that turns
// that event's email off, or the daily digest, without signing in. The token is the credential, so it is
// signed: HMAC-SHA256 over a versioned payload (agent id, event or "digest") with a key derived by HKDF
// from TOKEN_ENCRYPTION_KEY (info "unsubscribe-v1"); TOKEN_ENCRYPTION_KEY_PREVIOUS still verifies links
// sent before a rotation. No expiry: an unsubscribe link must keep working as long as the email exists.
// The worst a leaked token can do is switch one kind of email off for its agent.
import { decodeBase64, decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";
import { agents, NOTIFICATION_EVENTS, type NotificationEvent, notificationPreferences } from "db";
import { eq } from "drizzle-orm";
import { channelsFor, NOTIFICATION_EVENT_INFO } from "../agents/notifications/preferences";
import type { Db } from "../lib/db";

export type UnsubscribeTopic = NotificationEvent | "digest";
export type UnsubscribeTarget = { agentId: string; topic: UnsubscribeTopic };

type KeyEnv = Pick<Env, "TOKEN_ENCRYPTION_KEY" | "TOKEN_ENCRYPTION_KEY_PREVIOUS">;

const VERSION = "1";
const INFO = "unsubscribe-v1";
/** Far above a real token (~90 characters); anything longer is refused before any crypto. */
export const MAX_TOKEN_LENGTH = 256;

/** What the page says it turns off: the settings page's labels, and one for the digest. */
export const topicLabel = (topic: UnsubscribeTopic): string =>
  topic === "digest" ? "Daily summary" : NOTIFICATION_EVENT_INFO[topic].label;

const isTopic = (value: string): value is UnsubscribeTopic =>
  value === "digest" || (NOTIFICATION_EVENTS as readonly string[]).includes(value);

const encoder = new TextEncoder();
// Derived once per isolate and key.
const derived = new Map<string, Promise<CryptoKey>>();

function macKey(base64: string): Promise<CryptoKey> {
  let entry = derived.get(base64);
  if (!entry) {
    entry = (async () => {
      const raw = decodeBase64(base64.trim());
      if (raw.length !== 32) throw new Error("TOKEN_ENCRYPTION_KEY must be 32 bytes (base64)");
      const master = await crypto.subtle.importKey("raw", raw, "HKDF", false, ["deriveKey"]);
      return crypto.subtle.deriveKey(
        { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode(INFO) },
        master,
        { name: "HMAC", hash: "SHA-256", length: 256 },
        false,
        ["sign"],
      );
    })();
    entry.catch(() => derived.delete(base64));
    derived.set(base64, entry);
  }
  return entry;
}

const payloadOf = ({ agentId, topic }: UnsubscribeTarget) => `${VERSION}:${agentId}:${topic}`;

async function mac(keyBase64: string, payload: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", await macKey(keyBase64), payload));
}

/** `<payload>.<mac>`, both base64url: safe in a query string and in a List-Unsubscribe header. */
export async function unsubscribeToken(env: KeyEnv, target: UnsubscribeTarget): Promise<string> {
  if (!env.TOKEN_ENCRYPTION_KEY) throw new Error("TOKEN_ENCRYPTION_KEY is not set");
  const payload = encoder.encode(payloadOf(target));
  const signature = await mac(env.TOKEN_ENCRYPTION_KEY, payload);
  return `${encodeBase64urlNoPadding(payload)}.${encodeBase64urlNoPadding(signature)}`;
}

/** The agent and topic a token names, or null for anything forged, altered, truncated or malformed. */
export async function verifyUnsubscribeToken(env: KeyEnv, token: string): Promise<UnsubscribeTarget | null> {
  if (!token || token.length > MAX_TOKEN_LENGTH) return null;
  const parts = token.split(".");
  if (parts.length !== 2) return null;
  let payload: Uint8Array;
  let signature: Uint8Array;
  try {
    payload = decodeBase64urlIgnorePadding(parts[0] as string);
    signature = decodeBase64urlIgnorePadding(parts[1] as string);
  } catch {
    return null;
  }
  if (signature.length !== 32) return null;
  const keys = [env.TOKEN_ENCRYPTION_KEY, env.TOKEN_ENCRYPTION_KEY_PREVIOUS].filter((key) => key?.trim());
  let valid = false;
  for (const key of keys) {
    let expected: Uint8Array;
    try {
      expected = await mac(key, payload);
    } catch {
      continue; // A malformed previous key must not break links signed with the current one.
    }
    // Constant time: the comparison must not tell a forger how many leading bytes were right.
    if (crypto.subtle.timingSafeEqual(expected, signature)) valid = true;
  }
  if (!valid) return null;
  const [version, agentId, topic, ...rest] = new TextDecoder().decode(payload).split(":");
  if (version !== VERSION || !agentId || !topic || rest.length > 0 || !isTopic(topic)) return null;
  return { agentId, topic };
}

const origin = (env: Pick<Env, "APP_ORIGIN">) =>
  (env.APP_ORIGIN || "http://localhost:8787").replace(/\/$/, "");

/** The page a person opens from the footer link: it explains, and asks before turning anything off. */
export const unsubscribePageUrl = (env: Pick<Env, "APP_ORIGIN">, token: string) =>
  `${origin(env)}/unsubscribe?token=${encodeURIComponent(token)}`;

/** The one-click endpoint (RFC 8058) named in List-Unsubscribe. */
export const unsubscribeApiUrl = (env: Pick<Env, "APP_ORIGIN">, token: string) =>
  `${origin(env)}/api/email/unsubscribe?token=${encodeURIComponent(token)}`;

/**
 * The List-Unsubscribe headers, only for an https origin: RFC 8058 one-click needs https, and Cloudflare
 * Email Service refuses an http List-Unsubscribe. (Local development, on http, keeps the footer link.)
 */
export function unsubscribeHeaders(env: Pick<Env, "APP_ORIGIN">, token: string): Record<string, string> {
  const url = unsubscribeApiUrl(env, token);
  if (!url.startsWith("https://")) return {};
  return { "List-Unsubscribe": `<${url}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}

export type UnsubscribeView = { event: UnsubscribeTopic; label: string; emailOn: boolean };

/** What the token turns off and whether it is on now; null when the agent no longer exists. */
export async function describeUnsubscribe(
  db: Db,
  target: UnsubscribeTarget,
): Promise<UnsubscribeView | null> {
  const [agent] = await db
    .select({ digestTime: agents.digestTime })
    .from(agents)
    .where(eq(agents.id, target.agentId))
    .limit(1);
  if (!agent) return null;
  const view = (emailOn: boolean) => ({ event: target.topic, label: topicLabel(target.topic), emailOn });
  if (target.topic === "digest") return view(agent.digestTime !== null);
  // The consumer's own answer (saved choice over the defaults), so the page says what delivery does.
  const policy = await channelsFor(db, target.agentId, target.topic);
  return view(policy?.email ?? false);
}

/**
 * Turns the email off: that event's preference gets email=false (in-app kept as saved, on when nothing was
 * saved), or the digest time is cleared. Doing it again changes nothing. False when the agent is gone.
 */
export async function applyUnsubscribe(db: Db, target: UnsubscribeTarget): Promise<boolean> {
  if (target.topic === "digest") {
    const updated = await db
      .update(agents)
      .set({ digestTime: null })
      .where(eq(agents.id, target.agentId))
      .returning({ id: agents.id });
    return updated.length > 0;
  }
  const [agent] = await db
    .select({ id: agents.id })
    .from(agents)
    .where(eq(agents.id, target.agentId))
    .limit(1);
  if (!agent) return false;
  await db
    .insert(notificationPreferences)
    .values({ agentId: target.agentId, eventType: target.topic, inApp: true, email: false })
    .onConflictDoUpdate({
      target: [notificationPreferences.agentId, notificationPreferences.eventType],
      set: { email: false, updatedAt: new Date() },
    });
  return true;
}
