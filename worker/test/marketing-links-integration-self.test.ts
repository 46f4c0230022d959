import { env } from "cloudflare:workers";
import { emailOutbox, marketingRequests } from "db";
import { eq } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { app } from "../src/app";
import { REDACTED } from "../src/lib/email";
import { agentWithListings, db, settled } from "./helpers/content";
import { APP_ORIGIN, signedUpBrowser, type TestBrowser } from "./helpers/http";

type Overrides = Partial<Record<keyof Env, string>>;

/** A call through the whole app with some settings changed (the developer's .dev.vars never matters). */
async function call<T>(
  browser: TestBrowser | null,
  procedure: string,
  input: unknown,
  overrides: Overrides,
  method: "GET" | "POST" = "POST",
) {
  const headers = new Headers({ "CF-Connecting-IP": browser?.ip ?? "198.51.100.250" });
  const session = browser?.cookies.get("rm_session");
  if (session) headers.set("Cookie", `rm_session=${session}`);
  const encoded = encodeURIComponent(JSON.stringify(input ?? null));
  const init: RequestInit =
    method === "GET"
      ? { headers }
      : {
          method,
          headers: { ...Object.fromEntries(headers), Origin: APP_ORIGIN },
          body: JSON.stringify(input),
        };
  const url = `${APP_ORIGIN}/api/trpc/${procedure}${method === "GET" ? `?input=${encoded}` : ""}`;
  if (method === "POST") (init.headers as Record<string, string>)["Content-Type"] = "application/json";
  const response = await app.request(url, init, { ...env, ...overrides });
  const body = (await response.json()) as { result?: { data: T }; error?: { data: { code: string } } };
  return { status: response.status, data: body.result?.data as T, code: body.error?.data.code };
}

async function pieceSentToMarketing(overrides: Overrides = {}) {
  const agent = await agentWithListings(1);
  const listing = agent.listings[0];
  if (!listing) throw new Error("no listing");
  await agent.browser.mutate("content.createForListing", { listingId: listing.id, kinds: ["facebook_post"] });
  const [piece] = (await settled(agent.agentId, listing.id)).filter((p) => p.kind === "facebook_post");
  const sent = await call(
    agent.browser,
    "content.action",
    { id: piece?.id, action: "send_to_marketing" },
    overrides,
  );
  expect(sent.data).toEqual({ status: "sent_to_marketing" });
  const [mail] = await db().select().from(emailOutbox).where(eq(emailOutbox.agentId, agent.agentId));
  if (!mail) throw new Error("no email in the outbox");
  return { agent, piece, mail };
}

const tokenIn = (text: string) => /\/marketing#([\w-]{20,})/.exec(text)?.[1] ?? null;

describe("marketing review links", () => {
  it("the provider gets the working link; the outbox keeps the email with its token redacted", {
    timeout: 30_000,
  }, async () => {
    const fakeEmail = inject("fakeEmailUrl");
    const { mail, piece } = await pieceSentToMarketing({
      EMAIL_API_KEY: "re_test_key",
      EMAIL_API_URL: fakeEmail,
    });
    const delivered = (
      (await (await fetch(`${fakeEmail}/__control/sent`)).json()) as {
        headers: Record<string, string>;
        text: string;
        html: string;
      }[]
    ).find((sent) => sent.headers["idempotency-key"] === mail.idempotencyKey);
    const token = tokenIn(delivered?.text ?? "");
    if (!token) throw new Error("the delivered email has no review link");
    expect(delivered?.html).toContain(`/marketing#${token}`);

    expect(mail.status).toBe("sent");
    for (const stored of [mail.text, mail.html, mail.subject]) expect(stored).not.toContain(token);
    expect(mail.text).toContain(`${APP_ORIGIN}/marketing#${REDACTED}`);
    const [request] = await db()
      .select()
      .from(marketingRequests)
      .where(eq(marketingRequests.id, mail.idempotencyKey.split(":")[1] ?? ""));
    expect(request?.tokenHash).not.toContain(token);

    // The token is posted, never put in a URL: the review is a mutation, and a GET is refused.
    const review = await call<{ state: string; piece: { id: string } }>(
      null,
      "marketing.review",
      { token },
      {},
    );
    expect(review.data).toMatchObject({ state: "open", piece: { id: piece?.id } });
    const byGet = await call(null, "marketing.review", { token }, {}, "GET");
    expect(byGet.status).toBe(405);
    expect(byGet.data).toBeUndefined();
  });

  it("dev tools are not found without DEV_TOOLS_ENABLED, whatever APP_ENV says, even signed in", async () => {
    const { browser } = await signedUpBrowser();
    for (const overrides of [
      { DEV_TOOLS_ENABLED: "false" },
      { DEV_TOOLS_ENABLED: "", APP_ENV: "development" },
    ]) {
      expect((await call(browser, "dev.outbox", undefined, overrides, "GET")).code).toBe("NOT_FOUND");
      expect((await call(null, "dev.outbox", undefined, overrides, "GET")).code).toBe("NOT_FOUND");
      expect((await call(browser, "dev.reviewLink", { emailId: "x" }, overrides)).status).toBe(404);
      const page = await app.request(`${APP_ORIGIN}/dev/outbox`, {}, { ...env, ...overrides });
      expect(page.status).toBe(404);
    }
    // With the flag the dev router still needs a session.
    expect((await call(null, "dev.outbox", undefined, { DEV_TOOLS_ENABLED: "true" }, "GET")).code).toBe(
      "UNAUTHORIZED",
    );
  });

  it("with DEV_TOOLS_ENABLED the dev outbox mints a working link for the agent's own stored email only", {
    timeout: 30_000,
  }, async () => {
    const dev = { DEV_TOOLS_ENABLED: "true" };
    const { agent, mail } = await pieceSentToMarketing();
    expect(mail.status).toBe("stored");
    expect(tokenIn(mail.text)).toBeNull();
    const outbox = await call<{ id: string; text: string; hasReviewLink: boolean }[]>(
      agent.browser,
      "dev.outbox",
      undefined,
      dev,
      "GET",
    );
    expect(outbox.data).toEqual([expect.objectContaining({ id: mail.id, hasReviewLink: true })]);
    expect(outbox.data[0]?.text).toContain(`/marketing#${REDACTED}`);

    const other = await signedUpBrowser();
    expect((await call(other.browser, "dev.reviewLink", { emailId: mail.id }, dev)).status).toBe(404);

    const minted = await call<{ path: string }>(agent.browser, "dev.reviewLink", { emailId: mail.id }, dev);
    const token = tokenIn(minted.data.path);
    expect(minted.data.path).toBe(`/marketing#${token}`);
    expect((await call<{ state: string }>(null, "marketing.review", { token }, {})).data.state).toBe("open");
    expect((await call(null, "marketing.respond", { token, response: "approved" }, {})).status).toBe(200);
    // A spent link is not minted again.
    expect((await call(agent.browser, "dev.reviewLink", { emailId: mail.id }, dev)).status).toBe(404);
  });
});
