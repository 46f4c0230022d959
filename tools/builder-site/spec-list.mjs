// The "spec-list" theme: the same homes in different but ordinary markup, as another builder's CMS would
// print them. JSON-LD (a SingleFamilyResidence and a separate Offer, `containedInPlace`, LimitedAvailability
// for Under Contract homes), a <dl> spec list, a status badge, a "Special offer:" line; a sitemap index
// named only in robots.txt (no /sitemap.xml), /available-homes instead of /quick-move-in, /neighborhoods/*.
import { COMMUNITIES } from "./data.mjs";
import { escapeHtml, jsonLd, money } from "./render.mjs";

export const SPEC_PAGE_SIZE = 10;
const AVAILABILITY = { Available: "InStock", "Under Contract": "LimitedAvailability", Sold: "SoldOut" };

export const specListPath = (home) => `/available-homes/${home.community}/${home.slug}`;
export const specListCommunityPath = (slug) => `/neighborhoods/${slug}`;

function layout({ title, body }) {
  return `<!DOCTYPE html>
<html lang="en-US"><head><meta charset="UTF-8"><title>${escapeHtml(title)} – Holiday Builders</title>
<meta name="viewport" content="width=device-width">
<link rel="stylesheet" href="/wp-content/themes/spec/style.css">
</head><body class="theme-spec">
<div class="masthead"><a href="/" class="brand">Holiday Builders</a>
<ul class="menu"><li><a href="/available-homes">Available Homes</a></li><li><a href="/neighborhoods/${COMMUNITIES[0].slug}">Neighborhoods</a></li><li><a href="/contact">Contact us</a></li></ul></div>
<div id="content">
${body}
</div>
<div class="colophon">Holiday Builders, Inc. | Licensed Florida builder | Information deemed reliable but not guaranteed.</div>
</body></html>`;
}

const result = (home) =>
  `<li class="result"><a href="${specListPath(home)}">${escapeHtml(home.address)}, ${escapeHtml(home.city)}</a> <span>${money(home.price)}</span> <span class="badge">${escapeHtml(home.status)}</span></li>`;

export function specListHome(homes) {
  const body = `<div class="intro"><h1>Find your new home</h1><p><a href="/available-homes">See all ${homes.length} available homes</a></p></div>
<div class="areas"><h2>Neighborhoods</h2>
${COMMUNITIES.map((c) => `<div class="area"><a href="${specListCommunityPath(c.slug)}">${escapeHtml(c.name)}</a></div>`).join("\n")}
</div>`;
  return layout({ title: "Home", body });
}

export function specListIndex(homes, page) {
  const pages = Math.max(1, Math.ceil(homes.length / SPEC_PAGE_SIZE));
  const current = Math.min(Math.max(1, page), pages);
  const slice = homes.slice((current - 1) * SPEC_PAGE_SIZE, current * SPEC_PAGE_SIZE);
  const next =
    current < pages ? `<a rel="next" href="/available-homes?page=${current + 1}">Next page</a>` : "";
  const body = `<h1>Available Homes</h1><ul class="results">
${slice.map(result).join("\n")}
</ul><div class="pager">${next}</div>`;
  return layout({ title: "Available Homes", body });
}

export function specListCommunity(community, homes) {
  const own = homes.filter((h) => h.community === community.slug);
  const body = `<h1>${escapeHtml(community.name)}</h1><p>${escapeHtml(community.city)}, Florida</p>
<ul class="results">
${own.map(result).join("\n")}
</ul>`;
  return layout({ title: community.name, body });
}

const moveInText = (moveIn) => (moveIn === "Move-in ready" ? "Ready now" : moveIn.replace(/^Ready /, ""));
const bathsText = (baths) => (baths % 1 ? `${Math.floor(baths)} full, 1 half` : String(baths));

