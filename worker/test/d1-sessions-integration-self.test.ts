import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../src/app";
import { BOOKMARK_COOKIE, readBookmark } from "../src/lib/d1-session";
import { APP_ORIGIN, signedUpBrowser, type TestBrowser } from "./helpers/http";

// Issue 12: reads go through the D1 Sessions API with the bookmark carried per browser session. The app
// runs on the real local D1; the binding is only watched, to see which session each request opened.

/** The Worker's env with a D1 binding that notes every withSession() argument and hands on the session. */
function watchedEnv() {
  const opened: string[] = [];
  const DB = new Proxy(env.DB, {
    get(inner, property) {
      if (property === "withSession") {
        return (constraint: string) => {
          opened.push(constraint);
          return inner.withSession(constraint);
        };
      }
      const value = Reflect.get(inner, property);
      return typeof value === "function" ? value.bind(inner) : value;
    },
  });
  const watched = new Proxy(env, { get: (t, p) => (p === "DB" ? DB : Reflect.get(t, p)) });
  return { env: watched as Env, opened };
}

/** The browser's session cookie without the bookmark it kept, plus the given cookies. */
const cookieHeader = (browser: TestBrowser, extra: Record<string, string> = {}) =>
  [...[...browser.cookies].filter(([name]) => name !== BOOKMARK_COOKIE), ...Object.entries(extra)]
    .map(([name, value]) => `${name}=${value}`)
    .join("; ");

async function send(request: Request) {
  const watched = watchedEnv();
  const ctx = createExecutionContext();
  const response = await app.fetch(request, watched.env, ctx);
  await waitOnExecutionContext(ctx);
  const bookmark = response.headers.getSetCookie().find((line) => line.startsWith(`${BOOKMARK_COOKIE}=`));
  return { response, opened: watched.opened, bookmark, body: (await response.json()) as unknown };
}

const query = (cookie: string, procedure: string) =>
  new Request(`${APP_ORIGIN}/api/trpc/${procedure}`, {
    headers: { Cookie: cookie, "CF-Connecting-IP": "198.51.100.9" },
  });

const mutation = (cookie: string, procedure: string, input: unknown) =>
  new Request(`${APP_ORIGIN}/api/trpc/${procedure}`, {
    method: "POST",
    headers: {
      Cookie: cookie,
      Origin: APP_ORIGIN,
      "Content-Type": "application/json",
      "CF-Connecting-IP": "198.51.100.9",
    },
    body: JSON.stringify(input),
  });

const profile = (phone: string, brokerageName = "") => ({
  name: "Chris Morgan",
  brokerageName,
  licenseNumber: "",
  phone,
  timezone: "America/New_York",
});

describe("D1 Sessions API", () => {
  it("starts a mutation on the primary and hands back the bookmark it reached", async () => {
    const { browser } = await signedUpBrowser("Chris Morgan");
    const { response, opened, bookmark } = await send(
      mutation(cookieHeader(browser), "agent.updateProfile", profile("+1 407 555 0100")),
    );
    expect(response.status).toBe(200);
    expect(opened).toEqual(["first-primary"]);
    expect(bookmark).toMatch(
      new RegExp(`^${BOOKMARK_COOKIE}=[0-9a-f-]+; HttpOnly; Secure; SameSite=Lax; Path=/api$`),
    );
    expect(readBookmark(bookmark?.split(";")[0] ?? null)).not.toBeNull();
  });

  it("continues a query from the carried bookmark, so a read after a write sees the write", async () => {
    const { browser } = await signedUpBrowser("Chris Morgan");
    const written = await send(
      mutation(
        cookieHeader(browser),
        "agent.updateProfile",
        profile("+1 407 555 0100", "Sunshine Realty Group"),
      ),
    );
    const carried = written.bookmark?.split(";")[0]?.split("=")[1] ?? "";
    expect(carried).not.toBe("");
    const read = await send(query(cookieHeader(browser, { [BOOKMARK_COOKIE]: carried }), "auth.me"));
    expect(read.response.status).toBe(200);
    expect(read.opened).toEqual([carried]);
    expect(JSON.stringify(read.body)).toContain("Sunshine Realty Group");
    // A read never moves the bookmark: it may have been served before a write that answered first.
    expect(read.bookmark).toBeUndefined();
  });

  it("starts a first visit anywhere, and ignores a malformed bookmark instead of failing", async () => {
    const { browser } = await signedUpBrowser("Chris Morgan");
    const fresh = await send(query(cookieHeader(browser), "auth.me"));
    expect(fresh.response.status).toBe(200);
    expect(fresh.opened).toEqual(["first-unconstrained"]);
    expect(fresh.bookmark).toMatch(new RegExp(`^${BOOKMARK_COOKIE}=`));

    for (const bad of ["first-primary", "not a bookmark", "0000zzzz-00000001", "x".repeat(400)]) {
      const { response, opened } = await send(
        query(cookieHeader(browser, { [BOOKMARK_COOKIE]: encodeURIComponent(bad) }), "auth.me"),
      );
      expect(response.status, bad).toBe(200);
      expect(opened, bad).toEqual(["first-unconstrained"]);
    }
  });

  it("moves the bookmark forward with each write, never back", async () => {
    const { browser } = await signedUpBrowser("Chris Morgan");
    const first = await send(
      mutation(cookieHeader(browser), "agent.updateProfile", profile("+1 407 555 0101")),
    );
    const older = first.bookmark?.split(";")[0]?.split("=")[1] ?? "";
    const second = await send(
      mutation(
        cookieHeader(browser, { [BOOKMARK_COOKIE]: older }),
        "agent.updateProfile",
        profile("+1 407 555 0102"),
      ),
    );
    const newer = second.bookmark?.split(";")[0]?.split("=")[1] ?? "";
    expect(second.opened).toEqual(["first-primary"]);
    expect(newer > older).toBe(true);
    // A write that reaches no further than the bookmark the browser carries leaves the cookie alone.
    const stale = await send(
      mutation(
        cookieHeader(browser, { [BOOKMARK_COOKIE]: "ffffffff-ffffffff-ffffffff-ffffffff" }),
        "agent.updateProfile",
        profile("+1 407 555 0103"),
      ),
    );
    expect(stale.response.status).toBe(200);
    expect(stale.bookmark).toBeUndefined();
  });
});
