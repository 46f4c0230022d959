import * as z from "zod/mini";
import { text } from "./common";

/** WCAG 2.x AA for normal text: white words on a brand colour must reach this ratio. */
export const MIN_CONTRAST = 4.5;
export const TAGLINE_MAX = 120;
/** Uploads larger than this are refused before they are read in full. */
export const BRAND_IMAGE_MAX_BYTES = 5 * 1024 * 1024;
export const BRAND_IMAGE_KINDS = ["logo", "headshot"] as const;
export type BrandImageKind = (typeof BRAND_IMAGE_KINDS)[number];

/** The kit's colours until the agent picks his own: both pass the contrast check. */
export const DEFAULT_BRAND_COLORS = { primaryColor: "#1f5f8b", accentColor: "#b45309" } as const;

const HEX = /^#[0-9a-f]{6}$/i;

/** WCAG 2.x relative luminance of a "#rrggbb" colour (0 black .. 1 white). */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast ratio of white text on `hex` (1..21), rounded down to two decimals so 4.499 never shows 4.5. */
export function contrastWithWhite(hex: string): number {
  const ratio = 1.05 / (relativeLuminance(hex) + 0.05);
  return Math.floor(ratio * 100) / 100;
}

const brandColor = (label: string) =>
  z.string().check(
    z.trim(),
    z.toLowerCase(),
    z.regex(HEX, `${label} must be a colour like #1f5f8b`),
    z.refine(
      (value) => !HEX.test(value) || contrastWithWhite(value) >= MIN_CONTRAST,
      `${label} is too light: white text on it must have a contrast of at least ${MIN_CONTRAST}:1`,
    ),
  );

export const brandInput = z.object({
  primaryColor: brandColor("Primary colour"),
  accentColor: brandColor("Accent colour"),
  tagline: text(TAGLINE_MAX, 0, "Tagline"),
});
export type BrandInput = z.infer<typeof brandInput>;

export const brandImageKindInput = z.object({ kind: z.enum(BRAND_IMAGE_KINDS) });

export type BrandImage = { url: string; width: number; height: number };
/** The brand kit as the browser sees it: image URLs on our origin, never R2 keys. */
export type BrandView = {
  primaryColor: string;
  accentColor: string;
  tagline: string;
  logo: BrandImage | null;
  headshot: BrandImage | null;
  contrast: { primary: number; accent: number };
};