function residence(home, url, origin) {
  const full = Math.floor(home.baths);
  const partial = home.baths % 1 === 0 ? 0 : 1;
  const node = {
    "@context": "https://schema.org",
    "@type": "SingleFamilyResidence",
    "@id": `${url}#home`,
    name: home.address,
    url,
    identifier: { "@type": "PropertyValue", propertyID: "home-id", value: home.id },
    address: {
      "@type": "PostalAddress",
      streetAddress: home.address,
      addressLocality: home.city,
      addressRegion: "Florida",
      postalCode: home.zip,
    },
    containedInPlace: { "@type": "Place", name: home.communityName },
    numberOfBedrooms: home.beds,
    numberOfBathroomsTotal: full + partial,
    numberOfFullBathrooms: full,
    numberOfPartialBathrooms: partial,
    image: home.images.map((src) => `${origin}${src}`),
    description: home.description,
  };
  if (home.sqft !== null) {
    node.floorSize = {
      "@type": "QuantitativeValue",
      value: home.sqft.toLocaleString("en-US"),
      unitText: "sq ft",
    };
  }
  const offer = {
    "@context": "https://schema.org",
    "@type": "Offer",
    itemOffered: { "@id": `${url}#home` },
    priceCurrency: "USD",
    availability: `https://schema.org/${AVAILABILITY[home.status] ?? "InStock"}`,
    ...(home.price === null ? {} : { price: String(home.price) }),
  };
  return [node, offer];
}

export function specListDetail(home, origin) {
  const url = `${origin}${specListPath(home)}`;
  const spec = [
    ["Community", `<a href="${specListCommunityPath(home.community)}">${escapeHtml(home.communityName)}</a>`],
    ["Floor plan", escapeHtml(home.planName)],
    ["Bedrooms", String(home.beds)],
    ["Bathrooms", bathsText(home.baths)],
    ...(home.sqft === null ? [] : [["Square feet", home.sqft.toLocaleString("en-US")]]),
    ["Garage", `${home.garage}-car`],
    ["Estimated move-in", escapeHtml(moveInText(home.moveIn))],
  ];
  const statusClass = home.status.toLowerCase().replace(/\s+/g, "-");
  const body = `<article class="listing">
<div class="listing-head"><h1>${escapeHtml(home.address)}</h1>
<p>${escapeHtml(home.city)}, FL ${home.zip}</p>
<div class="status-badge status-badge--${statusClass}">${escapeHtml(home.status)}</div>
<div class="price-tag">${money(home.price)}</div></div>
<div class="photos">${home.images.map((src, n) => `<img src="${src}" alt="Photo ${n + 1}" width="800">`).join("")}</div>
<dl class="spec-list">
${spec.map(([label, value]) => `<div class="spec"><dt>${label}</dt><dd>${value}</dd></div>`).join("\n")}
</dl>
${home.incentives ? `<p class="promo"><strong>Special offer:</strong> ${escapeHtml(home.incentives)}</p>` : ""}
<div class="about">${home.description
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join("\n")}</div>
</article>
${jsonLd(residence(home, url, origin))}`;
  return layout({ title: `${home.address}, ${home.city}`, body });
}

const urlset = (urls) => `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.map((u) => `<url><loc>${escapeHtml(u)}</loc></url>`).join("\n")}
</urlset>
`;

export function specListSitemap(path, homes, origin) {
  if (path === "/sitemaps/index.xml") {
    return `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>${origin}/sitemaps/pages.xml</loc></sitemap>
<sitemap><loc>${origin}/sitemaps/homes.xml</loc></sitemap>
</sitemapindex>
`;
  }
  if (path === "/sitemaps/pages.xml") {
    return urlset([
      `${origin}/`,
      `${origin}/available-homes`,
      ...COMMUNITIES.map((c) => `${origin}${specListCommunityPath(c.slug)}`),
    ]);
  }
  if (path === "/sitemaps/homes.xml") return urlset(homes.map((h) => `${origin}${specListPath(h)}`));
  return null;
}

export function specListRobots(origin) {
  return `User-agent: *
Disallow: /account/

Sitemap: ${origin}/sitemaps/index.xml
`;
}

export const specListNotFound = () => layout({ title: "Not found", body: "<h1>Nothing here</h1>" });
