// `pnpm bench:schedule`: 100 posts approved for the same minute on the local stack (the real Worker with
// its D1, posting queue and PostScheduler, under wrangler's unstable_startWorker, against the Graph fake).
// Prints how late each publishing call started after the scheduled minute (p50/p99/max, seen by the
// fake's call log) and proves that each post was published exactly once. Target: all within 5 s.
import { webcrypto as crypto, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { startFakeGraph } from "../tools/fake-graph/server.mjs";
import { Browser, d1, percentile, removePersist, startLocalWorker, tempPersist } from "./local-stack.mjs";

const POSTS = Number(process.env.BENCH_POSTS ?? 100);
const TARGET_MS = 5_000;
const APP = { id: "bench-app", secret: "bench-app-secret" };
const KEY = Buffer.from(randomBytes(32)).toString("base64");
const b64 = (bytes) => Buffer.from(bytes).toString("base64");
const b64url = (bytes) => Buffer.from(bytes).toString("base64url");
const id = () =>
  b64url(randomBytes(18))
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "x")
    .slice(0, 24);
const sqlText = (value) => (value === null ? "NULL" : `'${String(value).replaceAll("'", "''")}'`);

/** The Worker's token sealing (worker/src/lib/token-crypto.ts), so the seeded account opens there. */
async function sealToken(token, rowId) {
  const raw = Buffer.from(KEY, "base64");
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", raw));
  const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(rowId) },
    key,
    new TextEncoder().encode(token),
  );
  return {
    ciphertext: b64(new Uint8Array(ciphertext)),
    iv: b64(iv),
    keyId: `k_${b64url(digest.subarray(0, 6))}`,
  };
}

async function mapLimit(items, limit, task) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++]);
    }),
  );
}

