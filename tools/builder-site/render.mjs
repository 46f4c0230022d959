import { COMMUNITIES, comingSoonSlug } from "./data.mjs";

export const PAGE_SIZE = 12;

export const escapeHtml = (value) =>
  String(value)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");

/** The older template writes a few accented letters as named entities, as hand-edited CMS text often does. */
const escapeLegacy = (value) => escapeHtml(value).replaceAll("é", "&eacute;").replaceAll("ñ", "&ntilde;");

// `</` must not close the script element; a careful CMS writes it as `<\/`, which JSON reads back as `</`.
export const jsonLd = (data) =>
  `<script type="application/ld+json">${JSON.stringify(data).replaceAll("</", "<\\/")}</script>`;

export const money = (price) => (price === null ? "Call for pricing" : `$${price.toLocaleString("en-US")}`);
const statusClass = (status) => status.toLowerCase().replace(/\s+/g, "-");
const bathsText = (baths) => `${baths} Baths`;
/** This template's JSON-LD is exact: Reserved for an Under Contract home (the spec-list theme is vaguer). */
const AVAILABILITY = { Available: "InStock", "Under Contract": "Reserved", Sold: "SoldOut" };
const availability = (status) => `https://schema.org/${AVAILABILITY[status] ?? "InStock"}`;

function layout({ title, origin, body, head = "", mode }) {
  const nav =
    mode === "redesign"
      ? `<div class="topbar"><a href="/">HOLIDAY</a> <a href="/quick-move-in">Homes</a></div>`
      : `<header class="site-header"><a class="logo" href="/"><img src="/images/logo.jpg" alt="Holiday Builders"></a>
<nav><a href="/quick-move-in">Quick Move-In Homes</a> <a href="/#communities">Communities</a> <a href="/admin/">Builder login</a></nav></header>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} | Holiday Builders</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/site.css">${head}
<script>window.dataLayer=window.dataLayer||[];window.dataLayer.push({"site":"${origin}"});</script>
</head><body>
${nav}
${body}
<footer class="site-footer"><p>&copy; 2026 Holiday Builders &middot; Florida CBC1259830 &middot; Prices, incentives and availability subject to change without notice.</p></footer>
</body></html>`;
}

export function renderHome(homes, origin, mode) {
  const body = `<section class="hero"><h1>New Homes in Florida</h1><p>Quality homes at affordable prices since 1983.</p>
<a class="button" href="/quick-move-in">Browse ${homes.length} quick move-in homes</a></section>
<section id="communities"><h2>Our Communities</h2><ul class="community-list">
${COMMUNITIES.map((c) => `<li><a href="/communities/${c.slug}">${escapeHtml(c.name)}</a> <span>${escapeHtml(c.city)}, FL</span></li>`).join("\n")}
</ul></section>`;
  return layout({ title: "New Homes in Florida", origin, body, mode });
}

function card(home, mode) {
  if (mode === "redesign") {
    return `<div class="tile"><a href="/homes/${home.slug}"><span>${escapeHtml(home.address)}</span> <b>${money(home.price)}</b></a></div>`;
  }
  return `<article class="qmi-card">
<a class="qmi-card__link" href="/homes/${home.slug}"><img src="${home.images[0]}" alt="" loading="lazy">
<h3>${escapeHtml(home.planName)}</h3></a>
<p class="qmi-card__address">${escapeHtml(home.address)}, ${escapeHtml(home.city)}, FL ${home.zip}</p>
<p class="qmi-card__facts">${money(home.price)} &middot; ${home.beds} bd &middot; ${home.baths} ba</p>
<span class="badge badge--${statusClass(home.status)}">${escapeHtml(home.status)}</span></article>`;
}

export function renderQuickMoveIn(homes, origin, mode, page) {
  const pages = Math.max(1, Math.ceil(homes.length / PAGE_SIZE));
  const current = Math.min(Math.max(1, page), pages);
  const slice = homes.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE);
  const href = (n) => (n === 1 ? "/quick-move-in" : `/quick-move-in?page=${n}`);
  const head = [
    current > 1 ? `<link rel="prev" href="${href(current - 1)}">` : "",
    current < pages ? `<link rel="next" href="${href(current + 1)}">` : "",
  ].join("");
  const pager = `<nav class="pagination" aria-label="Pages">${current > 1 ? `<a rel="prev" href="${href(current - 1)}">Previous</a>` : ""}
<span>Page ${current} of ${pages}</span>${current < pages ? ` <a rel="next" href="${href(current + 1)}">Next</a>` : ""}</nav>`;
  const body = `<h1>Quick Move-In Homes</h1><div class="qmi-grid">
${slice.map((h) => card(h, mode)).join("\n")}
</div>${pager}`;
  return layout({ title: "Quick Move-In Homes", origin, body, head, mode });
}

