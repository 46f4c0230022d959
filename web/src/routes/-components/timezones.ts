// Florida spans Eastern and Central time, so US zones lead the list.
export const US_TIME_ZONES = [
  { value: "America/New_York", label: "Eastern Time (New York, Miami)" },
  { value: "America/Chicago", label: "Central Time (Chicago, Pensacola)" },
  { value: "America/Denver", label: "Mountain Time (Denver)" },
  { value: "America/Phoenix", label: "Mountain Time, no DST (Phoenix)" },
  { value: "America/Los_Angeles", label: "Pacific Time (Los Angeles)" },
  { value: "America/Anchorage", label: "Alaska Time (Anchorage)" },
  { value: "Pacific/Honolulu", label: "Hawaii Time (Honolulu)" },
] as const;

const usValues = new Set<string>(US_TIME_ZONES.map((zone) => zone.value));

/** Every other zone the browser knows, plus `current` if the browser does not list it. */
export function otherTimeZones(current: string): string[] {
  const zones = Intl.supportedValuesOf("timeZone").filter((zone) => !usValues.has(zone));
  if (current && !usValues.has(current) && !zones.includes(current)) zones.unshift(current);
  return zones;
}