const persist = tempPersist("schedule");
const graph = await startFakeGraph({ appId: APP.id, appSecret: APP.secret });
let worker;
try {
  worker = await startLocalWorker(persist, {
    GRAPH_API_URL: graph.url,
    FACEBOOK_OAUTH_URL: graph.url,
    FACEBOOK_APP_ID: APP.id,
    FACEBOOK_APP_SECRET: APP.secret,
    TOKEN_ENCRYPTION_KEY: KEY,
    TOKEN_ENCRYPTION_KEY_PREVIOUS: "",
    IMAGE_PROXY_ALLOW_HOSTS: "127.0.0.1",
  });

  // An agent (signed up through the API), its Page (a fresh world in the fake) and 100 drafts.
  const browser = new Browser(worker);
  const { agentId } = await browser.mutate("auth.register", {
    email: `bench-${Date.now()}@example.com`,
    password: "a-long-enough-passphrase",
    name: "Chris Bench",
  });
  const world = await (
    await fetch(`${graph.url}/__control/users`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Chris Bench", appId: APP.id, pages: [{ name: "Bench Homes" }] }),
    })
  ).json();
  const page = world.pages[0];
  const now = Date.now();
  const accountId = id();
  const sealed = await sealToken(page.accessToken, accountId);
  const listingId = id();
  const pieces = Array.from({ length: POSTS }, (_, i) => ({
    id: id(),
    text: `Bench post ${i + 1} of ${POSTS}: 123 Palm Way, Orlando, open this weekend. ${randomBytes(4).toString("hex")}`,
  }));
  const statements = [
    `insert into rltr_mktg_listings (id, agent_id, origin, source_key, content_hash, address_line, city, image_urls, first_seen_at, last_seen_at, created_at, updated_at) values (${sqlText(listingId)}, ${sqlText(agentId)}, 'manual', ${sqlText(`manual:${listingId}`)}, 'x', '123 Palm Way', 'Orlando', '[]', ${now}, ${now}, ${now}, ${now});`,
    `insert into rltr_mktg_social_accounts (id, agent_id, platform, external_id, display_name, page_id, meta_user_id, access_token_ciphertext, access_token_iv, key_id, scopes, status, created_at, updated_at) values (${sqlText(accountId)}, ${sqlText(agentId)}, 'facebook', ${sqlText(page.id)}, ${sqlText(page.name)}, ${sqlText(page.id)}, ${sqlText(world.user.id)}, ${sqlText(sealed.ciphertext)}, ${sqlText(sealed.iv)}, ${sqlText(sealed.keyId)}, 'pages_manage_posts,pages_read_engagement', 'connected', ${now}, ${now});`,
    ...pieces.map(
      (piece) =>
        `insert into rltr_mktg_content_pieces (id, agent_id, listing_id, kind, post_type, status, root_id, generation_key, body, generator, created_at, updated_at) values (${sqlText(piece.id)}, ${sqlText(agentId)}, ${sqlText(listingId)}, 'facebook_post', 'new_listing', 'pending_approval', ${sqlText(piece.id)}, ${sqlText(`bench:${piece.id}`)}, ${sqlText(piece.text)}, 'manual', ${now}, ${now});`,
    ),
  ];
  const seedFile = path.join(persist, "seed.sql");
  writeFileSync(seedFile, statements.join("\n"));
  d1(persist, ["execute", "DB", "--file", seedFile]);

  // All approved through the API for the same minute, at least 70 s ahead (approval needs a minute).
  const at = Math.ceil((Date.now() + 70_000) / 60_000) * 60_000;
  const approvalStart = Date.now();
  await mapLimit(pieces, 10, (piece) =>
    browser.mutate("content.action", { id: piece.id, action: "approve_and_post", scheduledAt: at }),
  );
  console.log(
    `${POSTS} posts approved for ${new Date(at).toISOString()} in ${Date.now() - approvalStart} ms; waiting ${Math.round((at - Date.now()) / 1000)} s`,
  );

  const publishedNow = async () =>
    (await (await fetch(`${graph.url}/__control/published?pageId=${page.id}`)).json()).facebook;
  const deadline = at + 120_000;
  let live = [];
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (Date.now() < at) continue;
    live = await publishedNow();
    if (live.length >= POSTS) break;
  }
  // A moment more: a duplicate would show up now.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  live = await publishedNow();

  const calls = await (await fetch(`${graph.url}/__control/calls?pageId=${page.id}`)).json();
  const feedCalls = calls.filter((c) => c.method === "POST" && c.path === `/${page.id}/feed`);
  const firstCall = new Map();
  for (const call of feedCalls) {
    const message = String(call.params.message ?? "");
    if (!firstCall.has(message)) firstCall.set(message, Date.parse(call.at));
  }
  const late = pieces.map((piece) => (firstCall.get(piece.text) ?? Number.NaN) - at);
  const started = late.filter((ms) => Number.isFinite(ms)).sort((a, b) => a - b);
  const counts = new Map(pieces.map((piece) => [piece.text, 0]));
  for (const post of live) counts.set(post.message, (counts.get(post.message) ?? 0) + 1);
  const once = [...counts.values()].filter((n) => n === 1).length;
  const twice = [...counts.values()].filter((n) => n > 1).length;
  const missing = [...counts.values()].filter((n) => n === 0).length;
  const extra = live.filter((post) => !counts.has(post.message)).length;

  console.log(`\nStart delay after the scheduled minute (first publishing call seen by the Graph fake)`);
  console.log(`  posts started     ${started.length} / ${POSTS}`);
  if (started.length > 0) {
    console.log(`  p50               ${percentile(started, 50)} ms`);
    console.log(`  p99               ${percentile(started, 99)} ms`);
    console.log(`  max               ${started.at(-1)} ms`);
    console.log(`  earliest          ${started[0]} ms`);
  }
  console.log(`\nExactly once`);
  console.log(`  published once    ${once} / ${POSTS}`);
  console.log(`  published twice+  ${twice}`);
  console.log(`  never published   ${missing}`);
  console.log(`  unknown posts     ${extra}`);
  console.log(`  /feed calls       ${feedCalls.length}`);
  const within = started.length === POSTS && (started.at(-1) ?? Number.POSITIVE_INFINITY) <= TARGET_MS;
  const exact = once === POSTS && twice === 0 && extra === 0;
  console.log(
    `\nTarget: all start within ${TARGET_MS / 1000} s: ${within ? "met" : "MISSED"}; exactly once: ${exact ? "yes" : "NO"}`,
  );
  process.exitCode = within && exact ? 0 : 1;
} finally {
  await worker?.dispose().catch(() => undefined);
  await graph.close();
  removePersist(persist);
}
