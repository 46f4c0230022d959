import type { Crawler } from "../crawler";
import type { Discovery } from "../discovery";
import type { RawListing } from "../types";

/** What one builder's site needs: where its homes are, and how to read one home page. */
export interface SourceAdapter {
  readonly name: string;
  /** Whether a URL is a home's detail page (a redirect elsewhere means the home is gone). */
  isListingUrl(url: URL): boolean;
  /** Detail-page URLs, and whether every discovery source loaded. Fetch only through `crawler`. */
  discover(crawler: Crawler): Promise<Discovery>;
  /**
   * Fields found on one detail page, unnormalized, with their provenance under `fieldSources`
   * (see extract/fields.ts); null when the page holds no listing.
   */
  extract(html: string, pageUrl: string): Promise<RawListing | null>;
}
