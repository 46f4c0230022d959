import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { devToolsEnabled } from "../src/trpc/init";
import { appRouter } from "../src/trpc/router";
import { APP_ORIGIN, signedUpBrowser, TestBrowser } from "./helpers/http";

// Everything else needs a session. The marketing link's procedures are public by design: the single-use
// token is the credential (covered in approvals-integration-self.test.ts).
const PUBLIC_PROCEDURES = new Set(["auth.register", "auth.login", "marketing.review", "marketing.respond"]);
const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>,
);

describe("access control", () => {
  it.each(procedures.filter(([path]) => !PUBLIC_PROCEDURES.has(path)))(
    "%s refuses a visitor without a session",
    async (path, procedure) => {
      const visitor = new TestBrowser();
      const res =
        procedure._def.type === "query" ? await visitor.query(path, {}) : await visitor.mutate(path, {});
      // The dev tools do not exist at all without their flag (marketing-links-integration-self.test.ts).
      const hidden = path.startsWith("dev.") && !devToolsEnabled(env);
      expect(res.status).toBe(hidden ? 404 : 401);
      expect(res.error?.data.code).toBe(hidden ? "NOT_FOUND" : "UNAUTHORIZED");
    },
  );

  it("keeps one agent's profile out of another's reach", async () => {
    const alice = await signedUpBrowser("Alice Agent");
    const bob = await signedUpBrowser("Bob Agent");
    const update = await alice.browser.mutate<{ id: string; name: string }>("agent.updateProfile", {
      name: "Alice A.",
      brokerageName: "Sunshine Realty",
      licenseNumber: "SL3456789",
      phone: "(407) 555-0100",
      timezone: "America/New_York",
      // Fields that are not in the schema, such as another agent's id, are ignored.
      id: bob.agentId,
      agentId: bob.agentId,
    });
    expect(update.status).toBe(200);
    expect(update.data.id).toBe(alice.agentId);
    const bobMe = await bob.browser.query<{ name: string; brokerageName: string }>("auth.me");
    expect(bobMe.data).toMatchObject({ name: "Bob Agent", brokerageName: "" });
    const aliceMe = await alice.browser.query<{ name: string; brokerageName: string }>("auth.me");
    expect(aliceMe.data).toMatchObject({ name: "Alice A.", brokerageName: "Sunshine Realty" });
  });
});

describe("cross-origin mutations (CSRF)", () => {
  const profile = {
    name: "Mallory",
    brokerageName: "",
    licenseNumber: "",
    phone: "",
    timezone: "America/New_York",
  };

  it.each([
    ["a foreign Origin with JSON", { Origin: "https://evil.example", "Content-Type": "application/json" }],
    ["a foreign Origin with text/plain", { Origin: "https://evil.example", "Content-Type": "text/plain" }],
    [
      "a foreign Origin with a form body",
      { Origin: "https://evil.example", "Content-Type": "application/x-www-form-urlencoded" },
    ],
    ["the null Origin", { Origin: "null", "Content-Type": "application/json" }],
    [
      "a same-origin header but Sec-Fetch-Site cross-site",
      { Origin: APP_ORIGIN, "Sec-Fetch-Site": "cross-site" },
    ],
  ])("refuses %s with FORBIDDEN and changes nothing", async (_label, headers) => {
    const { browser } = await signedUpBrowser("Chris Original");
    const res = await browser.mutate("agent.updateProfile", profile, headers);
    expect(res.status).toBe(403);
    expect(res.error?.data.code).toBe("FORBIDDEN");
    expect((await browser.query<{ name: string }>("auth.me")).data.name).toBe("Chris Original");
  });

  it("refuses a mutation with no Origin header at all", async () => {
    const { browser } = await signedUpBrowser();
    const res = await browser.fetch("/api/trpc/auth.logout", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(403);
    expect((await browser.query("auth.me")).status).toBe(200);
  });

  it("refuses a cross-origin login (login CSRF)", async () => {
    const res = await new TestBrowser().mutate(
      "auth.login",
      { email: "a@example.com", password: "whatever-password" },
      { Origin: "https://evil.example" },
    );
    expect(res.status).toBe(403);
  });
});
