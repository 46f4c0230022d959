// The branded layout of the notification emails: table-based HTML with inline styles (what mail clients
// render; many drop <style> and ignore flex or grid), and a plain-text twin with the same links. Every
// dynamic string is escaped: titles and bodies hold scraped listing text and generated drafts. Brand colors
// and the logo come from the agent's profile, so they are checked, not just escaped: a color lands inside a
// style attribute, where escaping alone would still let "red;background:url(...)" through.
import type { Brand } from "db";
import { escapeHtml } from "./email";

export type EmailBranding = { agentName: string; brokerageName: string; brand: Brand };

export type EmailItem = { title: string; body: string; url: string | null };
export type EmailSection = { heading: string | null; items: readonly EmailItem[] };

export type EmailLayout = {
  branding: EmailBranding;
  /** The email's heading (and, for one notification, its subject). */
  title: string;
  /** Paragraphs under the heading; blank lines split them. */
  body: string;
  /** Linked items below the body (the digest's rows), grouped. */
  sections?: readonly EmailSection[];
  button: { label: string; url: string };
  footer: {
    /** Why this email came, e.g. "You get this email because “Posts published” emails are on." */
    reason: string;
    unsubscribeUrl: string;
    settingsUrl: string;
  };
};

export type RenderedEmail = { html: string; text: string };

const DEFAULT_PRIMARY = "#1f5f8b";
const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

/** A brand color usable in a style attribute, or the default. */
export function safeColor(value: string | undefined, fallback: string): string {
  return value && HEX_COLOR.test(value.trim()) ? value.trim() : fallback;
}

/** Only absolute https images: an http logo is blocked by most clients, anything else is not an image. */
export function safeLogoUrl(value: string | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" ? url.toString() : null;
  } catch {
    return null;
  }
}

/** Black or white text, whichever reads on the given background (WCAG relative luminance). */
function textOn(background: string): string {
  let hex = background.slice(1);
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join("");
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance > 0.4 ? "#111111" : "#ffffff";
}

const paragraphs = (text: string) =>
  text
    .split(/\n\s*\n/)
    .map((part) => part.trim())
    .filter(Boolean);

/** Escaped text with its line breaks kept. */
const htmlText = (text: string) => escapeHtml(text).replaceAll(/\r?\n/g, "<br>");

