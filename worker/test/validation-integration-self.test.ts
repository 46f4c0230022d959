import { describe, expect, it } from "vitest";
import { PASSWORD, signedUpBrowser, TestBrowser, uniqueEmail } from "./helpers/http";

describe("bad input is a 4xx naming the field", () => {
  it.each([
    ["email", { email: "not-an-email", password: PASSWORD, name: "A" }, "Enter a valid email address"],
    [
      "password",
      { email: uniqueEmail(), password: "short", name: "A" },
      "Password must be at least 12 characters",
    ],
    [
      "password",
      { email: uniqueEmail(), password: "x".repeat(129), name: "A" },
      "Password must be at most 128 characters",
    ],
    [
      "password",
      { email: uniqueEmail(), password: "password1234", name: "A" },
      "This password is too common",
    ],
    ["name", { email: uniqueEmail(), password: PASSWORD, name: "   " }, "Name is required"],
    [
      "name",
      { email: uniqueEmail(), password: PASSWORD, name: "n".repeat(101) },
      "Name must be at most 100 characters",
    ],
  ])("register: %s", async (field, input, message) => {
    const res = await new TestBrowser().mutate("auth.register", input);
    expect(res.status).toBe(400);
    expect(res.error?.data.code).toBe("BAD_REQUEST");
    expect(res.error?.data.fieldErrors?.[field]).toContain(message);
    expect(res.error?.message).toBe(`${field}: ${message}`);
  });

  it("a missing body, wrong types and malformed JSON are 400s, never 500s", async () => {
    const browser = new TestBrowser();
    expect((await browser.mutate("auth.register")).status).toBe(400);
    expect((await browser.mutate("auth.login", { email: 42, password: null })).status).toBe(400);
    const malformed = await browser.fetch("/api/trpc/auth.login", {
      method: "POST",
      headers: { Origin: "https://app.test", "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
  });

  it("an unknown procedure is a 404", async () => {
    expect((await new TestBrowser().query("nope.nothing")).status).toBe(404);
  });

  it("updateProfile names each bad field", async () => {
    const { browser } = await signedUpBrowser();
    const res = await browser.mutate("agent.updateProfile", {
      name: "Chris",
      brokerageName: "b".repeat(121),
      licenseNumber: "<script>",
      phone: "call me maybe",
      timezone: "Mars/Olympus_Mons",
      marketingEmail: "marketing@",
    });
    expect(res.status).toBe(400);
    expect(Object.keys(res.error?.data.fieldErrors ?? {}).sort()).toEqual(
      ["brokerageName", "licenseNumber", "marketingEmail", "phone", "timezone"].sort(),
    );
  });

  it("updateProfile saves trimmed values and clears the marketing email with an empty string", async () => {
    const { browser } = await signedUpBrowser();
    const saved = await browser.mutate<Record<string, unknown>>("agent.updateProfile", {
      name: "  Chris Realtor  ",
      brokerageName: "Sunshine Realty",
      licenseNumber: "BK-3456789",
      phone: "+1 (407) 555-0100",
      timezone: "America/Chicago",
      marketingEmail: "Marketing@Sunshine.example",
    });
    expect(saved.status).toBe(200);
    expect(saved.data).toMatchObject({
      name: "Chris Realtor",
      timezone: "America/Chicago",
      marketingEmail: "marketing@sunshine.example",
    });
    const cleared = await browser.mutate<Record<string, unknown>>("agent.updateProfile", {
      name: "Chris Realtor",
      brokerageName: "Sunshine Realty",
      licenseNumber: "BK-3456789",
      phone: "",
      timezone: "America/Chicago",
      marketingEmail: "",
    });
    expect(cleared.data).toMatchObject({ phone: "", marketingEmail: null, autoDraftNewListings: true });
    const manualOnly = await browser.mutate<Record<string, unknown>>("agent.updateProfile", {
      name: "Chris Realtor",
      brokerageName: "Sunshine Realty",
      licenseNumber: "BK-3456789",
      phone: "",
      timezone: "America/Chicago",
      autoDraftNewListings: false,
    });
    expect(manualOnly.data).toMatchObject({ autoDraftNewListings: false, marketingEmail: null });
  });
});
