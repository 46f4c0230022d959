// A strict local stand-in for Meta's Graph API and Facebook Login, for development and tests. Plain
// node:http, no dependencies, fetches nothing. It answers only versioned paths (/v27.0/...), in Graph's
// shapes and with Graph's error objects and usage headers, and refuses what Graph refuses: a user token
// on Page publishing, a reused or expired OAuth code, a wrong PKCE verifier or redirect_uri, publishing an
// Instagram container before it is FINISHED or twice, going over the publishing quota. A JSON control API
// under /__control/ makes isolated worlds (a user with Pages and Instagram accounts), injects faults
// (transient, ghost writes, rate limits, expired tokens...) and lists what was published; GET / shows it.
import { createHash, createHmac, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { errors, GraphFault, graphTime, parseFields } from "./graph-errors.mjs";
import { renderConsent, renderDialogError, renderHome, renderItemPage } from "./html.mjs";

export const SUPPORTED_VERSIONS = ["v22.0", "v23.0", "v24.0", "v25.0", "v26.0", "v27.0"];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SHORT_LIVED_S = 5_400;
const LONG_LIVED_S = 5_184_000;
const CODE_TTL_MS = 10 * 60_000;

/** What Facebook Login for Business grants for a `config_id` (the fake has no configurations of its own). */
export const BUSINESS_PERMISSIONS = [
  "pages_show_list",
  "pages_read_engagement",
  "pages_manage_posts",
  "instagram_basic",
  "instagram_content_publish",
  "business_management",
];
const KNOWN_PERMISSIONS = new Set([
  "public_profile",
  "email",
  "pages_manage_metadata",
  "pages_read_user_content",
  "pages_manage_engagement",
  "read_insights",
  "instagram_manage_comments",
  "instagram_manage_insights",
  ...BUSINESS_PERMISSIONS,
]);
export const ALL_TASKS = ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"];

/** The demo world (`--demo`, `pnpm dev`), also the default "logged in" user of the OAuth dialog. */
export const DEMO = {
  appId: "demo-app",
  appSecret: "demo-app-secret",
  userId: "100090000000001",
  userName: "Chris Morgan",
  pageId: "109000000000001",
  pageName: "Chris Morgan Homes",
  igId: "17841400000000001",
  igUsername: "chrismorganhomes",
  userToken: "EAADemoUserTokenChrisMorgan0000000000",
  pageToken: "EAADemoPageTokenChrisMorganHomes00000",
};

const DEFAULT_CONFIG = {
  containerPolls: 1,
  containerReadyMs: 0,
  quotaTotal: 50,
  unreachableUrls: [],
  appCallBudget: 200,
  requireAppSecretProof: true,
};

/** Page post insights still offered after Meta's 2025-2026 deprecations (no post_impressions*). */
const FACEBOOK_POST_METRICS = {
  post_total_media_view_unique: "Unique people who saw the post (views).",
  post_media_view: "Times the post was seen (views).",
  post_reactions_by_type_total: "Reactions to the post, by type.",
  post_reactions_like_total: "Like reactions.",
  post_reactions_love_total: "Love reactions.",
  post_reactions_wow_total: "Wow reactions.",
  post_reactions_haha_total: "Haha reactions.",
  post_reactions_sorry_total: "Sorry reactions.",
  post_reactions_anger_total: "Anger reactions.",
  post_clicks: "Clicks anywhere in the post.",
  post_clicks_by_type: "Clicks, by type.",
};
/** Instagram media insights for feed images and carousels (no impressions, plays or video_views). */
const INSTAGRAM_MEDIA_METRICS = {
  views: "Times the media was played or displayed.",
  reach: "Unique accounts that saw the media.",
  likes: "Likes.",
  comments: "Comments.",
  saved: "Saves.",
  shares: "Shares.",
  total_interactions: "Likes, saves, comments and shares, minus the undone ones.",
  follows: "Accounts that followed after seeing the media.",
  profile_visits: "Profile visits from the media.",
  profile_activity: "Actions on the profile after seeing the media.",
};

const FAULT_KINDS = new Set([
  "transient",
  "ghost",
  "rate_limit",
  "blocked",
  "token_expired",
  "permission_revoked",
  "container_error",
  "container_in_progress_polls",
  "insights_small",
]);
const SECRET_PARAMS = new Set([
  "access_token",
  "client_secret",
  "fb_exchange_token",
  "code",
  "code_verifier",
  "input_token",
  "appsecret_proof",
]);

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const token = () => `EAA${randomBytes(30).toString("base64url")}`;
const hashtags = (text) => text.match(/#[\p{L}\p{N}_]+/gu)?.length ?? 0;
const mentions = (text) => text.match(/(^|[^\w])@[\w.]+/g)?.length ?? 0;
const isHttpUrl = (value) => {
  try {
    return ["http:", "https:"].includes(new URL(String(value)).protocol);
  } catch {
    return false;
  }
};
const parseBool = (value, fallback, name = "published") => {
  if (value === undefined || value === "") return fallback;
  if (value === true || value === "true" || value === "1" || value === 1) return true;
  if (value === false || value === "false" || value === "0" || value === 0) return false;
  throw errors.param(`Param ${name} must be a boolean`);
};
/** `since`/`until`: unix seconds or a date string (Graph accepts strtotime() input). */
const parseTime = (value, name) => {
  if (value === undefined || value === "") return undefined;
  const ms = /^\d+$/.test(String(value)) ? Number(value) * 1000 : Date.parse(String(value));
  if (Number.isNaN(ms)) throw errors.param(`The parameter ${name} is not a valid time`);
  return ms;
};
const appTokenSignature = (app) => createHmac("sha256", app.secret).update("app").digest("base64url");
const s256 = (verifier) => createHash("sha256").update(verifier).digest("base64url");

/** Seeded PRNG (mulberry32), so a probabilistic fault fires the same way on every run. */
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > 4 * 1024 * 1024) {
        reject(new HttpError(413, "body too large"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res, status, body, headers = {}) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers });
  res.end(JSON.stringify(body));
}

function sendHtml(res, status, html, headers = {}) {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    // No form-action: Chrome would apply it to Continue's redirect to the app's redirect_uri too.
    "content-security-policy": "default-src 'none'; img-src * data:; style-src 'unsafe-inline'",
    ...headers,
  });
  res.end(html);
}

function redirect(res, location) {
  res.writeHead(302, { location, "cache-control": "no-store" });
  res.end();
}

/** Adds query parameters to a redirect URI, keeping its own, and Facebook's `#_=_` fragment. */
function withQuery(uri, params) {
  const url = new URL(uri);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  url.hash = "_=_";
  return url.toString();
}

function freshState(config = {}) {
  return {
    seq: 100,
    apps: new Map(),
    users: new Map(),
    pages: new Map(),
    igUsers: new Map(),
    tokens: new Map(),
    pageTokenCache: new Map(),
    dialogs: new Map(),
    codes: new Map(),
    posts: new Map(),
    photos: new Map(),
    containers: new Map(),
    media: new Map(),
    faults: [],
    calls: [],
    usage: new Map(),
    clockOffsetMs: 0,
    config: { ...DEFAULT_CONFIG, ...config },
  };
}

/**
 * Starts the fake. `appId`/`appSecret` name the app tests use (default test-app / test-app-secret); the demo
 * app (demo-app / demo-app-secret) always exists too. `seedDemo` pre-issues the demo user's and Page's tokens.
 */
