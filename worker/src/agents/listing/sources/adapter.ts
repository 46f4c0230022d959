import type { Crawler } from "../crawler";
import type { RawListing } from "../types";

/** What one builder's site needs: where its homes are, and how to read one home page. */
export interface SourceAdapter {
  readonly name: string;
  /** Absolute detail-page URLs, deduplicated. Fetch only through `crawler`. */
  discover(crawler: Crawler): Promise<string[]>;
  /** Fields found on one detail page, unnormalized; null when the page holds no listing. */
  extract(html: string, pageUrl: string): Promise<RawListing | null>;
}
