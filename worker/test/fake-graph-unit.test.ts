// Tests of the fake Graph API itself (tools/fake-graph): it must refuse what Graph refuses, or tests built
// on it prove nothing. Each test makes its own world (user, Page, Instagram account); tests that move the
// clock or change limits use their own instance.
import { describe, expect, inject, it } from "vitest";
import { type FakeGraphControl, fakeGraphControl } from "../../tools/fake-graph/client.mjs";

const APP = "test-app";
const SECRET = "test-app-secret";
const REDIRECT = "https://app.example/api/social/facebook/callback";
const fake = (): FakeGraphControl => fakeGraphControl(inject("graphFakeUrl"));

async function pkcePair() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const verifier = btoa(String.fromCharCode(...bytes)).replace(
    /[+/=]/g,
    (c) => ({ "+": "-", "/": "_", "=": "" })[c] ?? "",
  );
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const challenge = btoa(String.fromCharCode(...digest)).replace(
    /[+/=]/g,
    (c) => ({ "+": "-", "/": "_", "=": "" })[c] ?? "",
  );
  return { verifier, challenge };
}

function dialogUrl(base: string, params: Record<string, string>) {
  const url = new URL(`${base}/v27.0/dialog/oauth`);
  for (const [k, v] of Object.entries({
    client_id: APP,
    redirect_uri: REDIRECT,
    response_type: "code",
    ...params,
  })) {
    url.searchParams.set(k, v);
  }
  return url.toString();
}

