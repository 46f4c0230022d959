import type { ListingFieldSource, ListingFieldSources } from "db/rules";

/** One row per fact the agent sees; address and baths are read as one each. */
const ROWS: [label: string, field: string][] = [
  ["Address", "addressLine"],
  ["Community", "community"],
  ["Plan", "planName"],
  ["Price", "priceCents"],
  ["Status", "status"],
  ["Beds", "beds"],
  ["Baths", "bathsFull"],
  ["Square feet", "sqft"],
  ["Garage", "garage"],
  ["Move-in", "moveInDate"],
  ["Incentives", "incentives"],
  ["Description", "description"],
  ["Photos", "imageUrls"],
  ["Home ID", "sourceKey"],
];

const SOURCE_LABELS: Record<ListingFieldSource, string> = {
  json_ld: "Structured data",
  microdata: "Page markup",
  label: "Labelled value",
  selector: "Site layout",
  manual: "Typed in by you",
};

/**
 * Where each field of a listing was read, so a wrong value can be traced to the part of the builder's
 * page it came from.
 */
export function FieldSources({ sources, scraped }: { sources: ListingFieldSources; scraped: boolean }) {
  const recorded = Object.keys(sources).length > 0;
  return (
    <details className="field-sources">
      <summary>How we read this page</summary>
      {!recorded ? (
        <p className="muted">
          Not recorded for this listing yet: it is noted the next time the builder's page changes.
        </p>
      ) : (
        <>
          {scraped && (
            <p className="muted">
              Each fact comes from the first of these that has it: structured data (schema.org JSON-LD), page
              markup (schema.org microdata), a labelled value on the page (such as “Garage: 2-car”), then this
              builder's page layout.
            </p>
          )}
          <table className="facts-table">
            <caption className="visually-hidden">Where each fact came from</caption>
            <tbody>
              {ROWS.map(([label, field]) => {
                const source = sources[field];
                return (
                  <tr key={field}>
                    <th scope="row">{label}</th>
                    <td>{source ? SOURCE_LABELS[source] : <span className="muted">Not on the page</span>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </details>
  );
}
