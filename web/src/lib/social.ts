import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "worker/router";
import type { SettingsSearch } from "./settingsSearch";

type ListOutput = inferRouterOutputs<AppRouter>["socialAccounts"]["list"];
type AccountOutput = ListOutput["accounts"][number];
type PageChoiceOutput = ListOutput["pageChoices"][number];

// Interfaces, not aliases, so web's declarations can name them without reaching into worker internals.
/** A connected (or once connected) Facebook Page or Instagram account, as `socialAccounts.list` has it. */
export interface SocialAccount extends AccountOutput {}
/** A Page of the last Facebook grant, waiting for Chris's pick. */
export interface PageChoice extends PageChoiceOutput {}

export type { SettingsSearch, SocialOutcome } from "./settingsSearch";

// The callback's reason codes (worker/src/routes/oauth.ts), in words Chris can act on.
const REASONS: Record<string, string> = {
  state:
    "That Facebook sign-in did not match this browser session, so nothing was connected. Start again with Connect Facebook.",
  expired: "The Facebook sign-in took longer than 10 minutes. Start again with Connect Facebook.",
  cancelled: "You cancelled the Facebook sign-in. Nothing was connected.",
  exchange:
    "Facebook did not accept the sign-in (it may have been used already). Start again with Connect Facebook.",
  no_pages:
    "Facebook shared no Page you can post to. Connect again and choose your Page; you need to be allowed to create content on it.",
  graph: "Facebook could not be reached to finish connecting. Try again in a minute.",
  instagram_declined:
    "Instagram was not connected because its permissions were not granted. Connect Instagram again and allow them.",
  no_instagram:
    "Your Page has no Instagram professional account linked. Link one in Meta Business Suite (Settings > Accounts > Instagram accounts), then connect Instagram.",
  failed: "Something went wrong while connecting. Please try again.",
};

export function bannerFor(search: SettingsSearch): { tone: "info" | "error"; message: string } | null {
  if (search.social === "connected")
    return { tone: "info", message: "Connected. Your approved posts can now be published." };
  if (search.social === "choose")
    return { tone: "info", message: "Facebook shared several Pages. Choose the one to post to below." };
  if (search.social === "error")
    return { tone: "error", message: REASONS[search.reason ?? ""] ?? REASONS.failed ?? "" };
  return null;
}

const PERMISSION_LABELS: Record<string, string> = {
  pages_show_list: "See your Pages",
  pages_read_engagement: "Read your Page's posts",
  pages_manage_posts: "Publish to your Page",
  business_management: "Manage your business assets",
  instagram_basic: "See your Instagram account",
  instagram_content_publish: "Publish to Instagram",
  read_insights: "Read Page insights",
  instagram_manage_insights: "Read Instagram insights",
};

/** "Publish to Instagram (instagram_content_publish)": what it allows, then Meta's own name for it. */
export const permissionLabel = (permission: string) =>
  PERMISSION_LABELS[permission] ? `${PERMISSION_LABELS[permission]} (${permission})` : permission;

export const STATUS_LABELS: Record<SocialAccount["status"], string> = {
  connected: "Connected",
  needs_reconnect: "Needs reconnecting",
  disconnected: "Disconnected",
};