async function exchange(base: string, params: Record<string, string>) {
  const response = await fetch(`${base}/v27.0/oauth/access_token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: APP, client_secret: SECRET, ...params }).toString(),
  });
  return {
    status: response.status,
    // biome-ignore lint/suspicious/noExplicitAny: Graph bodies vary; the test reads what it asserts.
    body: (await response.json()) as Record<string, any>,
  };
}

describe("fake Graph: versions and errors", () => {
  it("answers only versioned paths, records the version, and sends usage headers", async () => {
    const g = fake();
    const world = await g.createUser({ name: "Version Tester" });
    const unversioned = await fetch(`${g.url}/me?access_token=${world.user.accessToken}`);
    expect(unversioned.status).toBe(400);
    expect(((await unversioned.json()) as { error: unknown }).error).toMatchObject({
      code: 12,
      type: "OAuthException",
    });
    const unknown = await g
      .graph({ token: world.user.accessToken, appSecret: SECRET, version: "v99.0" })
      .get("me");
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 100, error_subcode: 33, type: "GraphMethodException" });
    expect(unknown.body.error.fbtrace_id).toEqual(expect.any(String));

    const me = await g
      .graph({ token: world.user.accessToken, appSecret: SECRET })
      .get("me", { fields: "id,name" });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: world.user.id, name: "Version Tester" });
    expect(JSON.parse(me.headers.get("x-app-usage") ?? "")).toMatchObject({ call_count: expect.any(Number) });
    expect(me.headers.get("x-business-use-case-usage")).not.toBeNull();
    const calls = await g.calls({ userId: world.user.id });
    expect(calls.at(-1)).toMatchObject({ path: "/me", version: "v27.0", tokenKind: "user", status: 200 });
    expect(JSON.stringify(calls)).not.toContain(world.user.accessToken);
  });

  it("refuses bad tokens and a missing or wrong appsecret_proof as Graph does", async () => {
    const g = fake();
    const world = await g.createUser();
    const bad = await g.graph({ token: "EAAnot-a-token", appSecret: SECRET }).get("me");
    expect(bad.body.error).toMatchObject({ code: 190 });
    const noProof = await g.graph({ token: world.user.accessToken }).get("me");
    expect(noProof.body.error.message).toContain("appsecret_proof");
    const wrongProof = await g.graph({ token: world.user.accessToken, appSecret: "other" }).get("me");
    expect(wrongProof.body.error.message).toBe("Invalid appsecret_proof provided in the API argument");
    await g.expireToken({ token: world.user.accessToken });
    const expired = await g.graph({ token: world.user.accessToken, appSecret: SECRET }).get("me");
    expect(expired.status).toBe(400);
    expect(expired.body.error).toMatchObject({ code: 190, error_subcode: 463, type: "OAuthException" });
    const fields = await g
      .graph({ token: world.pages[0]?.accessToken, appSecret: SECRET })
      .get("me", { fields: "nope" });
    expect(fields.body.error.message).toBe(
      "(#100) Tried accessing nonexisting field (nope) on node type (Page)",
    );
  });
});

describe("fake Graph: Facebook Login", () => {
  it("gives a code once, checks PKCE and redirect_uri, exchanges for a long-lived token", async () => {
    const g = fake();
    const world = await g.createUser({ name: "Login Tester", permissions: [] });
    const { verifier, challenge } = await pkcePair();
    const dialog = dialogUrl(g.url, {
      state: "st-1",
      scope:
        "pages_show_list,pages_read_engagement,pages_manage_posts,instagram_basic,instagram_content_publish",
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    const consent = await g.authorize(dialog, {
      userId: world.user.id,
      decline: ["instagram_content_publish"],
    });
    expect(consent.location.startsWith(`${REDIRECT}?`)).toBe(true);
    expect(consent.params.state).toBe("st-1");
    const code = consent.params.code ?? "";

    const mismatch = await exchange(g.url, { redirect_uri: `${REDIRECT}/`, code, code_verifier: verifier });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error).toMatchObject({ code: 100, error_subcode: 36008, type: "OAuthException" });
    const wrongVerifier = await exchange(g.url, {
      redirect_uri: REDIRECT,
      code,
      code_verifier: (await pkcePair()).verifier,
    });
    expect(wrongVerifier.body.error).toMatchObject({ code: 100 });
    const noVerifier = await exchange(g.url, { redirect_uri: REDIRECT, code });
    expect(noVerifier.body.error).toMatchObject({ code: 100 });
    const badSecret = await exchange(g.url, {
      client_secret: "nope",
      redirect_uri: REDIRECT,
      code,
      code_verifier: verifier,
    });
    expect(badSecret.body.error).toMatchObject({ code: 1, message: "Error validating client secret." });

    const ok = await exchange(g.url, { redirect_uri: REDIRECT, code, code_verifier: verifier });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      access_token: expect.any(String),
      token_type: "bearer",
      expires_in: 5400,
    });
    const again = await exchange(g.url, { redirect_uri: REDIRECT, code, code_verifier: verifier });
    expect(again.body.error).toMatchObject({ code: 100, error_subcode: 36009 });

    const long = await exchange(g.url, {
      grant_type: "fb_exchange_token",
      fb_exchange_token: ok.body.access_token,
    });
    expect(long.body.expires_in).toBeGreaterThan(50 * 86400);
    const user = g.graph({ token: long.body.access_token, appSecret: SECRET });
    const permissions = await user.get("me/permissions");
    expect(permissions.body.data).toEqual(
      expect.arrayContaining([
        { permission: "pages_manage_posts", status: "granted" },
        { permission: "instagram_content_publish", status: "declined" },
      ]),
    );
    const accounts = await user.get("me/accounts", {
      fields: "id,name,access_token,tasks,instagram_business_account{id,username}",
    });
    expect(accounts.body.data[0]).toMatchObject({
      id: world.pages[0]?.id,
      access_token: expect.any(String),
      tasks: expect.arrayContaining(["CREATE_CONTENT", "MANAGE"]),
      instagram_business_account: { id: world.pages[0]?.instagram?.id, username: "chrismorganhomes" },
    });
    const debug = await fetch(
      `${g.url}/v27.0/debug_token?input_token=${accounts.body.data[0].access_token}&access_token=${APP}|${SECRET}`,
    ).then((r) => r.json() as Promise<{ data: unknown }>);
    // A Page token from a long-lived user token does not expire.
    expect(debug.data).toMatchObject({
      type: "PAGE",
      is_valid: true,
      expires_at: 0,
      profile_id: world.pages[0]?.id,
    });
  });

  it("redirects a cancel with access_denied, and refuses a dialog without state or with a bad client_id", async () => {
    const g = fake();
    const world = await g.createUser();
    const cancel = await g.authorize(dialogUrl(g.url, { state: "st-2", scope: "pages_show_list" }), {
      userId: world.user.id,
      cancel: true,
    });
    expect(cancel.params).toMatchObject({
      error: "access_denied",
      error_reason: "user_denied",
      state: "st-2",
    });
    expect(cancel.params.error_description).toEqual(expect.any(String));
    const noState = await fetch(dialogUrl(g.url, { scope: "pages_show_list" }));
    expect(noState.status).toBe(400);
    const badApp = await fetch(dialogUrl(g.url, { client_id: "nope", state: "x" }));
    expect(badApp.status).toBe(400);
  });

  it("lets a code expire after 10 minutes (own instance: moves the clock)", async () => {
    const g = await fake().newInstance();
    const world = await g.createUser();
    const consent = await g.authorize(dialogUrl(g.url, { state: "s", scope: "pages_show_list" }), {
      userId: world.user.id,
    });
    await g.advanceClock(10 * 60_000 + 1000);
    const late = await exchange(g.url, { redirect_uri: REDIRECT, code: consent.params.code ?? "" });
    expect(late.body.error).toMatchObject({ code: 100, error_subcode: 36007 });
  });
});

describe("fake Graph: Pages publishing", () => {
  it("refuses the user token, publishes photos and feed posts with the Page token", async () => {
    const g = fake();
    const world = await g.createUser();
    const page = world.pages[0];
    if (!page) throw new Error("no page");
    const asUser = g.graph({ token: world.user.accessToken, appSecret: SECRET });
    const asPage = g.graph({ token: page.accessToken, appSecret: SECRET });

    const refused = await asUser.post(`${page.id}/photos`, {
      url: "https://img.example/a.jpg",
      caption: "hi",
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 200, type: "OAuthException" });
    expect((await asUser.get(`${page.id}/published_posts`)).body.error).toMatchObject({ code: 210 });

    const photo = await asPage.post(`${page.id}/photos`, {
      url: "https://img.example/a.jpg",
      caption: "One photo",
    });
    expect(photo.body).toEqual({
      id: expect.any(String),
      post_id: expect.stringMatching(new RegExp(`^${page.id}_`)),
    });
    const a = await asPage.post(`${page.id}/photos`, { url: "https://img.example/b.jpg", published: false });
    const b = await asPage.post(`${page.id}/photos`, {
      url: "https://img.example/c.jpg",
      published: "false",
    });
    expect(a.body).toEqual({ id: expect.any(String) });
    const feed = await asPage.post(`${page.id}/feed`, {
      message: "Two photos",
      "attached_media[0]": JSON.stringify({ media_fbid: a.body.id }),
      "attached_media[1]": JSON.stringify({ media_fbid: b.body.id }),
    });
    expect(feed.body).toEqual({ id: expect.stringMatching(new RegExp(`^${page.id}_`)) });
    const reuse = await asPage.post(`${page.id}/feed`, {
      message: "again",
      attached_media: JSON.stringify([{ media_fbid: a.body.id }]),
    });
    expect(reuse.body.error).toMatchObject({ code: 100 });
    expect((await asPage.post(`${page.id}/photos`, { url: "ftp://x/y.jpg" })).body.error).toMatchObject({
      code: 100,
    });

    const posts = await asPage.get(`${page.id}/published_posts`, {
      fields: "id,message,created_time,permalink_url",
      since: Math.floor(Date.now() / 1000) - 60,
    });
    expect(posts.body.data.map((p: { message: string }) => p.message)).toEqual(["Two photos", "One photo"]);
    const one = await asPage.get(feed.body.id, { fields: "permalink_url,message,created_time" });
    expect(one.body).toMatchObject({
      id: feed.body.id,
      message: "Two photos",
      permalink_url: expect.any(String),
    });
    expect(one.body.created_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);

    const published = await g.published({ pageId: page.id });
    expect(published.facebook.find((p) => p.id === feed.body.id)?.imageUrls).toEqual([
      "https://img.example/b.jpg",
      "https://img.example/c.jpg",
    ]);
    const writes = (await g.calls({ pageId: page.id })).filter(
      (c) => c.method === "POST" && c.status === 200,
    );
    expect(new Set(writes.map((c) => c.tokenKind))).toEqual(new Set(["page"]));
  });

  it("makes a ghost write: the post exists, the answer is a transient 500", async () => {
    const g = fake();
    const world = await g.createUser();
    const page = world.pages[0];
    if (!page) throw new Error("no page");
    await g.addFaults({ kind: "ghost", match: { id: page.id, path: "/feed$" }, count: 1 });
    const asPage = g.graph({ token: page.accessToken, appSecret: SECRET });
    const answer = await asPage.post(`${page.id}/feed`, { message: "Ghost" });
    expect(answer.status).toBe(500);
    expect(answer.body.error).toMatchObject({ code: 2, is_transient: true });
    expect((await g.published({ pageId: page.id })).facebook.map((p) => p.message)).toEqual(["Ghost"]);
    expect((await asPage.post(`${page.id}/feed`, { message: "Second" })).status).toBe(200);
  });

  it("makes a hanging ghost write: the client times out, yet the post exists", async () => {
    const g = fake();
    const world = await g.createUser();
    const page = world.pages[0];
    if (!page) throw new Error("no page");
    await g.addFaults({ kind: "ghost", mode: "hang", hangMs: 2000, match: { id: page.id }, count: 1 });
    const client = g.graph({ token: page.accessToken, appSecret: SECRET, timeoutMs: 200 });
    const call = client.post(`${page.id}/feed`, { message: "Hung" });
    await expect(call).rejects.toThrow();
    expect((await g.published({ pageId: page.id })).facebook.map((p) => p.message)).toEqual(["Hung"]);
  });

  it("shows what was published on the dev page, escaped", async () => {
    const g = fake();
    const world = await g.createUser();
    const page = world.pages[0];
    if (!page) throw new Error("no page");
    await g.graph({ token: page.accessToken, appSecret: SECRET }).post(`${page.id}/feed`, {
      message: `<img src=x onerror=alert(1)> ${page.id}`,
    });
    const html = await fetch(`${g.url}/`).then((r) => r.text());
    expect(html).toContain(`&lt;img src=x onerror=alert(1)&gt; ${page.id}`);
    expect(html).not.toContain("<img src=x");
  });

  it("answers expired and revoked tokens with 190 and its subcodes", async () => {
    const g = fake();
    const world = await g.createUser();
    const page = world.pages[0];
    if (!page) throw new Error("no page");
    const asPage = g.graph({ token: page.accessToken, appSecret: SECRET });
    await g.addFaults({ kind: "token_expired", match: { userId: world.user.id }, count: 1 });
    expect((await asPage.get(page.id)).body.error).toMatchObject({ code: 190, error_subcode: 463 });
    expect((await asPage.get(page.id)).status).toBe(200);
    await g.addFaults({ kind: "permission_revoked", match: { id: page.id }, count: 1 });
    expect((await asPage.post(`${page.id}/feed`, { message: "x" })).body.error).toMatchObject({ code: 200 });
    const asUser = g.graph({ token: world.user.accessToken, appSecret: SECRET });
    expect((await asUser.delete("me/permissions")).body).toEqual({ success: true });
    expect((await asPage.get(page.id)).body.error).toMatchObject({ code: 190, error_subcode: 458 });
  });

  it("answers a rate-limit fault with code 4 and usage headers at 100", async () => {
    const g = fake();
    const world = await g.createUser();
    const page = world.pages[0];
    if (!page) throw new Error("no page");
    await g.addFaults({
      kind: "rate_limit",
      code: 32,
      estimatedMinutes: 7,
      match: { id: page.id },
      count: 1,
    });
    const answer = await g
      .graph({ token: page.accessToken, appSecret: SECRET })
      .post(`${page.id}/feed`, { message: "x" });
    expect(answer.body.error).toMatchObject({ code: 32, is_transient: true });
    expect(JSON.parse(answer.headers.get("x-app-usage") ?? "")).toMatchObject({ call_count: 100 });
    const buc = JSON.parse(answer.headers.get("x-business-use-case-usage") ?? "{}");
    expect(buc[page.id][0]).toMatchObject({
      type: "pages",
      call_count: 100,
      estimated_time_to_regain_access: 7,
    });
  });
});

describe("fake Graph: Instagram publishing", () => {
  it("keeps a container IN_PROGRESS, refuses an early publish, then publishes it once", async () => {
    const g = fake();
    const world = await g.createUser();
    const page = world.pages[0];
    const igId = page?.instagram?.id;
    if (!page || !igId) throw new Error("no instagram");
    await g.addFaults({ kind: "container_in_progress_polls", polls: 2, match: { id: igId }, count: 1 });
    const ig = g.graph({ token: page.accessToken, appSecret: SECRET });
    const container = await ig.post(`${igId}/media`, {
      image_url: "https://img.example/house.jpg",
      caption: "Just listed #home",
      alt_text: "A house",
    });
    expect(container.body).toEqual({ id: expect.any(String) });
    const early = await ig.post(`${igId}/media_publish`, { creation_id: container.body.id });
    expect(early.status).toBe(400);
    expect(early.body.error).toMatchObject({
      code: 9007,
      error_subcode: 2207027,
      message: "Media ID is not available",
    });
    const states = [];
    for (let i = 0; i < 3; i++)
      states.push((await ig.get(container.body.id, { fields: "status_code,status" })).body.status_code);
    expect(states).toEqual(["IN_PROGRESS", "IN_PROGRESS", "FINISHED"]);

    const media = await ig.post(`${igId}/media_publish`, { creation_id: container.body.id });
    expect(media.body).toEqual({ id: expect.any(String) });
    expect((await ig.get(container.body.id, { fields: "status_code" })).body.status_code).toBe("PUBLISHED");
    expect((await ig.post(`${igId}/media_publish`, { creation_id: container.body.id })).status).toBe(400);
    const read = await ig.get(media.body.id, { fields: "permalink,timestamp,caption" });
    expect(read.body).toMatchObject({ caption: "Just listed #home", permalink: expect.any(String) });
    const published = await g.published({ igId });
    expect(published.instagram).toHaveLength(1);
    expect(published.instagram[0]).toMatchObject({
      caption: "Just listed #home",
      altTexts: ["A house"],
      version: "v27.0",
    });
  });

  it("publishes a carousel and refuses over-long captions and bad children", async () => {
    const g = fake();
    const world = await g.createUser();
    const page = world.pages[0];
    const igId = page?.instagram?.id;
    if (!page || !igId) throw new Error("no instagram");
    const ig = g.graph({ token: page.accessToken, appSecret: SECRET });
    const tags = Array.from({ length: 31 }, (_, i) => `#t${i}`).join(" ");
    expect(
      (await ig.post(`${igId}/media`, { image_url: "https://img.example/a.jpg", caption: tags })).body.error,
    ).toMatchObject({
      code: 100,
      error_user_title: "Too many hashtags",
    });
    expect(
      (await ig.post(`${igId}/media`, { image_url: "https://i/a.jpg", caption: "x".repeat(2201) })).status,
    ).toBe(400);
    const kids = [];
    for (const n of [1, 2]) {
      kids.push(
        (
          await ig.post(`${igId}/media`, {
            image_url: `https://img.example/${n}.jpg`,
            is_carousel_item: true,
          })
        ).body.id,
      );
    }
    expect((await ig.post(`${igId}/media`, { media_type: "CAROUSEL", children: kids[0] })).status).toBe(400);
    const carousel = await ig.post(`${igId}/media`, {
      media_type: "CAROUSEL",
      children: kids.join(","),
      caption: "Tour",
    });
    for (let i = 0; i < 4; i++) await ig.get(carousel.body.id, { fields: "status_code" });
    for (const kid of kids) for (let i = 0; i < 2; i++) await ig.get(kid, { fields: "status_code" });
    const media = await ig.post(`${igId}/media_publish`, { creation_id: carousel.body.id });
    expect(media.status).toBe(200);
    const published = await g.published({ igId });
    expect(published.instagram[0]).toMatchObject({
      mediaType: "CAROUSEL_ALBUM",
      imageUrls: ["https://img.example/1.jpg", "https://img.example/2.jpg"],
    });
  });

  it("enforces the rolling 24 h publishing quota (own instance)", async () => {
    const g = await fake().newInstance({ config: { quotaTotal: 2, containerPolls: 0 } });
    const world = await g.createUser();
    const page = world.pages[0];
    const igId = page?.instagram?.id;
    if (!page || !igId) throw new Error("no instagram");
    const ig = g.graph({ token: page.accessToken, appSecret: SECRET });
    const publish = async () => {
      const c = await ig.post(`${igId}/media`, { image_url: "https://img.example/q.jpg" });
      return ig.post(`${igId}/media_publish`, { creation_id: c.body.id });
    };
    expect((await publish()).status).toBe(200);
    expect((await publish()).status).toBe(200);
    const over = await publish();
    expect(over.body.error).toMatchObject({ code: 9, error_subcode: 2207042 });
    const limit = await ig.get(`${igId}/content_publishing_limit`, { fields: "config,quota_usage" });
    expect(limit.body).toEqual({
      data: [{ config: { quota_total: 2, quota_duration: 86400 }, quota_usage: 2 }],
    });
    await g.advanceClock(24 * 3_600_000 + 1000);
    expect((await publish()).status).toBe(200);
  });
});
