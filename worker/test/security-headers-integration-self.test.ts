import { describe, expect, it } from "vitest";
// The static assets' header file, read as text at build time by Vite's ?raw import.
import headersFile from "../../web/public/_headers?raw";
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "../src/lib/security-headers";
import { TestBrowser } from "./helpers/http";

describe("security headers", () => {
  it("every API response carries CSP, nosniff and a Referrer-Policy and is not cached", async () => {
    for (const res of [
      await new TestBrowser().fetch("/api/health"),
      await new TestBrowser().fetch("/api/trpc/auth.me"),
      await new TestBrowser().fetch("/api/missing"),
    ]) {
      expect(res.headers.get("Content-Security-Policy")).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(res.headers.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
      expect(res.headers.get("Cache-Control")).toBe("no-store");
    }
  });

  it("the policy forbids inline script and framing", () => {
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe-inline");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });

  it("images load from our origin only: listing photos come through /api/images", () => {
    expect(CONTENT_SECURITY_POLICY.split("; ")).toContain("img-src 'self'");
  });

  it("static assets get the same headers from web/public/_headers", () => {
    const lines = headersFile.split("\n").map((line: string) => line.trim());
    expect(lines[0]).toBe("/*");
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      expect(lines).toContain(`${name}: ${value}`);
    }
  });
});
