// Deterministic seed data for the fake builder site: home i depends only on i, so 36 homes are a prefix of 500.

const SEED = 20261122;

export const COMMUNITIES = [
  {
    slug: "cafe-lago-at-solivita",
    name: "Café Lago at Solivita",
    city: "Kissimmee",
    zip: "34759",
    premium: 1.08,
  },
  { slug: "lakeshore-preserve", name: "Lakeshore Preserve", city: "Davenport", zip: "33837", premium: 1.0 },
  { slug: "pinon-ridge", name: "Piñon Ridge", city: "Ocala", zip: "34476", premium: 0.9 },
  {
    slug: "tradition-landing",
    name: "Tradition Landing",
    city: "Port St. Lucie",
    zip: "34987",
    premium: 1.15,
  },
  { slug: "oak-hammock-reserve", name: "Oak Hammock Reserve", city: "Ocala", zip: "34481", premium: 0.92 },
  { slug: "sandpiper-cove", name: "Sandpiper Cove", city: "Port St. Lucie", zip: "34953", premium: 1.05 },
  {
    slug: "bella-vista-estates",
    name: "Bella Vista Estates",
    city: "Davenport",
    zip: "33896",
    premium: 1.02,
  },
  { slug: "heron-bay", name: "Heron Bay", city: "Kissimmee", zip: "34746", premium: 1.1 },
];

const PLANS = [
  { name: "The Magnolia", beds: 3, baths: 2, sqft: 1680, garage: 2 },
  { name: "The Osprey", beds: 4, baths: 2.5, sqft: 2140, garage: 2 },
  { name: "The Cypress", beds: 4, baths: 3, sqft: 2310, garage: 2 },
  { name: "The Coquina", beds: 3, baths: 2.5, sqft: 1890, garage: 2 },
  { name: "The Heron", beds: 5, baths: 3.5, sqft: 2980, garage: 3 },
  { name: "The Sandpiper", beds: 3, baths: 2, sqft: 1540, garage: 2 },
  { name: "The Palmetto", beds: 4, baths: 3.5, sqft: 2620, garage: 3 },
  { name: "The Piñon", beds: 5, baths: 4, sqft: 3350, garage: 3 },
];

const STREETS = [
  "Lake Sawyer Loop",
  "Egret Landing Dr",
  "Sabal Palm Way",
  "Cypress Hollow Ct",
  "Osprey Pointe Blvd",
  "Citrus Grove Ln",
  "Mangrove Bay Dr",
  "Coral Reef Ct",
  "Sunset Palms Ave",
  "Live Oak Trl",
  "Pelican Crossing",
  "Bahia Vista St",
];

const INCENTIVES = [
  "$10,000 toward closing costs with preferred lender",
  "Rates as low as 4.99% (5.12% APR) with Holiday Mortgage & Title",
  "Free window blinds & refrigerator package on contracts written this month",
  "$5,000 in design studio upgrades",
  "",
];

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

const FEATURES = [
  "an open-concept great room that flows into a chef-inspired kitchen with quartz countertops",
  "a covered lanai that is pre-plumbed for a summer kitchen",
  "impact-resistant windows and a Florida-friendly landscape package",
  "a primary suite with a walk-in closet and dual vanities",
  "energy-efficient LED lighting, a tankless water heater and a 16 SEER2 HVAC system",
  'a flex room that works as a home office, playroom or "Florida room"',
  "luxury vinyl plank flooring in every living area & 9'4\" ceilings",
  "smart-home technology with a video doorbell and keyless entry",
];

/** mulberry32: small, fast, good enough for deterministic fake data. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (rand, list) => list[Math.floor(rand() * list.length)];

export function slugify(text) {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

function describeHome(rand, plan, community, sentences) {
  const parts = [
    `${plan.name} at ${community.name} is a ${plan.beds}-bedroom home with ${pick(rand, FEATURES)}.`,
  ];
  for (let s = 1; s < sentences; s++) parts.push(`It also offers ${pick(rand, FEATURES)}.`);
  parts.push(`${community.city} puts you minutes from shopping, dining & top-rated schools.`);
  return parts.join(" ");
}

function longDescription(plan, community) {
  const paragraphs = [];
  for (let n = 1; paragraphs.join("\n\n").length < 21_000; n++) {
    paragraphs.push(
      `Feature ${n}: ${plan.name} at ${community.name} includes ${FEATURES[n % FEATURES.length]}, ` +
        `selected by our design team for year-round Florida living and backed by a 10-year structural warranty.`,
    );
  }
  return paragraphs.join("\n\n");
}

/** Markup variants: most detail pages carry JSON-LD; one in twenty is plain HTML from an older template. */
const JSONLD_MARKUPS = ["jsonld-residence", "jsonld-product", "jsonld-house"];
const markupFor = (i) => (i % 20 === 2 ? "html" : JSONLD_MARKUPS[i % 3]);

