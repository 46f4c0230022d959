import { env } from "cloudflare:workers";
import { agents, rateLimits, sessions } from "db";
import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../src/lib/db";
import { LOGIN_LIMITS } from "../src/services/auth/accounts";
import { passwordWork } from "../src/services/auth/password";
import {
  agentColumns,
  SESSION_TTL_MS,
  sessionIdFromToken,
  validateSessionToken,
} from "../src/services/auth/sessions";
import { APP_ORIGIN, PASSWORD, signedUpBrowser, TestBrowser, uniqueEmail } from "./helpers/http";

const db = () => createDb(env.DB);

describe("auth integration (through the Worker's fetch)", () => {
  it("registers, reads me, logs out, and then me is refused", async () => {
    const browser = new TestBrowser();
    const email = uniqueEmail();
    const registered = await browser.mutate<{ agentId: string }>("auth.register", {
      email: `  ${email.toUpperCase()} `,
      password: PASSWORD,
      name: "Chris Realtor",
    });
    expect(registered.status).toBe(200);
    const cookie = registered.headers.getSetCookie().find((c) => c.startsWith("rm_session="));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);

    const me = await browser.query<{ email: string; name: string }>("auth.me");
    expect(me.status).toBe(200);
    expect(me.data).toMatchObject({ email, name: "Chris Realtor" });
    expect(me.data).not.toHaveProperty("passwordHash");

    const token = browser.cookies.get("rm_session") ?? "";
    const [stored] = await db().select().from(sessions).where(eq(sessions.agentId, registered.data.agentId));
    expect(stored?.id).toBe(sessionIdFromToken(token));
    expect(stored?.id).not.toBe(token);
    const [agent] = await db().select().from(agents).where(eq(agents.email, email));
    expect(agent?.passwordHash).toMatch(/^\$scrypt\$ln=14,r=8,p=5\$/);
    expect(agent?.passwordHash).not.toContain(PASSWORD);

    const logout = await browser.mutate("auth.logout");
    expect(logout.status).toBe(200);
    expect(logout.headers.getSetCookie().join()).toMatch(/rm_session=;.*Max-Age=0/);
    expect(
      await db()
        .select()
        .from(sessions)
        .where(eq(sessions.id, stored?.id ?? "")),
    ).toHaveLength(0);

    const stale = new TestBrowser();
    stale.cookies.set("rm_session", token);
    const afterLogout = await stale.query("auth.me");
    expect(afterLogout.status).toBe(401);
    expect(afterLogout.error?.data.code).toBe("UNAUTHORIZED");
  });

  it("signs in with the right password and gives one message for a wrong password or unknown email", async () => {
    const { email } = await signedUpBrowser();
    const browser = new TestBrowser();
    const wrong = await browser.mutate("auth.login", { email, password: "not-the-password" });
    const unknown = await browser.mutate("auth.login", { email: uniqueEmail("ghost"), password: PASSWORD });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.error?.message).toBe("Incorrect email or password");
    expect(unknown.error?.message).toBe(wrong.error?.message);
    expect(browser.cookies.has("rm_session")).toBe(false);

    const ok = await browser.mutate("auth.login", { email: email.toUpperCase(), password: PASSWORD });
    expect(ok.status).toBe(200);
    expect((await browser.query<{ email: string }>("auth.me")).data.email).toBe(email);
  });

  it("refuses a second account for the same email, whatever its case", async () => {
    const { email } = await signedUpBrowser();
    const again = await new TestBrowser().mutate("auth.register", {
      email: email.replace("agent", "AGENT"),
      password: PASSWORD,
      name: "Someone Else",
    });
    expect(again.status).toBe(409);
    expect(again.error?.data.code).toBe("CONFLICT");
    expect(again.error?.data.fieldErrors).toEqual({ email: ["An account with this email already exists"] });
    expect(await db().select().from(agents).where(eq(agents.email, email))).toHaveLength(1);
  });

  it("rejects an expired session and deletes it; slides a session past half its life", async () => {
    const { browser, agentId } = await signedUpBrowser();
    const id = sessionIdFromToken(browser.cookies.get("rm_session") ?? "");

    await db()
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() + 5 * 24 * 3600_000) })
      .where(eq(sessions.id, id));
    const slid = await browser.query("auth.me");
    expect(slid.status).toBe(200);
    expect(slid.headers.getSetCookie().join()).toMatch(/rm_session=/);
    const [refreshed] = await db().select().from(sessions).where(eq(sessions.id, id));
    expect(refreshed?.expiresAt.getTime()).toBeGreaterThan(Date.now() + SESSION_TTL_MS - 60_000);

    await db()
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(sessions.id, id));
    const expired = await browser.query("auth.me");
    expect(expired.status).toBe(401);
    expect(await db().select().from(sessions).where(eq(sessions.agentId, agentId))).toHaveLength(0);
  });

  it("refuses a forged or malformed session cookie", async () => {
    const browser = new TestBrowser();
    browser.cookies.set("rm_session", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    expect((await browser.query("auth.me")).status).toBe(401);
    browser.cookies.set("rm_session", "%00;drop table");
    expect((await browser.query("auth.me")).status).toBe(401);
  });

  it("the session check's hand-written lookup decodes the agent exactly as drizzle's select does", async () => {
    const { browser, agentId } = await signedUpBrowser();
    const token = browser.cookies.get("rm_session") ?? "";
    const decoded = async () => (await validateSessionToken(db(), token))?.agent;
    const drizzleRow = async () =>
      (await db().select(agentColumns).from(agents).where(eq(agents.id, agentId)))[0];
    // A null, a boolean stored as 0/1 and a number, both ways round.
    await db()
      .update(agents)
      .set({ marketingEmail: null, autoDraftNewListings: false, marketingReminderDays: 3 })
      .where(eq(agents.id, agentId));
    const first = await decoded();
    expect(first).toStrictEqual(await drizzleRow());
    expect(first?.autoDraftNewListings).toBe(false);
    expect(first?.marketingEmail).toBeNull();
    await db()
      .update(agents)
      .set({
        marketingEmail: "team@example.com",
        brokerageName: 'Sun & "Sea"',
        autoDraftNewListings: true,
      })
      .where(eq(agents.id, agentId));
    const second = await decoded();
    expect(second).toStrictEqual(await drizzleRow());
    expect(second?.autoDraftNewListings).toBe(true);
    expect(Object.keys(second ?? {}).sort()).toEqual(Object.keys(agentColumns).sort());
    const session = (await validateSessionToken(db(), token))?.session;
    const [stored] = await db()
      .select()
      .from(sessions)
      .where(eq(sessions.id, sessionIdFromToken(token)));
    expect(session?.expiresAt).toStrictEqual(stored?.expiresAt);
    expect(await validateSessionToken(db(), `${token}x`)).toBeNull();
  });
});