function renderHtml(layout: EmailLayout): string {
  const { branding, footer } = layout;
  const primary = safeColor(branding.brand.primaryColor, DEFAULT_PRIMARY);
  const accent = safeColor(branding.brand.accentColor, primary);
  const logo = safeLogoUrl(branding.brand.logoUrl);
  const tagline = branding.brand.tagline?.trim();
  const signature = [branding.agentName, branding.brokerageName].filter((part) => part?.trim()).join(" · ");

  const header = `<tr><td style="background:${primary};padding:20px 28px;color:${textOn(primary)};font-family:${FONT}">
${logo ? `<img src="${escapeHtml(logo)}" alt="${escapeHtml(branding.agentName)}" height="40" style="display:block;height:40px;max-width:200px;border:0;margin-bottom:8px">` : ""}
<div style="font-size:18px;font-weight:bold;line-height:1.3">${escapeHtml(branding.agentName || "Realtor Marketing")}</div>
${branding.brokerageName ? `<div style="font-size:13px;line-height:1.4;opacity:0.9">${escapeHtml(branding.brokerageName)}</div>` : ""}
${tagline ? `<div style="font-size:13px;line-height:1.4;font-style:italic;opacity:0.9">${escapeHtml(tagline)}</div>` : ""}
</td></tr>`;

  const body = paragraphs(layout.body)
    .map(
      (part) =>
        `<p style="margin:0 0 14px;font-size:15px;line-height:1.5;color:#222222">${htmlText(part)}</p>`,
    )
    .join("\n");

  const sections = (layout.sections ?? [])
    .map((section) => {
      const heading = section.heading
        ? `<tr><td style="padding:14px 0 6px;font-size:13px;font-weight:bold;text-transform:uppercase;letter-spacing:0.04em;color:#555555">${escapeHtml(section.heading)}</td></tr>`
        : "";
      const items = section.items
        .map((item) => {
          const title = item.url
            ? `<a href="${escapeHtml(item.url)}" style="color:${primary};text-decoration:underline">${escapeHtml(item.title)}</a>`
            : escapeHtml(item.title);
          // The brand kit's accent is dark (white text must read on it), so it marks the item's edge and the
          // item stays on a light ground for its dark text.
          return `<tr><td style="padding:8px 12px;border-left:3px solid ${accent};background:#f4f6f9;font-size:14px;line-height:1.45;color:#222222">
<div style="font-weight:bold">${title}</div>${item.body ? `\n<div>${htmlText(item.body)}</div>` : ""}
</td></tr>
<tr><td style="height:8px;line-height:8px;font-size:8px">&nbsp;</td></tr>`;
        })
        .join("\n");
      return heading + items;
    })
    .join("\n");

  const button = `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:18px 0 6px"><tr>
<td style="background:${primary};border-radius:6px">
<a href="${escapeHtml(layout.button.url)}" style="display:inline-block;padding:12px 22px;font-family:${FONT};font-size:15px;font-weight:bold;color:${textOn(primary)};text-decoration:none;border-radius:6px">${escapeHtml(layout.button.label)}</a>
</td></tr></table>`;

  const foot = `<tr><td style="padding:18px 28px;border-top:1px solid #e3e3e3;font-family:${FONT};font-size:12px;line-height:1.5;color:#666666">
${signature ? `<div>${escapeHtml(signature)}</div>` : ""}
<div>${escapeHtml(footer.reason)}</div>
<div><a href="${escapeHtml(footer.unsubscribeUrl)}" style="color:#666666;text-decoration:underline">Turn off these emails</a> · <a href="${escapeHtml(footer.settingsUrl)}" style="color:#666666;text-decoration:underline">Notification settings</a></div>
</td></tr>`;

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(layout.title)}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f4f5f7"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background:#ffffff;border:1px solid #e3e3e3;border-radius:8px">
${header}
<tr><td style="padding:24px 28px;font-family:${FONT}">
<h1 style="margin:0 0 14px;font-size:20px;line-height:1.3;color:#111111">${escapeHtml(layout.title)}</h1>
${body}
${sections ? `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">\n${sections}\n</table>` : ""}
${button}
</td></tr>
${foot}
</table>
</td></tr></table>
</body></html>`;
}

function renderText(layout: EmailLayout): string {
  const { branding, footer } = layout;
  const lines: string[] = [layout.title, ""];
  for (const part of paragraphs(layout.body)) lines.push(part, "");
  for (const section of layout.sections ?? []) {
    if (section.heading) lines.push(section.heading.toUpperCase(), "");
    for (const item of section.items) {
      lines.push(`- ${item.title}`);
      if (item.body) lines.push(...item.body.split(/\r?\n/).map((line) => `  ${line}`));
      if (item.url) lines.push(`  ${item.url}`);
      lines.push("");
    }
  }
  lines.push(`${layout.button.label}: ${layout.button.url}`, "", "--");
  const signature = [branding.agentName, branding.brokerageName].filter((part) => part?.trim()).join(" · ");
  if (signature) lines.push(signature);
  if (branding.brand.tagline?.trim()) lines.push(branding.brand.tagline.trim());
  lines.push(
    footer.reason,
    `Turn off these emails: ${footer.unsubscribeUrl}`,
    `Notification settings: ${footer.settingsUrl}`,
  );
  return lines.join("\n");
}

export function renderEmail(layout: EmailLayout): RenderedEmail {
  return { html: renderHtml(layout), text: renderText(layout) };
}
