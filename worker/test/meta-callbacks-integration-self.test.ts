import { env, exports } from "cloudflare:workers";
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import { dataDeletionRequests, pageChoices, socialAccounts } from "db";
import { eq } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { fakeGraphControl } from "../../tools/fake-graph/client.mjs";
import { verifySignedRequest } from "../src/agents/social/meta-callbacks";
import { newId } from "../src/lib/ids";
import { sealToken } from "../src/lib/token-crypto";
import { db } from "./helpers/content";
import { APP_ORIGIN, signedUpBrowser } from "./helpers/http";

const graph = () => fakeGraphControl(inject("graphFakeUrl"));
const SECRET = "test-app-secret";
const PAGE_TOKEN = "EAAMetaCallbackTestPageToken000000001";

let metaUserSeq = 0;
const metaUserId = () => `10009${Date.now()}${++metaUserSeq}`.slice(0, 20);

/** A connected Page and Instagram account of a new agent, granted by `meta`, with a pending page choice. */
async function connectedAgent(meta: string) {
  const { agentId } = await signedUpBrowser();
  const ids = { facebook: newId(), instagram: newId() };
  for (const platform of ["facebook", "instagram"] as const) {
    const sealed = await sealToken(env, PAGE_TOKEN, ids[platform]);
    await db()
      .insert(socialAccounts)
      .values({
        id: ids[platform],
        agentId,
        platform,
        externalId: platform === "facebook" ? "109000000000777" : "17841400000000777",
        displayName: platform === "facebook" ? "Chris Morgan Homes" : "@chrismorganhomes",
        pageId: "109000000000777",
        metaUserId: meta,
        accessTokenCiphertext: sealed.ciphertext,
        accessTokenIv: sealed.iv,
        keyId: sealed.keyId,
        scopes: "pages_manage_posts,instagram_basic,instagram_content_publish",
      });
  }
  const sealed = await sealToken(env, PAGE_TOKEN, `page-choice:${agentId}:109000000000778`);
  await db().insert(pageChoices).values({
    agentId,
    pageId: "109000000000778",
    name: "Another Page",
    metaUserId: meta,
    accessTokenCiphertext: sealed.ciphertext,
    accessTokenIv: sealed.iv,
    keyId: sealed.keyId,
  });
  return { agentId, ids };
}

const accountsOf = (agentId: string) =>
  db().select().from(socialAccounts).where(eq(socialAccounts.agentId, agentId));

/** Meta posts the callbacks as a form, server to server: no Origin, no cookie. */
const post = (path: string, signedRequest: string | null, type = "application/x-www-form-urlencoded") =>
  exports.default.fetch(
    new Request(`${APP_ORIGIN}${path}`, {
      method: "POST",
      headers: { "Content-Type": type },
      body: signedRequest === null ? "" : new URLSearchParams({ signed_request: signedRequest }).toString(),
    }),
  );

async function sign(payload: object, secret = SECRET): Promise<string> {
  const encoded = encodeBase64urlNoPadding(new TextEncoder().encode(JSON.stringify(payload)));
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(encoded)));
  return `${encodeBase64urlNoPadding(mac)}.${encoded}`;
}

async function expectUntouched(agentId: string) {
  const rows = await accountsOf(agentId);
  expect(rows.map((row) => row.status)).toEqual(["connected", "connected"]);
  expect(rows.every((row) => row.accessTokenCiphertext !== "")).toBe(true);
}

describe("signed_request verification", () => {
  it("accepts Meta's signature (the fake signs like Meta) and reads the user id", async () => {
    const { signed_request } = await graph().signedRequest("100090000000123");
    expect(await verifySignedRequest(SECRET, signed_request)).toMatchObject({
      algorithm: "HMAC-SHA256",
      user_id: "100090000000123",
    });
  });

  it("refuses forged, tampered, wrongly signed and malformed requests", async () => {
    const genuine = await sign({ algorithm: "HMAC-SHA256", user_id: "1001", issued_at: 1 });
    const [signature] = genuine.split(".");
    const otherPayload = encodeBase64urlNoPadding(
      new TextEncoder().encode(JSON.stringify({ algorithm: "HMAC-SHA256", user_id: "1002" })),
    );
    const refused = [
      await sign({ algorithm: "HMAC-SHA256", user_id: "1001" }, "another-app-secret"),
      `${signature}.${otherPayload}`,
      await sign({ algorithm: "HMAC-SHA1", user_id: "1001" }),
      await sign({ algorithm: "HMAC-SHA256" }),
      await sign({ algorithm: "HMAC-SHA256", user_id: "" }),
      genuine.split(".")[1] ?? "",
      `${genuine}.extra`,
      `.${otherPayload}`,
      "not base64!.eyJ9",
      "",
    ];
    for (const value of refused) expect(await verifySignedRequest(SECRET, value), value).toBeNull();
    expect(await verifySignedRequest("", genuine)).toBeNull();
    expect(await verifySignedRequest(SECRET, genuine)).not.toBeNull();
  });
});

