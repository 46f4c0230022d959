import type { DraftContent, FlyerText, InstagramCaption } from "./types";

const tags = (hashtags: string[]) => hashtags.map((tag) => `#${tag}`).join(" ");

export function renderInstagram(
  content: Pick<InstagramCaption, "caption" | "hashtags" | "mentions">,
): string {
  const footer = [tags(content.hashtags), content.mentions.map((m) => `@${m}`).join(" ")].filter(Boolean);
  return footer.length ? `${content.caption}\n\n${footer.join("\n")}` : content.caption;
}

export function renderFlyer(
  content: Pick<FlyerText, "headline" | "body" | "bullets" | "callToAction">,
): string {
  const parts = [content.headline, content.body];
  if (content.bullets.length) parts.push(content.bullets.map((b) => `• ${b}`).join("\n"));
  parts.push(content.callToAction);
  return parts.join("\n\n");
}

/** The plain text that is shown to the agent, checked for compliance and posted. */
export function renderBody(content: DraftContent): string {
  switch (content.kind) {
    case "facebook_post":
      return content.hashtags.length ? `${content.text}\n\n${tags(content.hashtags)}` : content.text;
    case "instagram_caption":
      return renderInstagram(content);
    case "flyer_text":
      return renderFlyer(content);
  }
}
