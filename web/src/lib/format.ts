const money = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  maximumFractionDigits: 0,
});
const count = new Intl.NumberFormat("en-US");

export const CALL_FOR_PRICING = "Call for pricing";

/** 38999000 -> "$389,990"; null -> "Call for pricing". */
export function formatPrice(cents: number | null): string {
  return cents === null ? CALL_FOR_PRICING : money.format(cents / 100);
}

/** A difference in cents, without sign: 1000000 -> "$10,000". */
export function formatMoneyDifference(cents: number): string {
  return money.format(Math.abs(cents) / 100);
}

export function formatCount(value: number): string {
  return count.format(value);
}

/** Real-estate convention: any half baths show as ".5" (2 full + 1 half -> "2.5"). */
export function formatBaths(full: number | null, half: number | null): string | null {
  if (full === null && half === null) return null;
  return `${full ?? 0}${half ? ".5" : ""}`;
}

type Facts = { beds: number | null; bathsFull: number | null; bathsHalf: number | null; sqft: number | null };

/** "4 bd · 2.5 ba · 2,145 sq ft"; unknown parts are left out. */
export function formatFacts({ beds, bathsFull, bathsHalf, sqft }: Facts): string {
  const baths = formatBaths(bathsFull, bathsHalf);
  return [
    beds !== null && `${beds} bd`,
    baths !== null && `${baths} ba`,
    sqft !== null && `${count.format(sqft)} sq ft`,
  ]
    .filter(Boolean)
    .join(" · ");
}

/** A calendar date as stored ("2027-03-01") -> "Mar 1, 2027", with no time zone shift. */
export function formatCalendarDate(isoDate: string): string {
  const [year, month, day] = isoDate.split("-").map(Number);
  if (!year || !month || !day) return isoDate;
  return new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" }).format(
    Date.UTC(year, month - 1, day),
  );
}

function dateTimeFormat(timeZone: string, options: Intl.DateTimeFormatOptions) {
  try {
    return new Intl.DateTimeFormat("en-US", { ...options, timeZone });
  } catch {
    // An unknown zone falls back to the browser's.
    return new Intl.DateTimeFormat("en-US", options);
  }
}

/** "Nov 22, 2026, 3:04 PM EST" in the agent's time zone. */
export function formatDateTime(epochMs: number, timeZone: string): string {
  return dateTimeFormat(timeZone, {
    month: "short",
    day: "numeric",
    year: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(epochMs);
}

/** "Nov 22, 2026" in the agent's time zone. */
export function formatDate(epochMs: number, timeZone: string): string {
  return dateTimeFormat(timeZone, { dateStyle: "medium" }).format(epochMs);
}

const relative = new Intl.RelativeTimeFormat("en-US", { numeric: "auto" });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600_000],
  ["month", 30 * 24 * 3600_000],
  ["week", 7 * 24 * 3600_000],
  ["day", 24 * 3600_000],
  ["hour", 3600_000],
  ["minute", 60_000],
];

/** "12 minutes ago", "yesterday", "just now". */
export function formatRelative(epochMs: number, now: number): string {
  const diff = epochMs - now;
  for (const [unit, size] of UNITS) {
    if (Math.abs(diff) >= size) return relative.format(Math.round(diff / size), unit);
  }
  return "just now";
}