describe("POST /api/meta/deauthorize", () => {
  it("disconnects every account the Meta user granted and deletes their tokens", async () => {
    const meta = metaUserId();
    const { agentId } = await connectedAgent(meta);
    const bystander = await connectedAgent(metaUserId());
    const { signed_request } = await graph().signedRequest(meta);
    const response = await post("/api/meta/deauthorize", signed_request);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    const rows = await accountsOf(agentId);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.status).toBe("disconnected");
      expect(row.statusReason).toMatch(/removed on Facebook/);
      expect([row.accessTokenCiphertext, row.accessTokenIv, row.keyId]).toEqual(["", "", ""]);
      expect(row.metaUserId).toBe(meta);
    }
    expect(await db().select().from(pageChoices).where(eq(pageChoices.agentId, agentId))).toHaveLength(0);
    await expectUntouched(bystander.agentId);
  });

  it("refuses a forged or missing signature and changes nothing", async () => {
    const meta = metaUserId();
    const { agentId } = await connectedAgent(meta);
    const forged = await sign({ algorithm: "HMAC-SHA256", user_id: meta }, "not-the-app-secret");
    for (const response of [
      await post("/api/meta/deauthorize", forged),
      await post("/api/meta/deauthorize", null),
      await post("/api/meta/deauthorize", `${"a".repeat(20_000)}.${forged.split(".")[1]}`),
      await post(
        "/api/meta/deauthorize",
        await sign({ algorithm: "HMAC-SHA256", user_id: meta }),
        "text/plain",
      ),
    ]) {
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: "Invalid signed_request" });
    }
    await expectUntouched(agentId);
  });
});

describe("POST /api/meta/data-deletion", () => {
  it("deletes the tokens, forgets the user and answers a status page with a confirmation code", async () => {
    const meta = metaUserId();
    const { agentId } = await connectedAgent(meta);
    const { signed_request } = await graph().signedRequest(meta);
    const response = await post("/api/meta/data-deletion", signed_request);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { url: string; confirmation_code: string };
    expect(body.confirmation_code).toMatch(/^[a-z2-7]{16}$/);
    expect(body.url).toBe(`${APP_ORIGIN}/api/meta/data-deletion/${body.confirmation_code}`);
    for (const row of await accountsOf(agentId)) {
      expect(row.status).toBe("disconnected");
      expect(row.accessTokenCiphertext).toBe("");
      expect(row.metaUserId).toBeNull();
    }
    const [request] = await db()
      .select()
      .from(dataDeletionRequests)
      .where(eq(dataDeletionRequests.confirmationCode, body.confirmation_code));
    expect(request?.accountsDeleted).toBe(2);

    const page = await exports.default.fetch(new Request(body.url));
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Type")).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain(body.confirmation_code);
    expect(html).toContain("2 connected accounts");
    expect(html).not.toContain(meta);
  });

  it("refuses a forged signature: nothing deleted, no confirmation recorded", async () => {
    const meta = metaUserId();
    const { agentId } = await connectedAgent(meta);
    const forged = await sign({ algorithm: "HMAC-SHA256", user_id: meta }, "forged");
    const response = await post("/api/meta/data-deletion", forged);
    expect(response.status).toBe(400);
    await expectUntouched(agentId);
    expect(
      await db().select().from(dataDeletionRequests).where(eq(dataDeletionRequests.metaUserId, meta)),
    ).toHaveLength(0);
  });

  it("answers an unknown or hostile confirmation code with an escaped 404 page", async () => {
    for (const code of ["aaaaaaaaaaaaaaaa", encodeURIComponent("<script>alert(1)</script>")]) {
      const page = await exports.default.fetch(new Request(`${APP_ORIGIN}/api/meta/data-deletion/${code}`));
      expect(page.status).toBe(404);
      const html = await page.text();
      expect(html).toContain("not found");
      expect(html).not.toContain("<script>");
    }
  });
});