export function renderCommunity(community, homes, origin, mode) {
  const own = homes.filter((h) => h.community === community.slug);
  const teaser = comingSoonSlug(community.slug);
  const body = `<h1 class="community-name">${escapeHtml(community.name)}</h1><p>${escapeHtml(community.city)}, FL ${community.zip}</p>
<h2>Available homes</h2><div class="qmi-grid">
${own.map((h) => card(h, mode)).join("\n")}
</div>
<aside class="coming-soon"><h2>Coming soon</h2><a href="/homes/${teaser}">Phase 2 homesites: join the VIP list</a></aside>`;
  return layout({ title: community.name, origin, body, mode });
}

export function renderComingSoon(slug, origin) {
  const body = `<main class="home-detail" data-home-id="${slug}" data-status="coming-soon">
<h1 class="home-plan">Coming Soon</h1><p class="home-status">Coming Soon</p><p class="home-price">Call for pricing</p></main>`;
  return layout({ title: "Coming soon", origin, body, mode: "normal" });
}

function residenceLd(home, url, origin, type) {
  const residence = {
    "@type": type,
    "@id": `${url}#residence`,
    name: `${home.planName} at ${home.communityName}`,
    url,
    identifier: home.id,
    address: {
      "@type": "PostalAddress",
      streetAddress: home.address,
      addressLocality: home.city,
      addressRegion: home.state,
      postalCode: home.zip,
      addressCountry: "US",
    },
    numberOfRooms: home.beds + 3,
    numberOfBedrooms: home.beds,
    image: type === "House" ? home.images.map((src) => `${origin}${src}`) : home.images,
    description: home.description,
  };
  if (type === "House") {
    // Non-standard but common: a decimal total ("2.5") instead of full and partial counts.
    residence.numberOfBathroomsTotal = home.baths;
  } else {
    const full = Math.floor(home.baths);
    const partial = home.baths % 1 === 0 ? 0 : 1;
    Object.assign(residence, {
      numberOfBathroomsTotal: full + partial,
      numberOfFullBathrooms: full,
      numberOfPartialBathrooms: partial,
    });
  }
  if (home.sqft !== null) {
    residence.floorSize = { "@type": "QuantitativeValue", value: home.sqft, unitCode: "FTK" };
  }
  if (type === "House") {
    const offers =
      home.price === null
        ? undefined
        : {
            "@type": "Offer",
            price: home.price,
            priceCurrency: "USD",
            availability: availability(home.status),
          };
    return { "@context": "https://schema.org", ...residence, offers };
  }
  const graph = [residence];
  if (home.price !== null) {
    graph.push({
      "@type": "Offer",
      price: home.price,
      priceCurrency: "USD",
      availability: availability(home.status),
      itemOffered: { "@id": `${url}#residence` },
    });
  }
  return { "@context": "https://schema.org", "@graph": graph };
}

function productLd(home, url, origin) {
  return {
    "@context": "https://schema.org",
    "@type": "Product",
    "@id": `${url}#product`,
    name: `${home.planName} — ${home.address}`,
    sku: home.id,
    brand: { "@type": "Brand", name: "Holiday Builders" },
    image: home.images.map((src) => `${origin}${src}`),
    description: home.description,
    offers: {
      "@type": "Offer",
      url,
      priceCurrency: "USD",
      availability: availability(home.status),
      ...(home.price === null ? {} : { price: home.price.toFixed(2) }),
    },
  };
}

const paragraphs = (text, esc) =>
  text
    .split(/\n{2,}/)
    .map((p) => `<p>${esc(p)}</p>`)
    .join("\n");

/** The data layer analytics tags read, as JSON in one attribute; the older template has only the id. */
function dataAttributes(home) {
  const layer = {
    id: home.id,
    community: home.communityName,
    plan: home.planName,
    status: statusClass(home.status),
    price: home.price,
    beds: home.beds,
    baths: home.baths,
    sqft: home.sqft,
    garage: home.garage,
    address: `${home.address}, ${home.city}, ${home.state} ${home.zip}`,
    moveIn: home.moveIn,
    incentive: home.incentives,
  };
  // Single-quoted, as templates that print JSON into attributes usually do: only & ' < > need escaping.
  const json = JSON.stringify(layer)
    .replaceAll("&", "&amp;")
    .replaceAll("'", "&#39;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;");
  return `data-home-id="${escapeHtml(home.id)}" data-home='${json}'`;
}

