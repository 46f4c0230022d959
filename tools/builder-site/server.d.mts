export interface BuilderSiteOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Number of quick move-in homes (default 36). */
  count?: number;
  host?: string;
  /** Markup and site layout (default "classic"). */
  theme?: BuilderSiteTheme;
}

/** "classic": the Holiday Builders template; "spec-list": the same homes as another CMS prints them. */
export type BuilderSiteTheme = "classic" | "spec-list";
/** How a removed home's own page answers. */
export type BuilderRemovalAnswer = 404 | 410 | "redirect";

export interface BuilderSite {
  /** Origin without a trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
}

export type BuilderSiteMode = "normal" | "redesign" | "error5xx" | "flaky";
export type BuilderHomeStatus = "Available" | "Under Contract" | "Sold";
export type BuilderHomeMarkup = "jsonld-residence" | "jsonld-product" | "jsonld-house" | "html";

/** A home as `GET /__control/homes` reports it (the values the pages render). */
export interface BuilderHome {
  id: string;
  slug: string;
  path: string;
  community: string;
  communityName: string;
  planName: string;
  address: string;
  city: string;
  state: string;
  zip: string;
  price: number | null;
  beds: number;
  baths: number;
  sqft: number | null;
  garage: number;
  status: BuilderHomeStatus;
  moveIn: string;
  incentives: string;
  description: string;
  images: string[];
  markup: BuilderHomeMarkup;
  edgeCase?: string;
}

/** Fields `POST /__control/homes[/<slug>]` accepts. */
export type BuilderHomePatch = Partial<
  Pick<
    BuilderHome,
    | "planName"
    | "communityName"
    | "address"
    | "city"
    | "zip"
    | "price"
    | "beds"
    | "baths"
    | "sqft"
    | "garage"
    | "status"
    | "moveIn"
    | "incentives"
    | "description"
    | "images"
    | "markup"
  >
>;

export interface BuilderSiteState {
  mode: BuilderSiteMode;
  theme: BuilderSiteTheme;
  delayMs: number;
  count: number;
  slugs: string[];
  /** Requests per path + query since the last reset (control routes not counted). */
  requests: Record<string, number>;
  totalRequests: number;
  lastUserAgent: string | null;
  userAgents: string[];
}

export function startBuilderSite(options?: BuilderSiteOptions): Promise<BuilderSite>;
