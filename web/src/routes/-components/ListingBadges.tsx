import { formatMoneyDifference } from "../../lib/format";
import { type ListingCard, type ListingStatus, STATUS_LABELS } from "../../lib/listings";

export function StatusBadge({ status }: { status: ListingStatus }) {
  return <span className={`badge badge-${status.replace("_", "-")}`}>{STATUS_LABELS[status]}</span>;
}

export function NewBadge() {
  return <span className="badge badge-new">New</span>;
}

/** "Price ↓ $10,000" for a recent price change; nothing when the price did not move this week. */
export function PriceChangeMarker({
  listing,
}: {
  listing: Pick<ListingCard, "priceChanged" | "priceCents" | "previousPriceCents">;
}) {
  const { priceChanged, priceCents, previousPriceCents } = listing;
  if (!priceChanged || priceCents === null || previousPriceCents === null) return null;
  const difference = priceCents - previousPriceCents;
  if (difference === 0) return null;
  const down = difference < 0;
  return (
    <span className={`price-marker ${down ? "price-marker-down" : "price-marker-up"}`}>
      Price {down ? "↓" : "↑"} {formatMoneyDifference(difference)}
    </span>
  );
}
