// The fake's HTML: the Facebook Login consent dialog and a dev page listing what was "published".
// Every piece of text from a request or from state is escaped.

export const escapeHtml = (value) =>
  String(value ?? "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");

const page = (title, body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f0f2f5;margin:0;color:#1c1e21}
main{max-width:640px;margin:2rem auto;background:#fff;border-radius:8px;padding:1.5rem;box-shadow:0 1px 3px #0003}
h1{font-size:1.3rem;margin-top:0}.muted{color:#65676b;font-size:.9rem}
button{background:#1877f2;color:#fff;border:0;border-radius:6px;padding:.6rem 1.4rem;font-size:1rem;cursor:pointer}
a.cancel{margin-left:1rem;color:#65676b}label{display:block;margin:.4rem 0}
article{border-top:1px solid #ddd;padding:.8rem 0}article img{max-width:180px;margin:.2rem;border-radius:4px}
.tag{display:inline-block;font-size:.75rem;padding:.1rem .4rem;border-radius:4px;background:#e7f3ff;color:#1877f2}
pre{white-space:pre-wrap;font:inherit;margin:.4rem 0}
</style></head><body><main>${body}</main></body></html>`;

const PERMISSION_LABELS = {
  public_profile: "Your name and profile picture",
  email: "Your email address",
  pages_show_list: "Show a list of the Pages you manage",
  pages_read_engagement: "Read content posted on your Pages",
  pages_manage_posts: "Create and manage content on your Pages",
  pages_manage_metadata: "Manage accounts, settings and webhooks for your Pages",
  instagram_basic: "Access profile and posts from your Instagram account",
  instagram_content_publish: "Create posts on your Instagram account",
  business_management: "Manage your business",
};

export function renderConsent({ version, requestId, appName, userName, permissions, rerequest }) {
  const boxes = permissions
    .map((p) =>
      p === "public_profile"
        ? `<label><input type="checkbox" checked disabled> ${escapeHtml(PERMISSION_LABELS[p])} <span class="muted">(required)</span></label>`
        : `<label><input type="checkbox" name="scope" value="${escapeHtml(p)}" checked> ${escapeHtml(PERMISSION_LABELS[p] ?? p)} <span class="muted">${escapeHtml(p)}</span></label>`,
    )
    .join("\n");
  return page(
    `Log in with Facebook`,
    `<h1>${escapeHtml(appName)} is requesting access</h1>
<p class="muted">Logged in as <strong>${escapeHtml(userName)}</strong> (fake Facebook, no real account).${rerequest ? " Asking again for permissions you declined." : ""}</p>
<form method="post" action="/${escapeHtml(version)}/dialog/oauth/confirm">
<input type="hidden" name="request" value="${escapeHtml(requestId)}">
${boxes}
<p><button type="submit">Continue as ${escapeHtml(userName.split(" ")[0])}</button>
<a class="cancel" href="/${escapeHtml(version)}/dialog/oauth/cancel?request=${encodeURIComponent(requestId)}">Cancel</a></p>
</form>`,
  );
}

export function renderDialogError(title, message) {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}

/** What the insights endpoints answer for the post now, e.g. "views 412 · reactions 33". */
function renderMetrics(metrics) {
  if (!metrics) return "";
  const parts = Object.entries(metrics).map(([name, n]) => `${escapeHtml(name)} ${escapeHtml(String(n))}`);
  return `<p class="muted">Insights: ${parts.join(" · ")}</p>`;
}

function renderItem(item) {
  const text = item.network === "facebook" ? item.message : item.caption;
  const where =
    item.network === "facebook"
      ? `Facebook Page <strong>${escapeHtml(item.pageName)}</strong>`
      : `Instagram <strong>@${escapeHtml(item.username)}</strong>`;
  const images = item.imageUrls
    .map((url, i) => `<img src="${escapeHtml(url)}" alt="${escapeHtml(item.altTexts?.[i] ?? "")}">`)
    .join("");
  const link = item.link
    ? `<p><a href="${escapeHtml(item.link)}" rel="nofollow">${escapeHtml(item.link)}</a></p>`
    : "";
  return `<article id="${escapeHtml(item.id)}"><span class="tag">${escapeHtml(item.network)}</span> ${where}
<span class="muted">${escapeHtml(item.createdAt)} · id ${escapeHtml(item.id)}${item.published === false ? " · unpublished" : ""}</span>
<pre>${escapeHtml(text ?? "")}</pre>${link}<div>${images}</div>${renderMetrics(item.metrics)}</article>`;
}

export function renderHome(items) {
  const list = items.length
    ? items.map(renderItem).join("\n")
    : `<p class="muted">Nothing published yet. Connect Facebook in the app and approve a post.</p>`;
  return page(
    "Fake Graph API: published",
    `<h1>Published through the fake Graph API</h1>
<p class="muted">Newest first. Nothing here reaches Facebook or Instagram. Control API: <code>/__control/published</code>.</p>
${list}`,
  );
}

export function renderItemPage(item) {
  return page(`Post ${item.id}`, `<p><a href="/">All posts</a></p>${renderItem(item)}`);
}
