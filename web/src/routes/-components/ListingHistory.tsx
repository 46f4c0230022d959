import { formatCalendarDate, formatCount, formatDateTime, formatPrice } from "../../lib/format";
import { type ListingChange, type ListingStatus, STATUS_LABELS } from "../../lib/listings";

const CHANGE_LABELS: Record<ListingChange["changeType"], string> = {
  created: "Listed",
  updated: "Updated",
  off_market: "Off the market",
  relisted: "Back on the market",
};

const EVENT_LABELS: Record<ListingChange["events"][number], string> = {
  new_listing: "New listing",
  price_drop: "Price drop",
  status_change: "Status change",
  new_incentive: "New incentive",
};

const FIELD_LABELS: Record<string, string> = {
  addressLine: "Address",
  city: "City",
  state: "State",
  zip: "ZIP code",
  community: "Community",
  planName: "Plan",
  priceCents: "Price",
  beds: "Beds",
  bathsFull: "Full baths",
  bathsHalf: "Half baths",
  sqft: "Square feet",
  garage: "Garage",
  status: "Status",
  moveInDate: "Move-in",
  incentives: "Incentives",
};

const quoted = (value: unknown, max = 160) => {
  const text = typeof value === "string" ? value : "";
  if (!text) return "none";
  return `“${text.length > max ? `${text.slice(0, max).trimEnd()}…` : text}”`;
};

function shownValue(field: string, value: unknown): string {
  if (field === "priceCents") return typeof value === "number" || value === null ? formatPrice(value) : "—";
  if (field === "status") return STATUS_LABELS[value as ListingStatus] ?? String(value);
  if (field === "moveInDate") return typeof value === "string" ? formatCalendarDate(value) : "Move-in ready";
  if (field === "incentives") return quoted(value);
  if (field === "garage" && typeof value === "number") return `${value}-car`;
  if (typeof value === "number") return formatCount(value);
  if (value === null || value === undefined || value === "") return "none";
  return typeof value === "string" ? value : JSON.stringify(value);
}

const humanize = (field: string) =>
  field.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/^./, (first) => first.toUpperCase());

/** One field change in words: "Price: $389,990 → $379,990", "Images: 4 → 5 photos", "Description updated". */
export function describeFieldChange(field: string, change: { from?: unknown; to?: unknown }): string {
  if (field === "imageUrls") {
    const from = Array.isArray(change.from) ? change.from.length : 0;
    const to = Array.isArray(change.to) ? change.to.length : 0;
    return from === to
      ? `Images: ${to} ${to === 1 ? "photo" : "photos"} replaced`
      : `Images: ${from} → ${to} photos`;
  }
  if (field === "description") return "Description updated";
  if (field === "sourceUrl") return "Builder page link updated";
  const label = FIELD_LABELS[field];
  if (!label) return `${humanize(field)} updated`;
  return `${label}: ${shownValue(field, change.from)} → ${shownValue(field, change.to)}`;
}

export function ListingHistory({ history, timeZone }: { history: ListingChange[]; timeZone: string }) {
  if (history.length === 0) return <p className="muted">No changes recorded yet.</p>;
  return (
    <ol className="timeline">
      {history.map((change) => {
        const lines = Object.entries(change.changes).map(([field, value]) =>
          describeFieldChange(field, value),
        );
        // "Listed" already says it is new.
        const events = change.events.filter((event) => event !== "new_listing");
        return (
          <li className={`timeline-item timeline-${change.changeType.replace("_", "-")}`} key={change.id}>
            <div className="timeline-head">
              <h3 className="timeline-title">{CHANGE_LABELS[change.changeType]}</h3>
              <time className="timeline-time" dateTime={new Date(change.createdAt).toISOString()}>
                {formatDateTime(change.createdAt, timeZone)}
              </time>
            </div>
            {lines.length > 0 && (
              <ul className="timeline-changes">
                {lines.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            )}
            {events.length > 0 && (
              <p className="timeline-events">
                {events.map((event) => (
                  <span className="tag" key={event}>
                    {EVENT_LABELS[event]}
                  </span>
                ))}
              </p>
            )}
          </li>
        );
      })}
    </ol>
  );
}
