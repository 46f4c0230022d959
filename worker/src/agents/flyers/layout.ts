// Where everything sits on the 1080x1350 flyer image (Instagram's 4:5 portrait, also fine on Facebook):
// the listing's photo on top, the brand colour below with the headline, price, facts, community and call
// to action, and a white strip with the agent, brokerage (Florida rule 61J2-10.025), license and logo.
// Text widths are estimated (bold sans ~0.6 em a character), so lines wrap and shrink the same way
// whichever renderer draws them.

export const FLYER_SIZE = { width: 1080, height: 1350 } as const;
const MARGIN = 60;
const PHOTO_HEIGHT = 600;
const STRIP_TOP = 1200;
const EM = { bold: 0.6, regular: 0.54 } as const;
export const DEFAULT_COLORS = { primary: "#1f3a5f", accent: "#f2b705" } as const;

export type FlyerFacts = {
  headline: string;
  bullets: string[];
  callToAction: string;
  priceCents: number | null;
  beds: number | null;
  bathsFull: number | null;
  bathsHalf: number | null;
  sqft: number | null;
  community: string;
  address: string;
  agentName: string;
  brokerageName: string;
  licenseNumber: string;
  phone: string;
  primaryColor?: string;
  accentColor?: string;
};

export type TextBlock = {
  text: string;
  x: number;
  /** The baseline. */
  y: number;
  size: number;
  weight: "bold" | "regular";
  color: string;
};
export type Box = { x: number; y: number; width: number; height: number };
export type FlyerLayout = {
  primary: string;
  accent: string;
  photo: Box;
  strip: Box;
  logo: Box;
  texts: TextBlock[];
};

const HEX = /^#[0-9a-f]{6}$/i;
/** Only #rrggbb reaches a renderer: the colour is written into SVG and binding options. */
export const safeColor = (value: string | undefined, fallback: string) =>
  value && HEX.test(value) ? value.toLowerCase() : fallback;

export const estimateWidth = (text: string, size: number, weight: "bold" | "regular") =>
  text.length * size * EM[weight];

/** `text` in at most `maxLines` lines of `width` px, the last one cut with an ellipsis if need be. */
export function wrap(
  text: string,
  size: number,
  weight: "bold" | "regular",
  width: number,
  maxLines: number,
): { lines: string[]; fits: boolean } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    const next = line ? `${line} ${word}` : word;
    if (estimateWidth(next, size, weight) <= width || !line) line = next;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  const fits = lines.length <= maxLines && lines.every((l) => estimateWidth(l, size, weight) <= width);
  if (fits) return { lines, fits };
  const kept = lines.slice(0, maxLines);
  const maxChars = Math.floor(width / (size * EM[weight]));
  kept[kept.length - 1] = `${(kept[kept.length - 1] ?? "").slice(0, Math.max(1, maxChars - 1)).trimEnd()}…`;
  return { lines: kept, fits: false };
}

/** The largest size from `sizes` at which `text` fits; the smallest (cut) when none does. */
function fitText(text: string, sizes: number[], weight: "bold" | "regular", width: number, maxLines: number) {
  for (const size of sizes) {
    const wrapped = wrap(text, size, weight, width, maxLines);
    if (wrapped.fits) return { size, lines: wrapped.lines };
  }
  const size = sizes[sizes.length - 1] ?? 40;
  return { size, lines: wrap(text, size, weight, width, maxLines).lines };
}

const usd = (cents: number) =>
  new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 }).format(
    cents / 100,
  );

export function factsLine(f: Pick<FlyerFacts, "beds" | "bathsFull" | "bathsHalf" | "sqft">): string {
  const baths = (f.bathsFull ?? 0) + (f.bathsHalf ?? 0) * 0.5;
  return [
    f.beds !== null ? `${f.beds} bd` : "",
    f.bathsFull !== null || f.bathsHalf !== null ? `${baths} ba` : "",
    f.sqft !== null ? `${f.sqft.toLocaleString("en-US")} sq ft` : "",
  ]
    .filter(Boolean)
    .join("  ·  ");
}