describe("login throttling", () => {
  it("locks an email after 5 failures, even for the right password, without touching other emails", async () => {
    const { email } = await signedUpBrowser();
    const other = await signedUpBrowser();
    for (let i = 0; i < 5; i++) {
      // Each attempt from a different address: the per-email limit must hold on its own.
      const res = await new TestBrowser(`203.0.113.${i + 1}`).mutate("auth.login", {
        email,
        password: `wrong-${i}`,
      });
      expect(res.status).toBe(401);
    }
    const locked = await new TestBrowser("203.0.113.99").mutate("auth.login", { email, password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.error?.data.code).toBe("TOO_MANY_REQUESTS");
    expect(locked.error?.message).toMatch(/Too many sign-in attempts/);

    const unaffected = await new TestBrowser("203.0.113.99").mutate("auth.login", {
      email: other.email,
      password: PASSWORD,
    });
    expect(unaffected.status).toBe(200);
  });

  it("locks an IP address after 30 failures across emails", { timeout: 30_000 }, async () => {
    const browser = new TestBrowser("192.0.2.77");
    for (let i = 0; i < 30; i++) {
      const res = await browser.mutate("auth.login", {
        email: uniqueEmail(`spray${i}`),
        password: "guess-guess",
      });
      expect(res.status).toBe(401);
    }
    const { email } = await signedUpBrowser();
    const blocked = await browser.mutate("auth.login", { email, password: PASSWORD });
    expect(blocked.status).toBe(429);
  });
});

describe("login throttling under concurrency and batching", () => {
  const batchOfLogins = (browser: TestBrowser, email: string, calls: number) =>
    browser.fetch(`/api/trpc/${Array.from({ length: calls }, () => "auth.login").join(",")}?batch=1`, {
      method: "POST",
      headers: { Origin: APP_ORIGIN, "Content-Type": "application/json" },
      body: JSON.stringify(
        Object.fromEntries(Array.from({ length: calls }, (_, i) => [i, { email, password: `batch-${i}` }])),
      ),
    });

  it("20 concurrent wrong logins plus a batch run scrypt no more often than the limit", {
    timeout: 30_000,
  }, async () => {
    const { email } = await signedUpBrowser();
    const before = passwordWork.derivations;
    const [batch, ...singles] = await Promise.all([
      batchOfLogins(new TestBrowser(), email, 5),
      // Each from its own address: only the per-email limit stands between them and scrypt.
      ...Array.from({ length: 20 }, (_, i) =>
        new TestBrowser(`203.0.113.${100 + i}`).mutate("auth.login", { email, password: `wrong-${i}` }),
      ),
    ]);
    // Exactly the limit (not zero): the counter does see the Worker's scrypt runs.
    expect(passwordWork.derivations - before).toBe(LOGIN_LIMITS.perEmail.limit);
    expect(singles.filter((res) => res.status === 401)).toHaveLength(LOGIN_LIMITS.perEmail.limit);
    expect(singles.filter((res) => res.status === 429)).toHaveLength(20 - LOGIN_LIMITS.perEmail.limit);
    expect(batch?.status).toBe(400);
    const refused = (await batch?.json()) as { error: { message: string } }[];
    expect(refused).toHaveLength(5);
    expect(refused[0]?.error.message).toBe("Sign-in calls cannot be batched");
  });

  it("refuses any batch holding an auth call, and batches over 10 calls, before a procedure runs", async () => {
    const { browser, email } = await signedUpBrowser();
    const before = passwordWork.derivations;
    expect((await batchOfLogins(new TestBrowser(), email, 1)).status).toBe(400);
    // Encoded commas are split by tRPC too.
    const encoded = await browser.fetch("/api/trpc/dashboard.overview%2Cauth.me?batch=1");
    expect(encoded.status).toBe(400);
    expect(passwordWork.derivations).toBe(before);

    const eleven = Array.from({ length: 11 }, () => "listings.list").join(",");
    const tooMany = await browser.fetch(`/api/trpc/${eleven}?batch=1&input=${encodeURIComponent("{}")}`);
    expect(tooMany.status).toBe(400);
    const errors = (await tooMany.json()) as { error: { message: string } }[];
    expect(errors).toHaveLength(11);
    expect(errors[0]?.error.message).toBe("At most 10 calls per request");
    // Unbatched sign-in calls and ordinary batches still work.
    expect((await browser.query("auth.me")).status).toBe(200);
  });

  it("a successful sign-in clears its email's count; its network keeps both hits", async () => {
    const { email } = await signedUpBrowser();
    const office = new TestBrowser("192.0.2.201");
    expect((await office.mutate("auth.login", { email, password: "wrong-password" })).status).toBe(401);
    expect((await office.mutate("auth.login", { email, password: PASSWORD })).status).toBe(200);
    const counts = await db()
      .select({ key: rateLimits.key, count: rateLimits.count })
      .from(rateLimits)
      .where(inArray(rateLimits.key, [`login:email:${email}`, "login:ip:192.0.2.201"]));
    expect(counts).toEqual([{ key: "login:ip:192.0.2.201", count: 2 }]);
  });
});
