// The settings page's `?social=…&reason=…`. Apart from lib/social because the router parses it in the
// entry, and the messages for it (lib/social's bannerFor) belong to the page.

const OUTCOMES = ["connected", "choose", "error"] as const;
export type SocialOutcome = (typeof OUTCOMES)[number];
export type SettingsSearch = { social?: SocialOutcome; reason?: string };

/** The callback's redirect (`/settings?social=…&reason=…#social`); anything else is ignored. */
export function parseSettingsSearch(search: Record<string, unknown>): SettingsSearch {
  const social = OUTCOMES.find((outcome) => outcome === search.social);
  if (!social) return {};
  const reason =
    typeof search.reason === "string" && /^[a-z_]{1,32}$/.test(search.reason) ? search.reason : undefined;
  return social === "error" ? { social, reason } : { social };
}