export function flyerLayout(f: FlyerFacts): FlyerLayout {
  const primary = safeColor(f.primaryColor, DEFAULT_COLORS.primary);
  const accent = safeColor(f.accentColor, DEFAULT_COLORS.accent);
  const width = FLYER_SIZE.width - 2 * MARGIN;
  const texts: TextBlock[] = [];
  let y = PHOTO_HEIGHT + 30;
  const add = (text: string, size: number, weight: "bold" | "regular", color: string, gap = 0.3) => {
    if (!text) return;
    y += size;
    texts.push({ text, x: MARGIN, y, size, weight, color });
    y += Math.round(size * gap);
  };

  // Two big lines if it fits, else three smaller ones.
  const big = fitText(f.headline, [68, 60, 54], "bold", width, 2);
  const headline = wrap(f.headline, big.size, "bold", width, 2).fits
    ? big
    : fitText(f.headline, [54, 48, 44], "bold", width, 3);
  for (const line of headline.lines) add(line, headline.size, "bold", "#ffffff", 0.18);
  y += 14;
  if (f.priceCents !== null) add(usd(f.priceCents), 58, "bold", accent);
  add(factsLine(f), 38, "regular", "#ffffff");
  const place = [f.community, f.address].filter(Boolean).join(" · ");
  add(wrap(place, 32, "regular", width, 1).lines[0] ?? "", 32, "regular", "#ffffff");
  // Feature bullets while two lines of call to action still fit below them.
  y += 6;
  for (const bullet of f.bullets.slice(0, 3)) {
    if (STRIP_TOP - 30 - (y + 40) < 2 * 48) break;
    add(`•  ${wrap(bullet, 30, "regular", width - 40, 1).lines[0] ?? ""}`, 30, "regular", "#ffffff", 0.35);
  }
  // The call to action gets what is left above the strip.
  const ctaRoom = STRIP_TOP - 30 - y;
  const cta = fitText(f.callToAction, [40, 36, 32], "bold", width, ctaRoom >= 90 ? 2 : 1);
  if (ctaRoom >= cta.size) {
    y += 10;
    for (const line of cta.lines.slice(0, Math.max(1, Math.floor(ctaRoom / (cta.size * 1.2)))))
      add(line, cta.size, "bold", accent, 0.15);
  }

  const logo = { x: FLYER_SIZE.width - MARGIN - 220, y: STRIP_TOP + 20, width: 220, height: 110 };
  const stripWidth = logo.x - MARGIN - 20;
  const agent = [f.agentName, f.phone].filter(Boolean).join(" · ");
  const broker = [f.brokerageName, f.licenseNumber && `Lic. ${f.licenseNumber}`].filter(Boolean).join(" · ");
  const stripLines = [
    { text: agent, size: 34, weight: "bold" as const },
    { text: broker, size: 28, weight: "regular" as const },
    { text: "Equal Housing Opportunity", size: 24, weight: "regular" as const },
  ];
  let stripY = STRIP_TOP + 8;
  for (const line of stripLines) {
    if (!line.text) continue;
    const fitted = fitText(line.text, [line.size, line.size - 4, line.size - 8], line.weight, stripWidth, 1);
    stripY += fitted.size + 6;
    if (fitted.lines[0])
      texts.push({
        text: fitted.lines[0],
        x: MARGIN,
        y: stripY,
        size: fitted.size,
        weight: line.weight,
        color: "#1a1a1a",
      });
  }

  return {
    primary,
    accent,
    photo: { x: 0, y: 0, width: FLYER_SIZE.width, height: PHOTO_HEIGHT },
    strip: { x: 0, y: STRIP_TOP, width: FLYER_SIZE.width, height: FLYER_SIZE.height - STRIP_TOP },
    logo,
    texts,
  };
}

const escapeXml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] ?? c,
  );

/**
 * The whole flyer as one SVG, photo and logo embedded as data URIs: the renderer for where the Images
 * binding rasterizes SVG (locally, through sharp) but has no text rasterization.
 */
export function flyerSvg(
  layout: FlyerLayout,
  images: { photo?: string | null; logo?: string | null } = {},
): string {
  const { width, height } = FLYER_SIZE;
  const box = (b: Box) => `x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}"`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="${layout.primary}"/>`,
    images.photo
      ? `<image href="${images.photo}" ${box(layout.photo)} preserveAspectRatio="xMidYMid slice"/>`
      : `<rect ${box(layout.photo)} fill="${layout.accent}" opacity="0.25"/>`,
    `<rect x="0" y="${layout.photo.height}" width="${width}" height="8" fill="${layout.accent}"/>`,
    `<rect ${box(layout.strip)} fill="#ffffff"/>`,
    images.logo
      ? `<image href="${images.logo}" ${box(layout.logo)} preserveAspectRatio="xMaxYMid meet"/>`
      : "",
    ...layout.texts.map(
      (t) =>
        `<text x="${t.x}" y="${t.y}" font-family="Liberation Sans, DejaVu Sans, Arial, Helvetica, sans-serif" font-size="${t.size}" font-weight="${t.weight === "bold" ? 700 : 400}" fill="${t.color}">${escapeXml(t.text)}</text>`,
    ),
    "</svg>",
  ];
  return parts.join("");
}