export async function startFakeGraph({
  port = 0,
  host = "127.0.0.1",
  appId = "test-app",
  appSecret = "test-app-secret",
  seedDemo = false,
  config = {},
} = {}) {
  let state;
  const children = [];
  let origin = "";
  const now = () => Date.now() + state.clockOffsetMs;
  const nextId = (prefix, width = 8) => `${prefix}${String(++state.seq).padStart(width, "0")}`;

  function issueToken(fields, value = token()) {
    const record = { issuedAt: now(), expiresAt: 0, invalidSubcode: null, longLived: false, ...fields };
    state.tokens.set(value, record);
    return value;
  }

  function grantsOf(userId, app) {
    const user = state.users.get(userId);
    if (!user) return new Map();
    if (!user.grants.has(app)) user.grants.set(app, new Map());
    return user.grants.get(app);
  }
  const granted = (userId, app, permission) => grantsOf(userId, app).get(permission) === "granted";

  /** A user who manages Pages, each optionally linked to an Instagram professional account. */
  function createWorld({ ids = {}, name = "Chris Morgan", app = appId, permissions, pages } = {}) {
    const userId = ids.userId ?? nextId("1000900", 8);
    const user = { id: userId, name, pages: [], grants: new Map() };
    state.users.set(userId, user);
    const grants = grantsOf(userId, app);
    grants.set("public_profile", "granted");
    for (const p of permissions ?? BUSINESS_PERMISSIONS) grants.set(p, "granted");
    const pageSpecs = pages ?? [{ name: `${name} Homes`, instagram: { username: "chrismorganhomes" } }];
    for (const [i, spec] of pageSpecs.entries()) {
      const pageId = (i === 0 && ids.pageId) || nextId("1090000", 8);
      const page = {
        id: pageId,
        name: spec.name ?? `${name} Page ${i + 1}`,
        category: spec.category ?? "Real Estate Agent",
        tasks: spec.tasks ?? [...ALL_TASKS],
        userId,
        igId: null,
      };
      if (spec.instagram) {
        const igId = (i === 0 && ids.igId) || nextId("178414000", 8);
        state.igUsers.set(igId, {
          id: igId,
          username: spec.instagram.username ?? `page${pageId}`,
          name: spec.instagram.name ?? page.name,
          pageId,
        });
        page.igId = igId;
      }
      state.pages.set(pageId, page);
      user.pages.push(pageId);
    }
    return user;
  }

  function describeWorld(user, app, userToken) {
    return {
      user: { id: user.id, name: user.name, accessToken: userToken },
      pages: user.pages.map((pageId) => {
        const page = state.pages.get(pageId);
        const ig = page.igId ? state.igUsers.get(page.igId) : null;
        return {
          id: page.id,
          name: page.name,
          tasks: page.tasks,
          accessToken: pageTokenFor(userToken, page, app),
          instagram: ig ? { id: ig.id, username: ig.username } : null,
        };
      }),
    };
  }

  function pageTokenFor(userToken, page, app) {
    const key = `${userToken}:${page.id}`;
    const cached = state.pageTokenCache.get(key);
    if (cached && state.tokens.has(cached)) return cached;
    const user = state.tokens.get(userToken);
    // A Page token from a long-lived user token does not expire; from a short-lived one it ends with it.
    const value = issueToken({
      kind: "page",
      appId: app,
      userId: page.userId,
      pageId: page.id,
      expiresAt: user?.longLived ? 0 : (user?.expiresAt ?? 0),
      longLived: Boolean(user?.longLived),
      parent: userToken,
    });
    state.pageTokenCache.set(key, value);
    return value;
  }

  function reset() {
    state = freshState(config);
    state.apps.set(appId, { id: appId, secret: appSecret, name: "Realtor Marketing (test)" });
    state.apps.set(DEMO.appId, { id: DEMO.appId, secret: DEMO.appSecret, name: "Realtor Marketing (demo)" });
    const user = createWorld({
      ids: { userId: DEMO.userId, pageId: DEMO.pageId, igId: DEMO.igId },
      name: DEMO.userName,
      app: DEMO.appId,
      pages: [{ name: DEMO.pageName, instagram: { username: DEMO.igUsername } }],
    });
    for (const p of BUSINESS_PERMISSIONS) grantsOf(user.id, appId).set(p, "granted");
    grantsOf(user.id, appId).set("public_profile", "granted");
    // The demo Chris allowed insights too, so `pnpm dev` shows his posts' numbers with the seeded tokens.
    for (const app of [DEMO.appId, appId]) {
      for (const p of ["read_insights", "instagram_manage_insights"])
        grantsOf(user.id, app).set(p, "granted");
    }
    if (seedDemo) {
      issueToken(
        {
          kind: "user",
          appId: DEMO.appId,
          userId: DEMO.userId,
          longLived: true,
          expiresAt: now() + LONG_LIVED_S * 1000,
        },
        DEMO.userToken,
      );
      issueToken(
        { kind: "page", appId: DEMO.appId, userId: DEMO.userId, pageId: DEMO.pageId, longLived: true },
        DEMO.pageToken,
      );
      state.pageTokenCache.set(`${DEMO.userToken}:${DEMO.pageId}`, DEMO.pageToken);
    }
  }
  reset();

  // ---------- tokens ----------

  function readToken(req, params) {
    const header = req.headers.authorization;
    if (header) {
      const match = /^(Bearer|OAuth)\s+(\S+)$/i.exec(header);
      if (!match) throw errors.tokenUnparsable();
      return { value: match[2], source: "header" };
    }
    if (params.access_token) return { value: String(params.access_token), source: "param" };
    return null;
  }

  /** Checks the token (and appsecret_proof); records its kind on the call, never its value. */
  function authenticate(ctx, { optional = false } = {}) {
    const found = readToken(ctx.req, ctx.params);
    if (!found) {
      if (optional) return null;
      throw errors.tokenRequired();
    }
    ctx.call.tokenSource = found.source;
    const appToken = /^([^|]+)\|(.+)$/.exec(found.value);
    if (appToken) {
      const app = state.apps.get(appToken[1] ?? "");
      if (!app || (app.secret !== appToken[2] && appTokenSignature(app) !== appToken[2])) {
        ctx.call.tokenKind = "invalid";
        throw new GraphFault(400, 190, "Invalid OAuth access token signature.");
      }
      ctx.call.tokenKind = "app";
      return { kind: "app", appId: app.id, value: found.value };
    }
    const record = state.tokens.get(found.value);
    if (!record) {
      ctx.call.tokenKind = "invalid";
      throw errors.tokenUnparsable();
    }
    ctx.call.tokenKind = record.kind;
    ctx.call.userId = record.userId;
    if (record.pageId) ctx.call.pageId = record.pageId;
    if (record.invalidSubcode) throw errors.tokenInvalidated(record.invalidSubcode);
    if (record.expiresAt && now() >= record.expiresAt) throw errors.tokenExpired(record.expiresAt, now());
    if (record.kind === "app") return { ...record, value: found.value };
    const app = state.apps.get(record.appId);
    const proof = ctx.params.appsecret_proof;
    if (proof !== undefined) {
      const expected = createHmac("sha256", app.secret).update(found.value).digest("hex");
      if (String(proof) !== expected) throw errors.proofInvalid();
    } else if (state.config.requireAppSecretProof) {
      throw errors.proofMissing();
    }
    return { ...record, value: found.value };
  }

  // ---------- nodes and fields ----------

  const NODE = {
    User: {
      defaults: ["id", "name"],
      fields: {
        id: (u) => u.id,
        name: (u) => u.name,
        first_name: (u) => u.name.split(" ")[0],
        last_name: (u) => u.name.split(" ").slice(1).join(" "),
      },
    },
    Page: {
      defaults: ["id", "name"],
      fields: {
        id: (p) => p.id,
        name: (p) => p.name,
        category: (p) => p.category,
        tasks: (p, _c, ctx) => (ctx.auth.kind === "user" ? p.tasks : undefined),
        link: (p) => `https://www.facebook.com/${p.id}`,
        access_token: (p, _c, ctx) => {
          if (ctx.auth.kind === "page") return ctx.auth.value;
          if (ctx.auth.kind === "user" && granted(p.userId, ctx.auth.appId, "pages_show_list")) {
            return pageTokenFor(ctx.auth.value, p, ctx.auth.appId);
          }
          return undefined;
        },
        instagram_business_account: (p, children, ctx) =>
          p.igId ? render("IGUser", state.igUsers.get(p.igId), children, ctx, ["id"]) : undefined,
        connected_instagram_account: (p, children, ctx) =>
          p.igId ? render("IGUser", state.igUsers.get(p.igId), children, ctx, ["id"]) : undefined,
      },
    },
    IGUser: {
      defaults: ["id"],
      fields: {
        id: (g) => g.id,
        username: (g) => g.username,
        name: (g) => g.name,
        media_count: (g) => [...state.media.values()].filter((m) => m.igId === g.id).length,
        profile_picture_url: () => undefined,
      },
    },
    Post: {
      defaults: ["created_time", "message", "id"],
      fields: {
        id: (p) => p.id,
        message: (p) => p.message || undefined,
        created_time: (p) => graphTime(p.createdAt),
        updated_time: (p) => graphTime(p.createdAt),
        permalink_url: (p) => p.permalink,
        is_published: (p) => p.published,
        full_picture: (p) => p.imageUrls[0],
        status_type: (p) =>
          p.imageUrls.length ? "added_photos" : p.link ? "shared_story" : "mobile_status_update",
        // Graph leaves `shares` out while a post has none; comments and reactions are edges whose
        // summary(true) carries the count (this fake has no comment or reaction objects to list).
        shares: (p) => {
          const count = facebookMetrics(p).shares;
          return count > 0 ? { count } : undefined;
        },
        comments: (p) => ({
          data: [],
          summary: { order: "ranked", total_count: facebookMetrics(p).comments, can_comment: true },
        }),
        reactions: (p) => ({
          data: [],
          summary: { total_count: facebookMetrics(p).reactionsTotal, viewer_reaction: "NONE" },
        }),
      },
    },
    Photo: {
      defaults: ["id", "created_time"],
      fields: {
        id: (p) => p.id,
        created_time: (p) => graphTime(p.createdAt),
        name: (p) => p.caption || undefined,
        alt_text_custom: (p) => p.altText || undefined,
        page_story_id: (p) => p.postId ?? undefined,
        link: (p) => `${origin}/posts/${encodeURIComponent(p.postId ?? p.id)}`,
      },
    },
    IGContainer: {
      defaults: ["id"],
      fields: {
        id: (c) => c.id,
        status_code: (c, _ch, ctx) => polledStatus(c, ctx),
        status: (c, _ch, ctx) => STATUS_TEXT[polledStatus(c, ctx)],
      },
    },
    IGMedia: {
      defaults: ["id"],
      fields: {
        id: (m) => m.id,
        caption: (m) => m.caption || undefined,
        permalink: (m) => m.permalink,
        timestamp: (m) => graphTime(m.createdAt),
        media_type: (m) => m.mediaType,
        media_url: (m) => (m.mediaType === "IMAGE" ? m.imageUrls[0] : undefined),
        username: (m) => state.igUsers.get(m.igId)?.username,
        shortcode: (m) => m.shortcode,
        children: (m, children, ctx) =>
          m.mediaType === "CAROUSEL_ALBUM"
            ? {
                data: m.imageUrls.map((url, i) =>
                  render(
                    "IGMedia",
                    { ...m, id: m.childIds[i], imageUrls: [url], mediaType: "IMAGE", caption: "" },
                    children,
                    ctx,
                    ["id"],
                  ),
                ),
              }
            : undefined,
      },
    },
  };

  const STATUS_TEXT = {
    IN_PROGRESS: "In Progress: Media is still being processed.",
    FINISHED: "Finished: Media has been uploaded and it is ready to be published.",
    PUBLISHED: "Published: Media has been successfully published.",
    ERROR: "Error: Media upload has failed with error code 2207052",
    EXPIRED: "Expired: Media has not been published within 24 hours.",
  };

  /** Renders a node with the requested fields (a parsed tree), as Graph does: absent values are omitted. */
  function render(type, obj, fields, ctx, defaults) {
    const spec = NODE[type];
    const wanted = fields ?? (defaults ?? spec.defaults).map((name) => ({ name, children: null }));
    const out = {};
    for (const { name, children } of wanted) {
      const read = spec.fields[name];
      if (!read) throw errors.nonexistingField(name, type);
      const value = read(obj, children, ctx);
      if (value !== undefined) out[name] = value;
    }
    // Graph answers a node's id whether or not it was asked for.
    if (!("id" in out)) out.id = obj.id;
    return out;
  }

  const fieldsOf = (ctx) => (ctx.params.fields ? parseFields(String(ctx.params.fields)) : null);

  /** One poll per request, however many status fields it asks for. */
  function polledStatus(c, ctx) {
    ctx.polled ??= new Map();
    if (!ctx.polled.has(c.id)) ctx.polled.set(c.id, containerStatus(c, ctx.poll));
    return ctx.polled.get(c.id);
  }

  function containerStatus(c, poll) {
    if (c.status === "PUBLISHED") return "PUBLISHED";
    if (now() - c.createdAt >= DAY) return "EXPIRED";
    if (c.status === "IN_PROGRESS") {
      if (c.pollsLeft > 0) {
        if (poll) c.pollsLeft--;
        return "IN_PROGRESS";
      }
      if (now() < c.readyAt) return "IN_PROGRESS";
      if (c.children) {
        const kids = c.children.map((id) => containerStatus(state.containers.get(id), false));
        if (kids.some((s) => s === "ERROR" || s === "EXPIRED")) c.finalStatus = "ERROR";
        else if (kids.some((s) => s === "IN_PROGRESS")) return "IN_PROGRESS";
      }
      c.status = c.finalStatus;
    }
    return c.status;
  }

  // ---------- who may touch what ----------

  /** A Page the token can see: its own Page token, or a user token of the user who manages it. */
  function visiblePage(auth, page) {
    if (auth.kind === "page") return auth.pageId === page.id;
    if (auth.kind === "user") return auth.userId === page.userId;
    return false;
  }

  function requirePageToken(auth, page) {
    if (auth.kind !== "page" || auth.pageId !== page.id) throw errors.pagePublishPermission();
    const ok =
      granted(page.userId, auth.appId, "pages_manage_posts") &&
      granted(page.userId, auth.appId, "pages_read_engagement") &&
      page.tasks.includes("CREATE_CONTENT");
    if (!ok) throw errors.pagePublishPermission();
  }

  /** Instagram calls: the linked Page's token, or the managing user's token, with the IG permissions. */
  function requireIgAccess(auth, ig, permissions) {
    const page = state.pages.get(ig.pageId);
    if (!page || !visiblePage(auth, page)) throw errors.objectMissing("post", ig.id);
    for (const p of permissions) if (!granted(page.userId, auth.appId, p)) throw errors.permission(10);
  }

  // ---------- request plans ----------
  // route() checks the request and returns a plan: the ids it touches (for scoped faults), whether it
  // writes, and run() which makes the change and returns the body. Faults sit between the two.

  function involvedOf(id) {
    const out = new Set([id]);
    const page = state.pages.get(id);
    if (page?.igId) out.add(page.igId);
    const ig = state.igUsers.get(id);
    if (ig) out.add(ig.pageId);
    const owner = state.containers.get(id) ?? state.media.get(id);
    if (owner) {
      out.add(owner.igId);
      out.add(state.igUsers.get(owner.igId)?.pageId);
    }
    const post = state.posts.get(id) ?? state.photos.get(id);
    if (post) out.add(post.pageId);
    out.delete(undefined);
    return out;
  }

  function route(ctx) {
    const { method, segments } = ctx;
    const [first = "", edge, ...more] = segments;
    if (more.length) throw errors.unknownPath(segments.slice(1).join("/"));

    if (first === "oauth" && edge === "access_token" && (method === "GET" || method === "POST")) {
      return { involved: new Set(), write: false, run: () => accessToken(ctx) };
    }
    if (first === "debug_token" && !edge && method === "GET") {
      return { involved: new Set(), write: false, run: () => debugToken(ctx) };
    }

    const auth = authenticate(ctx);
    ctx.auth = auth;
    let id = first;
    if (first === "me") {
      if (auth.kind === "app") {
        throw new GraphFault(
          400,
          2500,
          "An active access token must be used to query information about the current user.",
        );
      }
      id = auth.kind === "page" ? auth.pageId : auth.userId;
    }
    const involved = involvedOf(id);
    for (const i of involved) ctx.involved.add(i);
    const plan = (run, write = false) => ({ involved, write, run });

    const user = state.users.get(id);
    const page = state.pages.get(id);
    const ig = state.igUsers.get(id);

    if (!edge) {
      const post = state.posts.get(id);
      if (method === "DELETE" && post) {
        requirePageToken(auth, state.pages.get(post.pageId));
        return plan(() => {
          state.posts.delete(id);
          return { success: true };
        }, true);
      }
      if (method !== "GET") throw errors.objectMissing(method, id);
      return plan(() => readNode(ctx, id));
    }
    if (user) {
      if (auth.kind !== "user" || auth.userId !== user.id) throw errors.objectMissing(method, id);
      if (edge === "permissions" && method === "GET") return plan(() => permissionsOf(ctx, user));
      if (edge === "permissions" && method === "DELETE") return plan(() => deauthorize(ctx, user), true);
      if (edge === "accounts" && method === "GET") return plan(() => accountsOf(ctx, user));
      throw errors.nonexistingField(edge, "User");
    }
    if (page) {
      if (!visiblePage(auth, page)) throw errors.objectMissing(method, id);
      if (method === "POST" && edge === "photos") {
        requirePageToken(auth, page);
        return plan(preparePhotoUpload(ctx, page), true);
      }
      if (method === "POST" && edge === "feed") {
        requirePageToken(auth, page);
        return plan(prepareFeedPost(ctx, page), true);
      }
      if (method === "GET" && ["published_posts", "feed", "posts"].includes(edge)) {
        if (auth.kind !== "page") throw errors.pageTokenRequired();
        if (!granted(page.userId, auth.appId, "pages_read_engagement")) throw errors.permission(10);
        return plan(() => listPosts(ctx, page));
      }
      if (edge === "permissions" || edge === "accounts") throw errors.nonexistingField(edge, "Page");
      throw errors.unknownPath(segments.slice(1).join("/"));
    }
    if (ig) {
      if (method === "POST" && edge === "media") {
        requireIgAccess(auth, ig, ["instagram_basic", "instagram_content_publish"]);
        return plan(prepareContainer(ctx, ig), true);
      }
      if (method === "POST" && edge === "media_publish") {
        requireIgAccess(auth, ig, ["instagram_basic", "instagram_content_publish"]);
        return plan(preparePublish(ctx, ig), true);
      }
      if (method === "GET" && edge === "content_publishing_limit") {
        requireIgAccess(auth, ig, ["instagram_basic", "instagram_content_publish"]);
        return plan(() => publishingLimit(ctx, ig));
      }
      if (method === "GET" && edge === "media") {
        requireIgAccess(auth, ig, ["instagram_basic"]);
        return plan(() => listMedia(ctx, ig));
      }
      throw errors.unknownPath(segments.slice(1).join("/"));
    }
    const post = state.posts.get(id);
    const media = state.media.get(id);
    if (edge === "insights" && method === "GET" && post) {
      const postPage = state.pages.get(post.pageId);
      if (!postPage || !visiblePage(auth, postPage)) throw errors.objectMissing(method, id);
      if (auth.kind !== "page") throw errors.pageTokenRequired();
      for (const p of ["pages_read_engagement", "read_insights"]) {
        if (!granted(postPage.userId, auth.appId, p)) throw errors.permission(10);
      }
      const names = requestedMetrics(ctx, FACEBOOK_POST_METRICS, "facebook");
      return plan(() => insightsAnswer(ctx, post, names, facebookMetrics(post)));
    }
    if (edge === "insights" && method === "GET" && media) {
      const owner = state.igUsers.get(media.igId);
      if (!owner) throw errors.objectMissing(method, id);
      requireIgAccess(auth, owner, ["instagram_basic", "instagram_manage_insights", "pages_read_engagement"]);
      const names = requestedMetrics(ctx, INSTAGRAM_MEDIA_METRICS, "instagram");
      return plan(() => insightsAnswer(ctx, media, names, instagramMetrics(media)));
    }
    throw errors.objectMissing(method, id);
  }

  // ---------- insights ----------

  /** A published item with the headline numbers its insights answer, for the fake's own pages. */
  function withMetrics(item) {
    const post = state.posts.get(item.id);
    const media = state.media.get(item.id);
    if (post) {
      const m = facebookMetrics(post);
      const metrics = { views: m.post_total_media_view_unique, reactions: m.reactionsTotal };
      return {
        ...item,
        metrics: { ...metrics, clicks: m.post_clicks, comments: m.comments, shares: m.shares },
      };
    }
    if (media) {
      const { views, reach, likes, comments, saved, shares } = instagramMetrics(media);
      return { ...item, metrics: { views, reach, likes, comments, saved, shares } };
    }
    return item;
  }

  /** Deterministic numbers per post: seeded by its id, growing over its first three days (by the hour). */
  function baseReach(obj) {
    const seed = createHash("sha256").update(String(obj.id)).digest().readUInt32BE(0);
    const random = seededRandom(seed);
    const ageHours = Math.max(0, Math.floor((now() - obj.createdAt) / HOUR));
    const grown = 0.6 + 0.4 * Math.min(1, ageHours / 72);
    return Math.round((120 + Math.floor(random() * 880)) * grown);
  }

  function facebookMetrics(post) {
    const reach = baseReach(post);
    const reactions = {
      like: Math.round(reach * 0.06),
      love: Math.round(reach * 0.02),
      wow: Math.round(reach * 0.005),
    };
    const clicks = Math.round(reach * 0.04);
    return {
      post_total_media_view_unique: reach,
      post_media_view: Math.round(reach * 1.4),
      post_reactions_by_type_total: reactions,
      post_reactions_like_total: reactions.like,
      post_reactions_love_total: reactions.love,
      post_reactions_wow_total: reactions.wow,
      post_reactions_haha_total: 0,
      post_reactions_sorry_total: 0,
      post_reactions_anger_total: 0,
      post_clicks: clicks,
      post_clicks_by_type: {
        "link clicks": Math.round(clicks * 0.7),
        "other clicks": clicks - Math.round(clicks * 0.7),
      },
      reactionsTotal: reactions.like + reactions.love + reactions.wow,
      comments: Math.round(reach * 0.01),
      shares: Math.round(reach * 0.008),
    };
  }

  function instagramMetrics(media) {
    const reach = baseReach(media);
    const likes = Math.round(reach * 0.09);
    const comments = Math.round(reach * 0.012);
    const saved = Math.round(reach * 0.02);
    const shares = Math.round(reach * 0.01);
    const profileVisits = Math.round(reach * 0.015);
    return {
      views: Math.round(reach * 1.5),
      reach,
      likes,
      comments,
      saved,
      shares,
      total_interactions: likes + comments + saved + shares,
      follows: Math.round(reach * 0.003),
      profile_visits: profileVisits,
      profile_activity: profileVisits,
    };
  }

  /** The `metric` list, each one Graph still offers for the node (a retired or unknown one fails it all). */
  function requestedMetrics(ctx, offered, network) {
    const raw = ctx.params.metric;
    const names = String(raw ?? "")
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean);
    if (names.length === 0) {
      if (network === "facebook") {
        throw new GraphFault(400, 3001, "Invalid query", {
          error_subcode: 1504028,
          error_user_title: "No Metric Specified",
          error_user_msg:
            "No metric was specified to be fetched. Please specify one or more metrics to be fetched and try again.",
        });
      }
      throw errors.param("The parameter metric is required");
    }
    for (const [i, name] of names.entries()) {
      if (Object.hasOwn(offered, name)) continue;
      if (network === "facebook") throw errors.param("The value must be a valid insights metric");
      throw errors.param(
        `metric[${i}] must be one of the following values: ${Object.keys(offered).join(", ")}`,
      );
    }
    return [...new Set(names)];
  }

  /** A fault `insights_small` refuses the whole call when it asks for one of its metrics (all by default). */
  function fireSmallPost(ctx, names) {
    for (const fault of state.faults) {
      if (fault.kind !== "insights_small" || fault.remaining <= 0) continue;
      if (!faultMatches(fault, ctx, ctx.involved)) continue;
      const refused = Array.isArray(fault.params.metrics) ? fault.params.metrics : names;
      if (!names.some((name) => refused.includes(name))) continue;
      if (fault.probability < 1 && fault.random() >= fault.probability) continue;
      fault.remaining--;
      fault.fired++;
      ctx.call.fault = fault.kind;
      return fault;
    }
    return null;
  }

  function insightsAnswer(ctx, obj, names, values) {
    if (fireSmallPost(ctx, names)) {
      throw new GraphFault(400, 10, "(#10) Not enough viewers for the media to show insights", {
        error_user_title: "Not enough viewers",
        error_user_msg: "Insights are shown once enough people have seen this post.",
      });
    }
    const offered = state.posts.has(obj.id) ? FACEBOOK_POST_METRICS : INSTAGRAM_MEDIA_METRICS;
    return {
      data: names.map((name) => ({
        name,
        period: "lifetime",
        values: [{ value: values[name] }],
        title: offered[name],
        description: offered[name],
        id: `${obj.id}/insights/${name}/lifetime`,
      })),
      paging: {
        previous: `${origin}/${ctx.version}/${obj.id}/insights?metric=${names.join(",")}`,
        next: `${origin}/${ctx.version}/${obj.id}/insights?metric=${names.join(",")}`,
      },
    };
  }

  function readNode(ctx, id) {
    const { auth } = ctx;
    const fields = fieldsOf(ctx);
    ctx.poll = true;
    const user = state.users.get(id);
    if (user && auth.kind === "user" && auth.userId === id) return render("User", user, fields, ctx);
    const page = state.pages.get(id);
    if (page && visiblePage(auth, page)) return render("Page", page, fields, ctx);
    const ig = state.igUsers.get(id);
    if (ig && visiblePage(auth, state.pages.get(ig.pageId))) return render("IGUser", ig, fields, ctx);
    const post = state.posts.get(id);
    if (post && visiblePage(auth, state.pages.get(post.pageId))) return render("Post", post, fields, ctx);
    const photo = state.photos.get(id);
    if (photo && visiblePage(auth, state.pages.get(photo.pageId))) return render("Photo", photo, fields, ctx);
    const container = state.containers.get(id);
    const owner = (x) => visiblePage(auth, state.pages.get(state.igUsers.get(x.igId)?.pageId) ?? {});
    if (container && owner(container)) return render("IGContainer", container, fields, ctx);
    const media = state.media.get(id);
    if (media && owner(media)) return render("IGMedia", media, fields, ctx);
    throw errors.objectMissing("GET", id);
  }

  function permissionsOf(ctx, user) {
    const grants = grantsOf(user.id, ctx.auth.appId);
    return { data: [...grants].map(([permission, status]) => ({ permission, status })) };
  }

  function deauthorize(ctx, user) {
    user.grants.delete(ctx.auth.appId);
    for (const record of state.tokens.values()) {
      if (record.userId === user.id && record.appId === ctx.auth.appId) record.invalidSubcode = 458;
    }
    return { success: true };
  }

  const paging = (items) => ({
    cursors: {
      before: Buffer.from(String(items[0]?.id ?? "0")).toString("base64url"),
      after: Buffer.from(String(items.at(-1)?.id ?? "0")).toString("base64url"),
    },
  });

  function accountsOf(ctx, user) {
    if (!granted(user.id, ctx.auth.appId, "pages_show_list")) return { data: [] };
    const pages = user.pages.map((id) => state.pages.get(id));
    const fields = fieldsOf(ctx);
    const data = pages.map((p) =>
      render("Page", p, fields, ctx, ["access_token", "category", "name", "id", "tasks"]),
    );
    return { data, paging: paging(pages) };
  }

  function listPosts(ctx, page) {
    const since = parseTime(ctx.params.since, "since");
    const until = parseTime(ctx.params.until, "until");
    const limit = Math.min(Number(ctx.params.limit ?? 25) || 25, 100);
    const posts = [...state.posts.values()]
      .filter((p) => p.pageId === page.id && p.published)
      .filter(
        (p) => (since === undefined || p.createdAt >= since) && (until === undefined || p.createdAt <= until),
      )
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, limit);
    const fields = fieldsOf(ctx);
    return { data: posts.map((p) => render("Post", p, fields, ctx)), paging: paging(posts) };
  }

  function listMedia(ctx, ig) {
    const limit = Math.min(Number(ctx.params.limit ?? 25) || 25, 100);
    const media = [...state.media.values()]
      .filter((m) => m.igId === ig.id)
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, limit);
    const fields = fieldsOf(ctx);
    return { data: media.map((m) => render("IGMedia", m, fields, ctx)), paging: paging(media) };
  }

  function checkImageUrl(url, unfetchable) {
    if (!isHttpUrl(url)) return false;
    if (state.config.unreachableUrls.some((u) => String(url).startsWith(u))) throw unfetchable();
    return true;
  }

  function newPost(page, fields) {
    const id = `${page.id}_${nextId("1230000", 8)}`;
    const post = {
      id,
      pageId: page.id,
      message: "",
      link: null,
      imageUrls: [],
      altTexts: [],
      published: true,
      createdAt: now(),
      permalink: `${origin}/posts/${encodeURIComponent(id)}`,
      ...fields,
    };
    state.posts.set(id, post);
    return post;
  }

  function prepareFeedPost(ctx, page) {
    const { params } = ctx;
    if (params.scheduled_publish_time !== undefined) {
      throw errors.param("scheduled_publish_time is not supported by this fake");
    }
    const message = params.message === undefined ? "" : String(params.message);
    const link = params.link === undefined ? null : String(params.link);
    if (link !== null && !isHttpUrl(link)) throw errors.param("The parameter link is not a valid URL");
    const published = parseBool(params.published, true);
    const photos = attachedMedia(params).map((entry, i) => {
      const mediaId = entry && typeof entry === "object" ? entry.media_fbid : undefined;
      const photo = state.photos.get(String(mediaId ?? ""));
      if (!photo || photo.pageId !== page.id || photo.published || photo.postId) {
        throw errors.param(`param attached_media[${i}] has an invalid media_fbid`);
      }
      return photo;
    });
    if (photos.length > 1 && link) throw errors.param("A post cannot have both a link and attached_media");
    if (!message && !link && photos.length === 0) throw errors.param("Missing message or attachment");
    return () => {
      const post = newPost(page, {
        message,
        link,
        published,
        imageUrls: photos.map((p) => p.url),
        altTexts: photos.map((p) => p.altText),
        viaVersion: ctx.version,
      });
      for (const photo of photos) photo.postId = post.id;
      return { id: post.id };
    };
  }

  /** `attached_media[0]={"media_fbid":"1"}` (form) or `attached_media=[{...}]` (JSON string or array). */
  function attachedMedia(params) {
    const out = [];
    let raw = params.attached_media;
    if (typeof raw === "string") {
      try {
        raw = JSON.parse(raw);
      } catch {
        throw errors.param("param attached_media must be an array");
      }
    }
    if (raw !== undefined) {
      if (!Array.isArray(raw)) throw errors.param("param attached_media must be an array");
      out.push(...raw);
    }
    const indexed = Object.keys(params)
      .map((key) => /^attached_media\[(\d+)\]$/.exec(key))
      .filter(Boolean)
      .sort((a, b) => Number(a[1]) - Number(b[1]));
    for (const [key] of indexed) {
      const value = params[key];
      try {
        out.push(typeof value === "string" ? JSON.parse(value) : value);
      } catch {
        throw errors.param(`param ${key} must be a JSON object`);
      }
    }
    return out;
  }

  function preparePhotoUpload(ctx, page) {
    const { params } = ctx;
    if (params.url === undefined || params.url === "")
      throw new GraphFault(400, 324, "(#324) Requires upload file");
    if (!checkImageUrl(params.url, errors.imageUnfetchable))
      throw errors.param("url should represent a valid URL");
    const published = parseBool(params.published, true);
    const caption = String(params.caption ?? params.message ?? "");
    const altText = params.alt_text_custom === undefined ? null : String(params.alt_text_custom);
    return () => {
      const photo = {
        id: nextId("1220000", 8),
        pageId: page.id,
        url: String(params.url),
        caption,
        altText,
        published,
        postId: null,
        createdAt: now(),
      };
      state.photos.set(photo.id, photo);
      if (!published) return { id: photo.id };
      const post = newPost(page, {
        message: caption,
        imageUrls: [photo.url],
        altTexts: [altText],
        viaVersion: ctx.version,
      });
      photo.postId = post.id;
      return { id: photo.id, post_id: post.id };
    };
  }

  function checkCaption(caption) {
    if (caption.length > 2200) {
      throw errors.igCaption("Caption too long", "The caption can be at most 2,200 characters.");
    }
    if (hashtags(caption) > 30) {
      throw errors.igCaption("Too many hashtags", "The caption can contain at most 30 hashtags.");
    }
    if (mentions(caption) > 20) {
      throw errors.igCaption("Too many mentions", "The caption can contain at most 20 @ mentions.");
    }
  }

  function prepareContainer(ctx, ig) {
    const { params } = ctx;
    const mediaType = String(params.media_type ?? "IMAGE");
    const caption = String(params.caption ?? "");
    checkCaption(caption);
    const isCarouselItem = parseBool(params.is_carousel_item, false, "is_carousel_item");
    let children = null;
    let imageUrl = null;
    if (mediaType === "CAROUSEL") {
      if (params.image_url !== undefined)
        throw errors.param("image_url cannot be used with media_type CAROUSEL");
      let raw = params.children;
      if (typeof raw === "string") {
        try {
          raw = raw.startsWith("[") ? JSON.parse(raw) : raw.split(",");
        } catch {
          throw errors.param("The parameter children must be a comma-separated list of container ids");
        }
      }
      children = (Array.isArray(raw) ? raw : []).map((c) => String(c).trim()).filter(Boolean);
      if (children.length < 2 || children.length > 10) {
        throw errors.igCaption("Invalid carousel", "A carousel needs between 2 and 10 items (children).");
      }
      for (const childId of children) {
        const child = state.containers.get(childId);
        if (!child || child.igId !== ig.id || !child.isCarouselItem || child.usedBy) {
          throw errors.param(`The parameter children contains an invalid container id (${childId})`);
        }
      }
    } else if (mediaType === "IMAGE") {
      if (params.image_url === undefined) throw errors.param("The parameter image_url is required");
      if (!checkImageUrl(params.image_url, errors.igMediaUnfetchable)) throw errors.igMediaUnfetchable();
      imageUrl = String(params.image_url);
    } else {
      throw errors.param(`media_type ${mediaType} is not supported by this fake (IMAGE and CAROUSEL are)`);
    }
    return () => {
      const polls = firedContainerFault(ctx, "container_in_progress_polls");
      const failed = firedContainerFault(ctx, "container_error");
      const container = {
        id: nextId("1790000", 10),
        igId: ig.id,
        imageUrl,
        caption,
        altText: params.alt_text === undefined ? null : String(params.alt_text),
        isCarouselItem,
        children,
        usedBy: null,
        createdAt: now(),
        pollsLeft: polls ? Number(polls.params.polls ?? 3) : state.config.containerPolls,
        readyAt: now() + state.config.containerReadyMs,
        status: "IN_PROGRESS",
        finalStatus: failed ? (failed.params.status === "EXPIRED" ? "EXPIRED" : "ERROR") : "FINISHED",
        mediaId: null,
      };
      if (failed?.params.status === "EXPIRED") container.createdAt = now() - DAY;
      for (const childId of children ?? []) state.containers.get(childId).usedBy = container.id;
      state.containers.set(container.id, container);
      return { id: container.id };
    };
  }

  function publishedInWindow(igId, since) {
    return [...state.media.values()].filter((m) => m.igId === igId && m.createdAt >= since).length;
  }

  function preparePublish(ctx, ig) {
    const creationId = ctx.params.creation_id;
    if (creationId === undefined || creationId === "")
      throw errors.param("The parameter creation_id is required");
    const container = state.containers.get(String(creationId));
    if (!container || container.igId !== ig.id) {
      throw errors.param(`Param creation_id must be a valid media container id for this account`);
    }
    if (container.isCarouselItem) throw errors.param("A carousel item cannot be published on its own");
    const status = containerStatus(container, false);
    if (status === "PUBLISHED") throw errors.igAlreadyPublished();
    if (status === "EXPIRED") throw errors.igExpired();
    if (status === "ERROR") {
      throw new GraphFault(400, -1, "Create media fail, please try to re-create media", {
        error_subcode: 2207032,
        is_transient: false,
        error_user_title: "Create media fail",
        error_user_msg: "Failed to create a media container. Try again.",
      });
    }
    if (status !== "FINISHED") throw errors.igNotReady();
    if (publishedInWindow(ig.id, now() - DAY) >= state.config.quotaTotal) throw errors.igQuota();
    return () => {
      const kids = container.children?.map((id) => state.containers.get(id)) ?? null;
      const shortcode = randomBytes(8).toString("base64url").slice(0, 11);
      const media = {
        id: nextId("1800000", 10),
        igId: ig.id,
        containerId: container.id,
        caption: container.caption,
        mediaType: kids ? "CAROUSEL_ALBUM" : "IMAGE",
        imageUrls: kids ? kids.map((k) => k.imageUrl) : [container.imageUrl],
        altTexts: kids ? kids.map((k) => k.altText) : [container.altText],
        childIds: kids ? kids.map(() => nextId("1800000", 10)) : [],
        createdAt: now(),
        shortcode,
        permalink: `${origin}/p/${shortcode}/`,
        viaVersion: ctx.version,
      };
      state.media.set(media.id, media);
      container.status = "PUBLISHED";
      container.mediaId = media.id;
      return { id: media.id };
    };
  }

  function publishingLimit(ctx, ig) {
    const since = parseTime(ctx.params.since, "since");
    if (since !== undefined && since < now() - DAY) {
      throw errors.param("The parameter since must be a unix timestamp no older than 24 hours");
    }
    const wanted = ctx.params.fields
      ? parseFields(String(ctx.params.fields)).map((f) => f.name)
      : ["quota_usage"];
    const entry = {};
    for (const name of wanted) {
      if (name === "quota_usage") entry.quota_usage = publishedInWindow(ig.id, since ?? now() - DAY);
      else if (name === "config")
        entry.config = { quota_total: state.config.quotaTotal, quota_duration: 86400 };
      else throw errors.nonexistingField(name, "ContentPublishingLimitResponse");
    }
    return { data: [entry] };
  }

  // ---------- Facebook Login ----------

  function appFromParams(params) {
    if (!params.client_id) throw new GraphFault(400, 101, "Missing client_id parameter.");
    const app = state.apps.get(String(params.client_id));
    if (!app) throw new GraphFault(400, 101, "Error validating application. Invalid application ID.");
    if (params.client_secret === undefined) throw new GraphFault(400, 1, "Missing client_secret parameter.");
    if (String(params.client_secret) !== app.secret)
      throw new GraphFault(400, 1, "Error validating client secret.");
    return app;
  }

  const oauthCodeError = (message, subcode) =>
    new GraphFault(400, 100, message, {
      ...(subcode ? { error_subcode: subcode } : {}),
      headers: { "www-authenticate": `OAuth "Facebook Platform" "invalid_code" "${message}"` },
    });

  function accessToken(ctx) {
    const { params } = ctx;
    const grant = params.grant_type === undefined ? "authorization_code" : String(params.grant_type);
    const app = appFromParams(params);
    if (grant === "client_credentials") {
      ctx.call.tokenKind = "app";
      return { access_token: `${app.id}|${appTokenSignature(app)}`, token_type: "bearer" };
    }
    if (grant === "fb_exchange_token") {
      const value = String(params.fb_exchange_token ?? "");
      if (!value) throw errors.param("The parameter fb_exchange_token is required");
      const record = state.tokens.get(value);
      if (!record) throw errors.tokenUnparsable();
      if (record.invalidSubcode) throw errors.tokenInvalidated(record.invalidSubcode);
      if (record.expiresAt && now() >= record.expiresAt) throw errors.tokenExpired(record.expiresAt, now());
      if (record.appId !== app.id) throw errors.param("The fb_exchange_token was issued for another app");
      if (record.kind !== "user") throw errors.param("fb_exchange_token must be a user access token");
      ctx.call.tokenKind = "user";
      ctx.call.userId = record.userId;
      const longLived = issueToken({
        kind: "user",
        appId: app.id,
        userId: record.userId,
        longLived: true,
        expiresAt: now() + LONG_LIVED_S * 1000,
      });
      return { access_token: longLived, token_type: "bearer", expires_in: LONG_LIVED_S };
    }
    if (grant !== "authorization_code") throw errors.param(`Unsupported grant_type ${grant}`);
    if (params.redirect_uri === undefined) throw new GraphFault(400, 191, "Missing redirect_uri parameter.");
    if (!params.code) throw oauthCodeError("Missing authorization code.");
    const record = state.codes.get(String(params.code));
    if (!record || record.appId !== app.id) throw oauthCodeError("Invalid verification code format.");
    if (record.used) throw oauthCodeError("This authorization code has been used.", 36009);
    if (now() >= record.expiresAt) throw oauthCodeError("This authorization code has expired.", 36007);
    if (String(params.redirect_uri) !== record.redirectUri) {
      throw oauthCodeError(
        "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
        36008,
      );
    }
    if (record.codeChallenge) {
      const verifier = params.code_verifier === undefined ? "" : String(params.code_verifier);
      if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) || s256(verifier) !== record.codeChallenge) {
        throw oauthCodeError(
          "Invalid code verifier. It does not match the code challenge of the login dialog.",
        );
      }
    }
    record.used = true;
    ctx.call.userId = record.userId;
    const value = issueToken({
      kind: "user",
      appId: app.id,
      userId: record.userId,
      expiresAt: now() + SHORT_LIVED_S * 1000,
    });
    return { access_token: value, token_type: "bearer", expires_in: SHORT_LIVED_S };
  }

  function debugToken(ctx) {
    const caller = authenticate(ctx);
    const input = ctx.params.input_token;
    if (!input) throw errors.param("The parameter input_token is required");
    const record = state.tokens.get(String(input));
    if (!record) {
      return {
        data: {
          error: { code: 190, message: "Invalid OAuth access token - Cannot parse access token" },
          is_valid: false,
          scopes: [],
        },
      };
    }
    if (record.appId !== caller.appId) {
      throw errors.param("The App_id in the input_token did not match the Viewing App");
    }
    const grants = grantsOf(record.userId, record.appId);
    const scopes = [...grants].filter(([, s]) => s === "granted").map(([p]) => p);
    const pageIds = state.users.get(record.userId)?.pages ?? [];
    const data = {
      app_id: record.appId,
      type: record.kind === "page" ? "PAGE" : "USER",
      application: state.apps.get(record.appId)?.name,
      data_access_expires_at: Math.floor((record.issuedAt + 90 * DAY) / 1000),
      expires_at: Math.floor(record.expiresAt / 1000),
      is_valid: true,
      issued_at: Math.floor(record.issuedAt / 1000),
      scopes,
      granular_scopes: scopes
        .filter((s) => s.startsWith("pages_") || s.startsWith("instagram_"))
        .map((scope) => ({
          scope,
          target_ids: scope.startsWith("instagram_")
            ? pageIds.map((id) => state.pages.get(id)?.igId).filter(Boolean)
            : pageIds,
        })),
      user_id: record.userId,
      ...(record.kind === "page" ? { profile_id: record.pageId } : {}),
    };
    if (record.invalidSubcode) {
      data.is_valid = false;
      data.error = {
        code: 190,
        message: errors.tokenInvalidated(record.invalidSubcode).message,
        subcode: record.invalidSubcode,
      };
    } else if (record.expiresAt && now() >= record.expiresAt) {
      data.is_valid = false;
      data.error = { code: 190, message: errors.tokenExpired(record.expiresAt, now()).message, subcode: 463 };
    }
    return { data };
  }

  function dialogFail(res, title, message) {
    sendHtml(res, 400, renderDialogError(title, message));
  }

  function dialog(req, res, version, params, form) {
    const method = req.method ?? "GET";
    if (method === "GET" && params.__edge === "oauth") {
      const app = state.apps.get(String(params.client_id ?? ""));
      if (!app)
        return dialogFail(res, "Invalid App ID", "The provided app ID does not look like a valid app ID.");
      const redirectUri = String(params.redirect_uri ?? "");
      if (!isHttpUrl(redirectUri)) {
        return dialogFail(
          res,
          "URL blocked",
          "This redirect failed because the redirect URI is not whitelisted in the app's client OAuth settings.",
        );
      }
      if (!params.state)
        return dialogFail(res, "Missing state", "This fake requires the state parameter (CSRF protection).");
      if ((params.response_type ?? "code") !== "code") {
        return dialogFail(res, "Unsupported response_type", "This fake supports response_type=code only.");
      }
      const challenge = params.code_challenge === undefined ? null : String(params.code_challenge);
      if (
        challenge !== null &&
        (params.code_challenge_method !== "S256" || !/^[A-Za-z0-9_-]{43}$/.test(challenge))
      ) {
        return dialogFail(
          res,
          "Invalid code_challenge",
          "code_challenge must be a base64url SHA-256 hash with code_challenge_method=S256.",
        );
      }
      const user = state.users.get(String(params.fake_user ?? DEMO.userId));
      if (!user) return dialogFail(res, "Unknown user", "fake_user names no user of this fake.");
      let requested;
      if (params.config_id) requested = [...BUSINESS_PERMISSIONS];
      else {
        requested = String(params.scope ?? "")
          .split(/[,\s]+/)
          .filter(Boolean);
        const invalid = requested.filter((p) => !KNOWN_PERMISSIONS.has(p));
        if (invalid.length) {
          return dialogFail(
            res,
            "Invalid Scopes",
            `Invalid Scopes: ${invalid.join(", ")}. This message is only shown to developers.`,
          );
        }
      }
      requested = ["public_profile", ...new Set(requested.filter((p) => p !== "public_profile"))];
      const rerequest = params.auth_type === "rerequest";
      const grants = grantsOf(user.id, app.id);
      // Facebook does not ask again for a declined permission unless auth_type=rerequest.
      const shown = requested.filter((p) => rerequest || grants.get(p) !== "declined");
      const requestId = randomBytes(12).toString("base64url");
      state.dialogs.set(requestId, {
        appId: app.id,
        userId: user.id,
        redirectUri,
        state: String(params.state),
        codeChallenge: challenge,
        shown,
        version,
        expiresAt: now() + HOUR,
      });
      return sendHtml(
        res,
        200,
        renderConsent({
          version,
          requestId,
          appName: app.name,
          userName: user.name,
          permissions: shown,
          rerequest,
        }),
      );
    }
    const pending = state.dialogs.get(String((form?.get("request") ?? params.request) || ""));
    if (!pending || now() > pending.expiresAt) {
      return dialogFail(
        res,
        "Login expired",
        "This login request is unknown or has expired. Start again from the app.",
      );
    }
    if (method === "POST" && params.__edge === "oauth/confirm") {
      state.dialogs.delete(String(form.get("request")));
      const checked = new Set(form.getAll("scope"));
      const grants = grantsOf(pending.userId, pending.appId);
      for (const p of pending.shown)
        grants.set(p, p === "public_profile" || checked.has(p) ? "granted" : "declined");
      const code = randomBytes(48).toString("base64url");
      state.codes.set(code, {
        appId: pending.appId,
        userId: pending.userId,
        redirectUri: pending.redirectUri,
        codeChallenge: pending.codeChallenge,
        expiresAt: now() + CODE_TTL_MS,
        used: false,
      });
      return redirect(res, withQuery(pending.redirectUri, { code, state: pending.state }));
    }
    if (method === "GET" && params.__edge === "oauth/cancel") {
      state.dialogs.delete(String(params.request));
      return redirect(
        res,
        withQuery(pending.redirectUri, {
          error: "access_denied",
          error_code: "200",
          error_description: "Permissions error",
          error_reason: "user_denied",
          state: pending.state,
        }),
      );
    }
    return dialogFail(res, "Not found", "No such dialog.");
  }

  // ---------- faults and usage ----------

  function faultMatches(fault, ctx, involved) {
    const m = fault.match;
    if (m.method && m.method.toUpperCase() !== ctx.method) return false;
    if (m.path && !new RegExp(m.path).test(ctx.call.path)) return false;
    if (m.id && !involved.has(String(m.id))) return false;
    if (m.userId && ctx.call.userId !== m.userId) return false;
    if (m.tokenKind && ctx.call.tokenKind !== m.tokenKind) return false;
    if (m.token && ctx.auth?.value !== m.token) return false;
    return true;
  }

  /** The first armed fault of `kinds` that matches and fires (count and probability), consumed. */
  function fire(ctx, kinds, involved) {
    for (const fault of state.faults) {
      if (!kinds.includes(fault.kind) || fault.remaining <= 0) continue;
      if (!faultMatches(fault, ctx, involved)) continue;
      if (fault.probability < 1 && fault.random() >= fault.probability) continue;
      fault.remaining--;
      fault.fired++;
      ctx.call.fault = fault.kind;
      return fault;
    }
    return null;
  }

  function firedContainerFault(ctx, kind) {
    return fire(ctx, [kind], ctx.involved);
  }

  function faultError(fault, ctx) {
    switch (fault.kind) {
      case "transient":
      case "ghost":
        return errors.transient();
      case "rate_limit": {
        ctx.limited = { minutes: Number(fault.params.estimatedMinutes ?? 5) };
        return errors.rateLimited(Number(fault.params.code ?? 4));
      }
      case "blocked":
        return errors.blocked();
      case "token_expired": {
        const subcode = Number(fault.params.subcode ?? 463);
        return subcode === 463
          ? errors.tokenExpired(now() - 60_000, now())
          : errors.tokenInvalidated(subcode);
      }
      case "permission_revoked":
        return errors.permission(Number(fault.params.code ?? 200));
      default:
        return errors.transient();
    }
  }

  function usageHeaders(ctx) {
    const appKey = ctx.auth?.appId ?? ctx.params.client_id ?? "none";
    const hourAgo = now() - HOUR;
    const count = (key) => {
      const list = (state.usage.get(key) ?? []).filter((t) => t > hourAgo);
      list.push(now());
      state.usage.set(key, list);
      return list.length;
    };
    const pct = (n) => Math.min(100, Math.round((n * 100) / state.config.appCallBudget));
    const limited = ctx.limited;
    const forced = ctx.usagePercent ?? 0;
    // Graph's app limit is 200 calls an hour per user of the app; each world's user adds to it, so tests
    // running side by side on one fake do not use up each other's budget.
    const appUsers = [...state.users.values()].filter((u) => u.grants.has(appKey)).length;
    const appCalls = count(`app:${appKey}`);
    const appPct = limited ? 100 : Math.max(forced, pct(Math.ceil(appCalls / Math.max(1, appUsers))));
    const buc = {};
    for (const id of ctx.involved) {
      const isPage = state.pages.has(id);
      const isIg = state.igUsers.has(id);
      if (!isPage && !isIg) continue;
      const p = limited ? 100 : Math.max(forced, pct(count(`buc:${id}`)));
      buc[id] = [
        {
          type: isPage ? "pages" : "instagram",
          call_count: p,
          total_cputime: limited ? 100 : Math.floor(p / 2),
          total_time: limited ? 100 : Math.floor(p / 2),
          estimated_time_to_regain_access: limited ? limited.minutes : 0,
        },
      ];
    }
    return {
      "x-app-usage": JSON.stringify({
        call_count: appPct,
        total_time: limited ? 100 : Math.floor(appPct / 2),
        total_cputime: limited ? 100 : Math.floor(appPct / 2),
      }),
      "x-business-use-case-usage": JSON.stringify(buc),
      "facebook-api-version": ctx.version,
    };
  }

  function redactedParams(params) {
    const out = {};
    for (const [k, v] of Object.entries(params)) out[k] = SECRET_PARAMS.has(k) ? "[redacted]" : v;
    return out;
  }

  async function graph(req, res, version, segments, params) {
    const ctx = {
      req,
      res,
      params,
      version,
      method: req.method ?? "GET",
      segments,
      involved: new Set(),
      auth: null,
      call: {
        method: req.method ?? "GET",
        path: `/${segments.join("/")}`,
        version,
        tokenKind: "none",
        params: redactedParams(params),
        at: new Date(Date.now()).toISOString(),
      },
    };
    state.calls.push(ctx.call);
    const finish = (status, body, extraHeaders = {}) => {
      ctx.call.status = status;
      if (body?.error) {
        ctx.call.errorCode = body.error.code;
        if (body.error.error_subcode) ctx.call.errorSubcode = body.error.error_subcode;
      }
      sendJson(res, status, body, { ...usageHeaders(ctx), ...extraHeaders });
    };
    try {
      const plan = route(ctx);
      const fault = fire(
        ctx,
        ["transient", "rate_limit", "blocked", "token_expired", "permission_revoked"],
        plan.involved,
      );
      if (fault?.kind === "rate_limit" && Number(fault.params.usagePercent) < 100) {
        // Close to the limit but still answered: only the usage headers say so.
        ctx.usagePercent = Number(fault.params.usagePercent);
      } else if (fault) throw faultError(fault, ctx);
      const ghost = plan.write ? fire(ctx, ["ghost"], plan.involved) : null;
      const body = plan.run();
      if (ghost) {
        // The write happened; the answer is lost (500) or never comes.
        ctx.call.status = ghost.params.mode === "hang" ? 0 : 500;
        if (ghost.params.mode === "hang") {
          await sleep(Number(ghost.params.hangMs ?? 30_000));
          res.socket?.destroy();
          return;
        }
        throw errors.transient();
      }
      finish(200, body);
    } catch (error) {
      if (!(error instanceof GraphFault)) throw error;
      finish(error.status, error.body(), error.extra.headers);
    }
  }

  // ---------- control API ----------

  function published({ userId, pageId, igId } = {}) {
    const facebook = [...state.posts.values()]
      .filter(
        (p) => (!pageId || p.pageId === pageId) && (!userId || state.pages.get(p.pageId)?.userId === userId),
      )
      .filter(() => !igId)
      .map((p) => ({
        network: "facebook",
        id: p.id,
        pageId: p.pageId,
        pageName: state.pages.get(p.pageId)?.name,
        userId: state.pages.get(p.pageId)?.userId,
        message: p.message,
        link: p.link,
        imageUrls: p.imageUrls,
        altTexts: p.altTexts,
        published: p.published,
        permalink: p.permalink,
        version: p.viaVersion,
        createdAt: new Date(p.createdAt).toISOString(),
      }));
    const instagram = [...state.media.values()]
      .map((m) => ({ m, ig: state.igUsers.get(m.igId) }))
      .filter(({ m, ig }) => (!igId || m.igId === igId) && (!pageId || ig?.pageId === pageId))
      .filter(({ ig }) => !userId || state.pages.get(ig?.pageId)?.userId === userId)
      .map(({ m, ig }) => ({
        network: "instagram",
        id: m.id,
        igId: m.igId,
        username: ig?.username,
        pageId: ig?.pageId,
        userId: state.pages.get(ig?.pageId)?.userId,
        caption: m.caption,
        mediaType: m.mediaType,
        imageUrls: m.imageUrls,
        altTexts: m.altTexts,
        containerId: m.containerId,
        permalink: m.permalink,
        version: m.viaVersion,
        createdAt: new Date(m.createdAt).toISOString(),
      }));
    return { facebook, instagram };
  }

  function signedRequest(app, userId) {
    const payload = Buffer.from(
      JSON.stringify({ algorithm: "HMAC-SHA256", issued_at: Math.floor(now() / 1000), user_id: userId }),
    ).toString("base64url");
    const sig = createHmac("sha256", app.secret).update(payload).digest("base64url");
    return `${sig}.${payload}`;
  }

  async function control(req, res, path, text, url) {
    const method = req.method ?? "GET";
    let body = {};
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new HttpError(400, "control body must be JSON");
      }
    }
    const q = Object.fromEntries(url.searchParams);
    if (method === "POST" && path === "/reset") {
      reset();
      return sendJson(res, 200, { ok: true });
    }
    if (method === "POST" && path === "/users") {
      const app = body.appId ?? appId;
      if (!state.apps.has(app)) throw new HttpError(400, `unknown app ${app}`);
      if (body.pages !== undefined && !Array.isArray(body.pages))
        throw new HttpError(400, "pages must be an array");
      const user = createWorld({
        name: body.name ?? "Chris Morgan",
        app,
        permissions: body.permissions,
        pages: body.pages,
      });
      const longLived = body.longLived !== false;
      const userToken = issueToken({
        kind: "user",
        appId: app,
        userId: user.id,
        longLived,
        expiresAt: now() + (longLived ? LONG_LIVED_S : SHORT_LIVED_S) * 1000,
      });
      return sendJson(res, 201, describeWorld(user, app, userToken));
    }
    if (method === "POST" && path === "/faults") {
      const list = Array.isArray(body) ? body : [body];
      const ids = [];
      for (const f of list) {
        if (!FAULT_KINDS.has(f.kind))
          throw new HttpError(400, `kind must be one of ${[...FAULT_KINDS].join(", ")}`);
        if (f.match?.path) new RegExp(f.match.path);
        const { kind, match = {}, count, probability = 1, seed = 1, ...params } = f;
        const id = `fault-${++state.seq}`;
        state.faults.push({
          id,
          kind,
          match,
          remaining: count === undefined ? Number.POSITIVE_INFINITY : Number(count),
          probability: Number(probability),
          random: seededRandom(Number(seed)),
          params,
          fired: 0,
        });
        ids.push(id);
      }
      return sendJson(res, 201, { ids });
    }
    if (method === "GET" && path === "/faults") {
      return sendJson(
        res,
        200,
        state.faults.map(({ random: _r, remaining, ...f }) => ({
          ...f,
          remaining: Number.isFinite(remaining) ? remaining : null,
        })),
      );
    }
    if (method === "DELETE" && path === "/faults") {
      state.faults = body.ids ? state.faults.filter((f) => !body.ids.includes(f.id)) : [];
      return sendJson(res, 200, { ok: true });
    }
    if (method === "POST" && path === "/expire-token") {
      const subcode = Number(body.subcode ?? 463);
      let n = 0;
      for (const [value, record] of state.tokens) {
        const hit =
          (body.token && value === body.token) ||
          (body.userId && record.userId === body.userId && (!body.kind || record.kind === body.kind)) ||
          (body.pageId && record.pageId === body.pageId);
        if (!hit) continue;
        if (subcode === 463) record.expiresAt = now() - 1000;
        else record.invalidSubcode = subcode;
        n++;
      }
      return sendJson(res, 200, { expired: n });
    }
    if (method === "POST" && path === "/permissions") {
      if (!state.users.has(body.userId)) throw new HttpError(404, "no such user");
      if (!["granted", "declined"].includes(body.status))
        throw new HttpError(400, 'status must be "granted" or "declined"');
      grantsOf(body.userId, body.appId ?? appId).set(String(body.permission), body.status);
      return sendJson(res, 200, { ok: true });
    }
    if (method === "POST" && path === "/config") {
      for (const key of Object.keys(body))
        if (!(key in DEFAULT_CONFIG)) throw new HttpError(400, `unknown config ${key}`);
      Object.assign(state.config, body);
      return sendJson(res, 200, state.config);
    }
    if (method === "POST" && path === "/clock") {
      state.clockOffsetMs += Number(body.advanceMs ?? 0);
      return sendJson(res, 200, { now: new Date(now()).toISOString(), offsetMs: state.clockOffsetMs });
    }
    if (method === "GET" && path === "/published") return sendJson(res, 200, published(q));
    if (method === "GET" && path === "/metrics") {
      const post = state.posts.get(String(q.id ?? ""));
      const media = state.media.get(String(q.id ?? ""));
      if (!post && !media) throw new HttpError(404, "no such post or media");
      return sendJson(res, 200, post ? facebookMetrics(post) : instagramMetrics(media));
    }
    if (method === "GET" && path === "/calls") {
      const calls = state.calls.filter(
        (c) =>
          (!q.userId || c.userId === q.userId) &&
          (!q.pageId || c.pageId === q.pageId || c.path.includes(q.pageId)),
      );
      return sendJson(res, 200, calls);
    }
    if (method === "POST" && path === "/signed-request") {
      const app = state.apps.get(body.appId ?? appId);
      if (!app || !body.userId) throw new HttpError(400, "userId (and a known appId) required");
      return sendJson(res, 200, { signed_request: signedRequest(app, String(body.userId)) });
    }
    if (method === "POST" && path === "/instances") {
      const child = await startFakeGraph({
        host,
        appId,
        appSecret,
        seedDemo: body.seedDemo ?? false,
        config: body.config ?? {},
      });
      children.push(child);
      return sendJson(res, 201, { url: child.url });
    }
    throw new HttpError(404, `no control route ${method} ${path}`);
  }

  // ---------- HTTP ----------

  function parseParams(req, url, text) {
    const params = Object.fromEntries(url.searchParams);
    const type = String(req.headers["content-type"] ?? "")
      .split(";")[0]
      ?.trim();
    let form = null;
    if (text && type === "application/json") {
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        throw errors.param("The request body is not valid JSON");
      }
      if (json && typeof json === "object" && !Array.isArray(json)) Object.assign(params, json);
    } else if (text && type === "multipart/form-data") {
      throw errors.param("multipart uploads are not supported by this fake; send url / image_url");
    } else if (text) {
      form = new URLSearchParams(text);
      for (const [k, v] of form) params[k] = v;
    }
    return { params, form: form ?? new URLSearchParams() };
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", `http://${host}`);
    try {
      const text = await readBody(req);
      if (url.pathname.startsWith("/__control/")) {
        return await control(req, res, url.pathname.slice("/__control".length), text, url);
      }
      if (req.method === "GET" && url.pathname === "/") {
        const { facebook, instagram } = published();
        const items = [...facebook, ...instagram].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        return sendHtml(res, 200, renderHome(items.map(withMetrics)));
      }
      const item = /^\/(posts|p)\/([^/]+)\/?$/.exec(url.pathname);
      if (req.method === "GET" && item) {
        const { facebook, instagram } = published();
        const key = decodeURIComponent(item[2] ?? "");
        const found =
          item[1] === "posts"
            ? facebook.find((p) => p.id === key)
            : instagram.find((m) => m.permalink.endsWith(`/p/${key}/`));
        if (!found) return sendHtml(res, 404, renderDialogError("Not found", "No such post."));
        return sendHtml(res, 200, renderItemPage(withMetrics(found)));
      }
      const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
      const version = segments[0] ?? "";
      let parsed;
      try {
        parsed = parseParams(req, url, text);
      } catch (error) {
        if (error instanceof GraphFault) return sendJson(res, error.status, error.body());
        throw error;
      }
      if (!/^v\d+\.\d+$/.test(version) || !SUPPORTED_VERSIONS.includes(version)) {
        // Graph reads an unknown version (or an unversioned path) as an object id; this fake refuses
        // unversioned calls, which Graph would route to the app's default version.
        const fault = /^v\d+\.\d+$/.test(version)
          ? errors.objectMissing(req.method ?? "GET", version)
          : new GraphFault(
              400,
              12,
              `(#12) Unversioned call to /${segments.join("/")}: this fake answers only /{version}/... paths (${SUPPORTED_VERSIONS.at(-1)}).`,
            );
        state.calls.push({
          method: req.method,
          path: url.pathname,
          version: null,
          tokenKind: "none",
          status: 400,
          errorCode: fault.code,
          at: new Date().toISOString(),
        });
        return sendJson(res, fault.status, fault.body());
      }
      const rest = segments.slice(1);
      if (rest[0] === "dialog") {
        return dialog(req, res, version, { ...parsed.params, __edge: rest.slice(1).join("/") }, parsed.form);
      }
      return await graph(req, res, version, rest, parsed.params);
    } catch (error) {
      if (error instanceof HttpError)
        return sendJson(res, error.status, { error: { message: error.message } });
      console.error(error);
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error) } });
    }
  });
  server.on("clientError", (_error, socket) => socket.destroy());

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  origin = `http://${host}:${boundPort}`;
  return {
    url: origin,
    get state() {
      return state;
    },
    async close() {
      await Promise.all(children.splice(0).map((child) => child.close()));
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === "--demo") {
      options.seedDemo = true;
      continue;
    }
    if (flag === "--port") options.port = Number(value);
    else if (flag === "--host") options.host = value;
    else if (flag === "--app-id") options.appId = value;
    else if (flag === "--app-secret") options.appSecret = value;
    else continue;
    i++;
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const options = parseArgs(process.argv.slice(2));
  const fake = await startFakeGraph(options);
  console.log(
    `fake Graph API listening on ${fake.url} (GRAPH_API_URL=${fake.url}, FACEBOOK_OAUTH_URL=${fake.url})`,
  );
  console.log(
    `  apps: ${options.appId ?? "test-app"} and ${DEMO.appId} (secret ${DEMO.appSecret}); published posts: ${fake.url}/`,
  );
  if (options.seedDemo) {
    console.log(
      `  demo: user ${DEMO.userName} ${DEMO.userId}, Page "${DEMO.pageName}" ${DEMO.pageId}, Instagram @${DEMO.igUsername} ${DEMO.igId}`,
    );
  }
  const stop = () => fake.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
