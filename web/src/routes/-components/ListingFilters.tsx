import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { type ChangeEvent, useId, useState } from "react";
import { formatCount } from "../../lib/format";
import {
  hasFilters,
  LISTING_STATUSES,
  type ListingSort,
  type ListingsSearch,
  parseDollars,
  SORT_LABELS,
  STATUS_LABELS,
} from "../../lib/listings";
import { trpc } from "../../trpc";

const SORT_OPTIONS: ListingSort[] = ["newest", "price_asc", "price_desc"];
const BED_OPTIONS = [1, 2, 3, 4, 5];

/** The filters bar: every change goes into the URL, so filters survive reloads and back/forward. */
export function ListingFilters({ search }: { search: ListingsSearch }) {
  const navigate = useNavigate({ from: "/listings/" });
  const communities = useQuery(trpc.listings.communities.queryOptions());
  const ids = useId();

  function apply(patch: Partial<ListingsSearch>) {
    void navigate({ search: (current) => ({ ...current, ...patch }) });
  }

  const selected = (event: ChangeEvent<HTMLSelectElement>) => event.target.value || undefined;
  const communityOptions = [...(communities.data ?? [])];
  // A community from an old link still shows as chosen even when no listing is in it any more.
  if (search.community && !communityOptions.includes(search.community)) {
    communityOptions.unshift(search.community);
  }

  return (
    <search className="filters" aria-label="Filter listings">
      <div className="filter">
        <label className="filter-label" htmlFor={`${ids}-status`}>
          Status
        </label>
        <select
          id={`${ids}-status`}
          className="input select"
          value={search.status ?? ""}
          onChange={(event) => apply({ status: selected(event) as ListingsSearch["status"] })}
        >
          <option value="">All active</option>
          {LISTING_STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABELS[status]}
            </option>
          ))}
        </select>
      </div>
      <div className="filter filter-wide">
        <label className="filter-label" htmlFor={`${ids}-community`}>
          Community
        </label>
        <select
          id={`${ids}-community`}
          className="input select"
          value={search.community ?? ""}
          onChange={(event) => apply({ community: selected(event) })}
        >
          <option value="">All communities</option>
          {communityOptions.map((community) => (
            <option key={community} value={community}>
              {community}
            </option>
          ))}
        </select>
      </div>
      <PriceFilter label="Min price" value={search.minPrice} onCommit={(minPrice) => apply({ minPrice })} />
      <PriceFilter label="Max price" value={search.maxPrice} onCommit={(maxPrice) => apply({ maxPrice })} />
      <div className="filter">
        <label className="filter-label" htmlFor={`${ids}-beds`}>
          Min beds
        </label>
        <select
          id={`${ids}-beds`}
          className="input select"
          value={search.minBeds ?? ""}
          onChange={(event) =>
            apply({ minBeds: event.target.value ? Number(event.target.value) : undefined })
          }
        >
          <option value="">Any</option>
          {BED_OPTIONS.map((beds) => (
            <option key={beds} value={beds}>
              {beds}+
            </option>
          ))}
        </select>
      </div>
      <div className="filter">
        <label className="filter-label" htmlFor={`${ids}-sort`}>
          Sort
        </label>
        <select
          id={`${ids}-sort`}
          className="input select"
          value={search.sort ?? "newest"}
          onChange={(event) =>
            apply({
              sort:
                event.target.value === "newest" ? undefined : (event.target.value as ListingsSearch["sort"]),
            })
          }
        >
          {SORT_OPTIONS.map((sort) => (
            <option key={sort} value={sort}>
              {SORT_LABELS[sort]}
            </option>
          ))}
        </select>
      </div>
      {hasFilters(search) && (
        <Link className="filters-clear" to="/listings" search={{ sort: search.sort }}>
          Clear filters
        </Link>
      )}
    </search>
  );
}

/** Whole dollars, applied when the field is left or Enter is pressed rather than on every keystroke. */
function PriceFilter({
  label,
  value,
  onCommit,
}: {
  label: string;
  value: number | undefined;
  onCommit: (dollars: number | undefined) => void;
}) {
  const id = useId();
  const shown = (dollars: number | undefined) => (dollars === undefined ? "" : formatCount(dollars));
  const [text, setText] = useState(shown(value));
  const [invalid, setInvalid] = useState(false);
  // "Clear filters" and back/forward change the URL under the field: show what it now says.
  const [urlValue, setUrlValue] = useState(value);
  if (urlValue !== value) {
    setUrlValue(value);
    setText(shown(value));
    setInvalid(false);
  }

  function commit() {
    const cents = parseDollars(text);
    if (cents === undefined || (cents !== null && cents > 100_000_000_00)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    const dollars = cents === null ? undefined : Math.floor(cents / 100);
    if (dollars !== value) onCommit(dollars);
  }

  return (
    <div className="filter">
      <label className="filter-label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className="input"
        inputMode="numeric"
        autoComplete="off"
        placeholder="Any"
        value={text}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? `${id}-error` : undefined}
        onChange={(event) => setText(event.target.value)}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === "Enter") commit();
        }}
      />
      {invalid && (
        <p className="field-error" id={`${id}-error`}>
          Enter dollars, like 400,000
        </p>
      )}
    </div>
  );
}