export function makeHome(i) {
  const rand = rng(SEED + i * 7919);
  const community = i === 0 ? COMMUNITIES[0] : COMMUNITIES[Math.floor(rand() * COMMUNITIES.length)];
  const plan = i === 0 ? PLANS[7] : pick(rand, PLANS);
  const id = `HB-${10001 + i}`;
  const number = 100 + Math.floor(rand() * 9800);
  const street = pick(rand, STREETS);
  const address = `${number} ${street}`;
  const slug = `${slugify(`${address} ${community.city}`)}-${id.toLowerCase().replace("-", "")}`;
  const rawPrice = plan.sqft * 158 * community.premium * (0.95 + rand() * 0.1);
  const price = Math.min(689_990, Math.max(289_990, Math.round(rawPrice / 1000) * 1000 - 10));
  const statusRoll = rand();
  const status = statusRoll < 0.7 ? "Available" : statusRoll < 0.9 ? "Under Contract" : "Sold";
  const month = MONTHS[Math.floor(rand() * 12)];
  const moveIn = rand() < 0.5 ? "Move-in ready" : `Ready ${month} ${rand() < 0.6 ? 2027 : 2026}`;
  const imageCount = 3 + Math.floor(rand() * 3);
  const key = id.toLowerCase().replace("-", "");
  const home = {
    id,
    slug,
    community: community.slug,
    communityName: community.name,
    planName: plan.name,
    address,
    city: community.city,
    state: "FL",
    zip: community.zip,
    price,
    beds: plan.beds,
    baths: plan.baths,
    sqft: plan.sqft + Math.floor(rand() * 8) * 10,
    garage: plan.garage,
    status,
    moveIn,
    incentives: pick(rand, INCENTIVES),
    description: describeHome(rand, plan, community, 2 + Math.floor(rand() * 3)),
    images: Array.from({ length: imageCount }, (_, n) => `/images/${key}-${n + 1}.jpg`),
    markup: markupFor(i),
  };
  return applyEdgeCase(home, i, plan, community);
}

/** Fixed indices carry the edge cases tests look for; GET /__control/homes reports them under `edgeCase`. */
function applyEdgeCase(home, i, plan, community) {
  switch (i) {
    case 0:
      return { ...home, edgeCase: "unicode", status: "Available" };
    case 1:
      return { ...home, edgeCase: "call-for-pricing", price: null, status: "Available" };
    case 2:
      return { ...home, edgeCase: "half-baths-html-only", baths: 2.5, status: "Available" };
    case 3:
      return { ...home, edgeCase: "missing-sqft", sqft: null, status: "Available" };
    case 4:
      return { ...home, edgeCase: "long-description", description: longDescription(plan, community) };
    case 5:
      return {
        ...home,
        edgeCase: "xss",
        planName: "<img src=x onerror=alert(1)>",
        description: `Great home. <script>alert('xss')</script> Close to the lake & "trails".`,
        incentives: `<b onmouseover="alert(2)">$7,500</b> toward closing costs`,
        status: "Available",
      };
    case 6:
      return { ...home, edgeCase: "under-contract", status: "Under Contract" };
    case 7:
      return { ...home, edgeCase: "sold", status: "Sold" };
    case 8:
      return { ...home, edgeCase: "future-move-in", moveIn: "Ready March 2027", status: "Available" };
    default:
      return home;
  }
}

export function makeHomes(count) {
  return Array.from({ length: count }, (_, i) => makeHome(i));
}

/** A home created through POST /__control/homes: seed defaults for an unused index, then the caller's fields. */
export function makeExtraHome(index, fields) {
  const { edgeCase: _seedEdgeCase, ...base } = makeHome(index);
  return { ...base, ...fields };
}

/** "Coming soon" teasers are linked from community pages but blocked by robots.txt. */
export function comingSoonSlug(communitySlug) {
  return `coming-soon-${communitySlug}-1`;
}
