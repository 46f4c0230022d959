import type {
  BuilderHome,
  BuilderHomePatch,
  BuilderRemovalAnswer,
  BuilderSiteMode,
  BuilderSiteState,
  BuilderSiteTheme,
} from "./server.mjs";

export interface BuilderSiteControl {
  url: string;
  /** Seeds again, in the theme the site started with unless given. */
  reset(
    count?: number,
    theme?: BuilderSiteTheme,
  ): Promise<{ ok: true; count: number; theme: BuilderSiteTheme }>;
  state(): Promise<BuilderSiteState>;
  homes(): Promise<BuilderHome[]>;
  home(slug: string): Promise<BuilderHome>;
  addHome(fields?: BuilderHomePatch): Promise<BuilderHome>;
  patchHome(slug: string, patch: BuilderHomePatch): Promise<BuilderHome>;
  /** Off the site; its own page answers `answer` (404); `keepInSitemap` leaves it in a stale sitemap. */
  deleteHome(
    slug: string,
    options?: { answer?: BuilderRemovalAnswer; keepInSitemap?: boolean },
  ): Promise<{ ok: true }>;
  setMode(
    mode: BuilderSiteMode,
    delayMs?: number,
  ): Promise<{ ok: true; mode: BuilderSiteMode; delayMs: number }>;
  setRobots(text: string): Promise<{ ok: true }>;
  setTheme(theme: BuilderSiteTheme): Promise<{ ok: true; theme: BuilderSiteTheme }>;
  /** Forces a status for exact paths (e.g. {"/neighborhoods/heron-bay": 500}) until the next reset. */
  setFailures(paths: Record<string, number>): Promise<{ ok: true }>;
  newInstance(count?: number, theme?: BuilderSiteTheme): Promise<BuilderSiteControl>;
}

export function builderSiteControl(base: string): BuilderSiteControl;
