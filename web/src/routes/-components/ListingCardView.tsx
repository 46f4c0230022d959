import { Link } from "@tanstack/react-router";
import { formatFacts, formatPrice } from "../../lib/format";
import type { ListingCard } from "../../lib/listings";
import { NewBadge, PriceChangeMarker, StatusBadge } from "./ListingBadges";
import { ListingPhoto } from "./ListingPhoto";

export function ListingCardView({ listing, eager }: { listing: ListingCard; eager: boolean }) {
  const facts = formatFacts(listing);
  const communityAndPlan = [listing.community, listing.planName].filter(Boolean).join(" · ");
  return (
    <article className="listing-card">
      <div className="listing-card-media">
        <ListingPhoto
          className="listing-card-photo"
          url={listing.imageUrl}
          alt={`Photo of ${listing.addressLine}`}
          eager={eager}
        />
        <div className="listing-card-badges">
          <StatusBadge status={listing.status} />
          {listing.isNew && <NewBadge />}
        </div>
      </div>
      <div className="listing-card-body">
        <div className="listing-card-price-row">
          <p className={listing.priceCents === null ? "listing-price listing-price-call" : "listing-price"}>
            {formatPrice(listing.priceCents)}
          </p>
          <PriceChangeMarker listing={listing} />
        </div>
        <h2 className="listing-card-address">
          {/* Stretched over the whole card by CSS, so the card is one link named by its address. */}
          <Link
            className="listing-card-link"
            to="/listings/$listingId"
            params={{ listingId: listing.id }}
            search={true}
          >
            {listing.addressLine}
          </Link>
        </h2>
        <p className="listing-card-city">
          {listing.city}, {listing.state} {listing.zip}
        </p>
        {communityAndPlan && <p className="listing-card-community">{communityAndPlan}</p>}
        {facts && <p className="listing-card-facts">{facts}</p>}
        {listing.origin === "manual" && <p className="listing-card-origin">Added by you</p>}
      </div>
    </article>
  );
}

export function ListingCardSkeleton() {
  return (
    <div className="listing-card listing-card-skeleton" aria-hidden="true">
      <div className="listing-card-photo skeleton" />
      <div className="listing-card-body">
        <div className="skeleton skeleton-line skeleton-price" />
        <div className="skeleton skeleton-line" />
        <div className="skeleton skeleton-line skeleton-short" />
      </div>
    </div>
  );
}
