import { useSuspenseQuery } from "@tanstack/react-query";
import { createFileRoute, Link, notFound } from "@tanstack/react-router";
import type { ReactNode } from "react";
import { PageHeader } from "../components/PageHeader";
import { useMe } from "../lib/auth";
import { errorCode } from "../lib/errors";
import {
  formatBaths,
  formatCalendarDate,
  formatCount,
  formatDate,
  formatDateTime,
  formatFacts,
  formatPrice,
} from "../lib/format";
import { externalUrl, type ListingDetail } from "../lib/listings";
import { usePageTitle } from "../lib/title";
import { trpc } from "../trpc";
import { ClampedText } from "./-components/ClampedText";
import { FieldSources } from "./-components/FieldSources";
import { NewBadge, PriceChangeMarker, StatusBadge } from "./-components/ListingBadges";
import { ListingContent } from "./-components/ListingContent";
import { ListingGallery } from "./-components/ListingGallery";
import { ListingHistory } from "./-components/ListingHistory";
import { ListingPostsPerformance } from "./-components/PostMetrics";

export const Route = createFileRoute("/_app/listings/$listingId")({
  loader: async ({ context, params }) => {
    try {
      await context.queryClient.ensureQueryData(
        context.trpc.listings.get.queryOptions({ id: params.listingId }),
      );
    } catch (error) {
      // Someone else's listing, or one that never existed: both are simply not here.
      if (errorCode(error) === "NOT_FOUND") throw notFound();
      throw error;
    }
  },
  component: ListingDetailPage,
  notFoundComponent: ListingNotFound,
});

function BackLink() {
  return (
    <Link className="back-link" to="/listings" search={true}>
      <span aria-hidden="true">←</span> All listings
    </Link>
  );
}

function ListingDetailPage() {
  const { listingId } = Route.useParams();
  const { data: listing } = useSuspenseQuery(trpc.listings.get.queryOptions({ id: listingId }));
  const me = useMe();
  const facts = formatFacts(listing);
  const priceWas =
    listing.previousPriceCents !== null && listing.previousPriceCents !== listing.priceCents
      ? listing.previousPriceCents
      : null;

  return (
    <>
      <BackLink />
      <PageHeader
        documentTitle={listing.addressLine}
        title={listing.addressLine}
        description={`${listing.city}, ${listing.state} ${listing.zip}`}
      />
      <div className="listing-detail">
        <div className="listing-detail-main">
          <ListingGallery urls={listing.imageUrls} address={listing.addressLine} />
          {listing.incentives && (
            <aside className="callout callout-info" aria-labelledby="incentives-title">
              <div>
                <h2 className="callout-title" id="incentives-title">
                  Builder incentives
                </h2>
                <p>{listing.incentives}</p>
              </div>
            </aside>
          )}
          <section className="card detail-section" aria-labelledby="description-title">
            <h2 className="card-title" id="description-title">
              About this home
            </h2>
            {listing.description ? (
              <ClampedText text={listing.description} />
            ) : (
              <p className="muted">No description.</p>
            )}
          </section>
          <section className="card detail-section" aria-labelledby="history-title">
            <h2 className="card-title" id="history-title">
              History
            </h2>
            <ListingHistory history={listing.history} timeZone={me.timezone} />
          </section>
        </div>
        <div className="listing-detail-side">
          <section className="card detail-summary" aria-label="Price and facts">
            <div className="detail-badges">
              <StatusBadge status={listing.status} />
              {listing.isNew && <NewBadge />}
              <PriceChangeMarker listing={listing} />
            </div>
            <p className={listing.priceCents === null ? "detail-price listing-price-call" : "detail-price"}>
              {formatPrice(listing.priceCents)}
            </p>
            {priceWas !== null && (
              <p className="detail-price-was">
                Was <del>{formatPrice(priceWas)}</del>
                {listing.priceChangedAt !== null &&
                  ` until ${formatDate(listing.priceChangedAt, me.timezone)}`}
              </p>
            )}
            {facts && <p className="detail-facts-line">{facts}</p>}
            <FactsTable listing={listing} timeZone={me.timezone} />
            <FieldSources sources={listing.fieldSources} scraped={listing.origin === "scraped"} />
          </section>
          <section className="card detail-section" aria-labelledby="content-title">
            <h2 className="card-title" id="content-title">
              Marketing content
            </h2>
            <ListingContent listing={listing} />
          </section>
          <section className="card detail-section" aria-labelledby="posts-title">
            <h2 className="card-title" id="posts-title">
              Posts and performance
            </h2>
            <ListingPostsPerformance listingId={listing.id} timeZone={me.timezone} />
          </section>
        </div>
      </div>
    </>
  );
}

function FactsTable({ listing, timeZone }: { listing: ListingDetail; timeZone: string }) {
  const baths = formatBaths(listing.bathsFull, listing.bathsHalf);
  const sourceUrl = externalUrl(listing.sourceUrl);
  const rows: [string, ReactNode][] = [
    ["Beds", listing.beds ?? "—"],
    ["Baths", baths ?? "—"],
    ["Square feet", listing.sqft === null ? "—" : formatCount(listing.sqft)],
    ["Garage", listing.garage === null ? "—" : `${listing.garage}-car`],
    ["Status", <StatusBadge status={listing.status} key="status" />],
    ["Move-in", listing.moveInDate ? formatCalendarDate(listing.moveInDate) : "Move-in ready"],
    ["Community", listing.community || "—"],
    ["Plan", listing.planName || "—"],
    [
      "Source",
      listing.origin === "manual" ? (
        "Added by you"
      ) : sourceUrl ? (
        <a href={sourceUrl} target="_blank" rel="noopener noreferrer" key="source">
          {listing.sourceName ?? "Builder's site"}
          <span className="visually-hidden"> (opens in a new tab)</span>
        </a>
      ) : (
        (listing.sourceName ?? "Builder's site")
      ),
    ],
    [listing.origin === "manual" ? "Added" : "First seen", formatDateTime(listing.firstSeenAt, timeZone)],
  ];
  if (listing.offMarketAt !== null)
    rows.push(["Off market since", formatDateTime(listing.offMarketAt, timeZone)]);
  // Only the listing agent sees a home again; a typed-in listing has no "last seen".
  else if (listing.origin === "scraped")
    rows.push(["Last seen", formatDateTime(listing.lastSeenAt, timeZone)]);
  return (
    <table className="facts-table">
      <caption className="visually-hidden">Facts</caption>
      <tbody>
        {rows.map(([label, value]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ListingNotFound() {
  usePageTitle("Listing not found");
  return (
    <div className="status-page">
      <h1>Listing not found</h1>
      <p>This listing does not exist or is not one of yours.</p>
      <BackLink />
    </div>
  );
}