function detailBody(home, legacy) {
  const esc = legacy ? escapeLegacy : escapeHtml;
  const baths = legacy
    ? `${Math.floor(home.baths)} Full${home.baths % 1 ? ", 1 Half" : ""} Baths`
    : bathsText(home.baths);
  const gallery = home.images
    .map((src, n) =>
      legacy
        ? `<img class="home-gallery__image lazyload" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="${src}" alt="Photo ${n + 1}">`
        : `<img class="home-gallery__image" src="${src}" alt="Photo ${n + 1}" loading="lazy">`,
    )
    .join("\n");
  const main = legacy ? `data-home-id="${escapeHtml(home.id)}"` : dataAttributes(home);
  return `<main class="home-detail" ${main}>
<nav class="breadcrumbs"><a href="/">Home</a> / <a href="/quick-move-in">Quick Move-In</a></nav>
<div class="home-hero"><img class="home-hero__image" src="${home.images[0]}" alt="Front elevation"></div>
<section class="summary">
<h1 class="home-plan">${esc(home.planName)}</h1>
<p><a class="home-community" href="/communities/${home.community}">${esc(home.communityName)}</a></p>
<p class="home-address">${esc(home.address)}, ${esc(home.city)}, ${home.state} ${home.zip}</p>
<span class="home-status home-status--${statusClass(home.status)}">${esc(home.status)}</span>
<p class="home-price">${money(home.price)}</p>
<ul class="facts">
<li class="home-beds">${home.beds} Beds</li>
<li class="home-baths">${baths}</li>
${home.sqft === null ? "" : `<li class="home-sqft">${home.sqft.toLocaleString("en-US")} Sq. Ft.</li>`}
<li class="home-garage">${home.garage}-Car Garage</li>
</ul>
<p class="home-move-in">${esc(home.moveIn)}</p>
${home.incentives ? `<div class="home-incentive"><strong>Limited time:</strong> ${esc(home.incentives)}</div>` : ""}
</section>
<div class="home-gallery">
${gallery}
</div>
<section class="home-description">
${paragraphs(home.description, esc)}
</section>
<p class="disclaimer">Photos may show upgraded landscaping and optional features. <a href="/homes/${home.slug}/print">Print brochure</a></p>
</main>`;
}

/** The "redesign" mode: a new front-end with none of the markup the adapter knows. */
function redesignBody(home) {
  return `<div id="root"><div class="pdp"><div class="pdp__media">${home.images.map((src) => `<picture><source srcset="${src}"></picture>`).join("")}</div>
<div class="pdp__info"><h2 class="pdp__name">${escapeHtml(home.planName)}</h2>
<div class="pdp__where">${escapeHtml(home.address)} · ${escapeHtml(home.city)}</div>
<div class="pdp__cost">${money(home.price)}</div>
<div class="pdp__specs">${home.beds} bd | ${home.baths} ba | ${home.sqft ?? "—"} sf</div>
<div class="pdp__tag">${escapeHtml(home.status)}</div>
<div class="pdp__copy">${escapeHtml(home.description)}</div></div></div></div>`;
}

export function renderDetail(home, origin, mode) {
  const url = `${origin}/homes/${home.slug}`;
  const title = `${home.address}, ${home.city}`;
  if (mode === "redesign") return layout({ title, origin, body: redesignBody(home), mode });
  const head = `<link rel="canonical" href="${url}">`;
  let ld = "";
  if (home.markup === "jsonld-residence")
    ld = jsonLd(residenceLd(home, url, origin, "SingleFamilyResidence"));
  if (home.markup === "jsonld-house") ld = jsonLd(residenceLd(home, url, origin, "House"));
  if (home.markup === "jsonld-product") ld = jsonLd(productLd(home, url, origin));
  const breadcrumbs = jsonLd({
    "@context": "https://schema.org",
    "@type": "BreadcrumbList",
    itemListElement: [
      { "@type": "ListItem", position: 1, name: "Home", item: `${origin}/` },
      { "@type": "ListItem", position: 2, name: "Quick Move-In", item: `${origin}/quick-move-in` },
    ],
  });
  return layout({
    title,
    origin,
    head: `${head}${breadcrumbs}${ld}`,
    body: detailBody(home, home.markup === "html"),
    mode,
  });
}

export function renderSitemap(homes, origin) {
  const urls = [
    `${origin}/`,
    `${origin}/quick-move-in`,
    ...COMMUNITIES.map((c) => `${origin}/communities/${c.slug}`),
    ...homes.map((h) => `${origin}/homes/${h.slug}`),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.map((u) => `<url><loc>${escapeHtml(u)}</loc><lastmod>2026-11-01</lastmod></url>`).join("\n")}
</urlset>
`;
}

export function defaultRobots(origin) {
  return `# Holiday Builders
User-agent: *
Disallow: /admin/
Disallow: /homes/coming-soon-
Crawl-delay: 2

User-agent: GPTBot
Disallow: /

Sitemap: ${origin}/sitemap.xml
`;
}

export function renderNotFound(origin) {
  return layout({
    title: "Page not found",
    origin,
    body: "<h1>Sorry, that page is gone.</h1>",
    mode: "normal",
  });
}

export function renderError(origin, status) {
  return layout({
    title: "Error",
    origin,
    body: `<h1>Error ${status}</h1><p>Please try again later.</p>`,
    mode: "normal",
  });
}
