import { agents } from "db";
import { eq } from "drizzle-orm";
import type { Db } from "../../lib/db";
import { ServiceError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { LoginInput, RegisterInput } from "../../schemas/auth";
import { followSource } from "../listing-sources";
import { consumeRateLimit, hitRateLimit, resetRateLimit } from "../rate-limit";
import { burnPasswordCheck, hashPassword, needsRehash, verifyPassword } from "./password";
import { createSession, generateSessionToken } from "./sessions";

const MINUTE = 60_000;
/** Attempts per window, counted before the password is checked (so a sign-in counts for its network too). */
export const LOGIN_LIMITS = {
  perEmail: { limit: 5, windowMs: 15 * MINUTE },
  perIp: { limit: 30, windowMs: 15 * MINUTE },
};
export const REGISTER_LIMIT_PER_IP = { limit: 10, windowMs: 60 * MINUTE };
const THROTTLED = "Too many sign-in attempts. Wait a few minutes and try again.";
const BAD_CREDENTIALS = "Incorrect email or password";

export type NewSession = { token: string; expiresAt: Date; agentId: string };

/** Creates the account, makes it follow the default builder site, and signs it in. */
export async function registerAgent(
  db: Db,
  input: RegisterInput,
  ip: string,
  defaultSourceUrl: string,
  signupsPerHour = REGISTER_LIMIT_PER_IP.limit,
): Promise<NewSession> {
  await consumeRateLimit(
    db,
    `register:ip:${ip}`,
    { ...REGISTER_LIMIT_PER_IP, limit: signupsPerHour },
    "Too many sign-ups from this network. Try again later.",
  );
  const [existing] = await db
    .select({ id: agents.id })
    .from(agents)
    .where(eq(agents.email, input.email))
    .limit(1);
  if (existing)
    throw new ServiceError("CONFLICT", "An account with this email already exists", { field: "email" });
  const agentId = newId();
  const passwordHash = await hashPassword(input.password);
  try {
    await db.insert(agents).values({
      id: agentId,
      email: input.email,
      passwordHash,
      name: input.name,
      brokerageName: input.brokerageName ?? "",
    });
  } catch (error) {
    // Two sign-ups racing for one email: the unique index decides.
    if (String(error).includes("UNIQUE")) {
      throw new ServiceError("CONFLICT", "An account with this email already exists", { field: "email" });
    }
    throw error;
  }
  await followSource(db, agentId, defaultSourceUrl);
  return startSession(db, agentId);
}

export async function loginAgent(db: Db, input: LoginInput, ip: string): Promise<NewSession> {
  const emailKey = `login:email:${input.email}`;
  const ipKey = `login:ip:${ip}`;
  // Counted before any scrypt work, each in one atomic upsert: a check made first and a count made after
  // the hash would let concurrent (or batched) attempts all pass.
  const counted = [
    { key: emailKey, rule: LOGIN_LIMITS.perEmail },
    { key: ipKey, rule: LOGIN_LIMITS.perIp },
  ];
  const hits = await Promise.all(counted.map(({ key, rule }) => hitRateLimit(db, key, rule)));
  const over = hits.filter((hit, i) => hit.count > (counted[i]?.rule.limit ?? 0));
  if (over.length > 0) {
    throw new ServiceError("TOO_MANY_REQUESTS", THROTTLED, {
      retryAfterSeconds: Math.max(...over.map((hit) => hit.retryAfterSeconds)),
    });
  }

  const [agent] = await db
    .select({ id: agents.id, passwordHash: agents.passwordHash })
    .from(agents)
    .where(eq(agents.email, input.email))
    .limit(1);
  const valid = agent
    ? await verifyPassword(agent.passwordHash, input.password)
    : await burnPasswordCheck(input.password).then(() => false);
  if (!agent || !valid) throw new ServiceError("UNAUTHORIZED", BAD_CREDENTIALS);
  // A sign-in clears its email's window. Its network keeps the hit: giving it back would let anyone
  // with one valid account alternate sign-ins and guesses without ever reaching the per-IP limit.
  await resetRateLimit(db, emailKey);
  if (needsRehash(agent.passwordHash)) {
    await db
      .update(agents)
      .set({ passwordHash: await hashPassword(input.password) })
      .where(eq(agents.id, agent.id));
  }
  return startSession(db, agent.id);
}

async function startSession(db: Db, agentId: string): Promise<NewSession> {
  const token = generateSessionToken();
  const session = await createSession(db, token, agentId);
  return { token, expiresAt: session.expiresAt, agentId };
}
