import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { createFileRoute, Link } from "@tanstack/react-router";
import { memo, useEffect } from "react";
import { PageHeader } from "../components/PageHeader";
import { IngestionResult, RunIngestionButton } from "../components/RunIngestion";
import { Spinner } from "../components/Spinner";
import { errorMessage } from "../lib/errors";
import { formatCount } from "../lib/format";
import { hasFilters, type ListingCard, type ListingsSearch, listInputOf } from "../lib/listings";
import { useWindowedList } from "../lib/useWindowedList";
import { trpc } from "../trpc";
import { ListingCardSkeleton, ListingCardView } from "./-components/ListingCardView";
import { ListingFilters } from "./-components/ListingFilters";

export const Route = createFileRoute("/_app/listings/")({
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => {
    // Started here, not awaited: the page shows skeletons (or the previous results) while it loads.
    void context.queryClient.prefetchInfiniteQuery(listingsQueryOptions(deps));
    void context.queryClient.prefetchQuery(context.trpc.listings.communities.queryOptions());
  },
  component: ListingsPage,
});

/** One cache entry per filter set, shared by the loader and the page. */
function listingsQueryOptions(search: ListingsSearch) {
  return trpc.listings.list.infiniteQueryOptions(listInputOf(search), {
    getNextPageParam: (page) => page.nextCursor,
  });
}

const SKELETONS = Array.from({ length: 6 }, (_, i) => i);
// Past two pages the list is windowed and loads the next page as its end scrolls near.
const WINDOW_ABOVE = 40;
// A card row: photo, price, address, city, community, facts, and the grid's gap.
const ROW_ESTIMATE = 460;
// The next page is asked for while this many homes are still below the rendered ones.
const PREFETCH_AHEAD = 12;

function ListingsPage() {
  const search = Route.useSearch();
  const filtered = hasFilters(search);
  const listings = useInfiniteQuery({ ...listingsQueryOptions(search), placeholderData: keepPreviousData });
  const items = listings.data?.pages.flatMap((page) => page.items) ?? [];
  const noListingsYet = listings.isSuccess && !listings.isPlaceholderData && items.length === 0 && !filtered;

  return (
    <>
      <PageHeader
        documentTitle="Listings"
        title="Listings"
        description="New-construction homes from your builder's site, and the ones you add yourself."
        actions={
          <>
            {/* With no listings yet the empty state carries the (primary) button instead. */}
            <Link className="button button-quiet" to="/listings/runs">
              Run history
            </Link>
            {!noListingsYet && <RunIngestionButton />}
            <Link className="button button-primary" to="/listings/new" search={true}>
              Add listing
            </Link>
          </>
        }
      />
      <IngestionResult />
      <ListingFilters search={search} />

      {listings.isPending ? (
        <div className="listing-grid">
          <p className="visually-hidden" role="status">
            Loading listings…
          </p>
          {SKELETONS.map((i) => (
            <ListingCardSkeleton key={i} />
          ))}
        </div>
      ) : listings.isError && items.length === 0 ? (
        <div className="alert alert-error listing-error" role="alert">
          <p>Could not load listings. {errorMessage(listings.error)}</p>
          <button className="button button-quiet" type="button" onClick={() => void listings.refetch()}>
            Try again
          </button>
        </div>
      ) : items.length === 0 ? (
        filtered ? (
          <div className="empty-state">
            <p>No homes match these filters.</p>
            <Link to="/listings" search={{ sort: search.sort }}>
              Clear filters
            </Link>
          </div>
        ) : (
          <div className="empty-state empty-state-action">
            <p>
              No active listings yet. The listing agent checks the builder's site every 30 minutes; run it now
              to fetch the current homes, or add a listing by hand.
            </p>
            <RunIngestionButton primary />
          </div>
        )
      ) : (
        <>
          <p className="listing-count">
            Showing {formatCount(items.length)} {items.length === 1 ? "home" : "homes"}
            {listings.hasNextPage ? " so far" : ""}
          </p>
          <HomesList
            items={items}
            cacheKey={JSON.stringify(listInputOf(search))}
            busy={listings.isPlaceholderData}
            more={listings.hasNextPage}
            // A failed page waits for "Load more" rather than being retried on every scroll.
            canLoadMore={listings.hasNextPage && !listings.isFetching && !listings.isFetchNextPageError}
            loadMore={listings.fetchNextPage}
          />
          {listings.hasNextPage && (
            <div className="load-more">
              <button
                className="button button-quiet"
                type="button"
                disabled={listings.isFetchingNextPage}
                onClick={() => void listings.fetchNextPage()}
              >
                {listings.isFetchingNextPage ? (
                  <>
                    <Spinner /> Loading more…
                  </>
                ) : (
                  "Load more"
                )}
              </button>
            </div>
          )}
          {listings.isFetchNextPageError && (
            <p className="alert alert-error" role="alert">
              Could not load more listings. {errorMessage(listings.error)}
            </p>
          )}
        </>
      )}
    </>
  );
}

// Cards that stay in the window are not rendered again when it moves.
const Card = memo(ListingCardView);

/**
 * The homes: windowed once the list is long, when it also asks for the next page as its end nears. A
 * component of its own, so a scroll that moves the window renders the list alone, not the filters above.
 */
function HomesList({
  items,
  cacheKey,
  busy,
  more,
  canLoadMore,
  loadMore,
}: {
  items: ListingCard[];
  cacheKey: string;
  busy: boolean;
  more: boolean;
  canLoadMore: boolean;
  loadMore: () => Promise<unknown>;
}) {
  const rows = useWindowedList({
    count: items.length,
    estimate: ROW_ESTIMATE,
    windowAbove: WINDOW_ABOVE,
    cacheKey,
  });
  const nearEnd = rows.windowed && rows.end >= items.length - PREFETCH_AHEAD;
  useEffect(() => {
    if (nearEnd && canLoadMore) void loadMore();
  }, [nearEnd, canLoadMore, loadMore]);

  return (
    <ul
      className="listing-grid"
      aria-label="Homes"
      aria-busy={busy || undefined}
      ref={rows.listRef}
      tabIndex={-1}
      style={{ outline: "none", ...rows.style }}
    >
      {items.slice(rows.start, rows.end).map((listing, offset) => {
        const index = rows.start + offset;
        return (
          <li
            key={listing.id}
            ref={rows.measureRef}
            data-index={index}
            // Only some cards are in the DOM: say where this one sits ("-1": more pages to come).
            aria-setsize={more ? -1 : items.length}
            aria-posinset={index + 1}
          >
            <Card listing={listing} eager={index < 3} />
          </li>
        );
      })}
    </ul>
  );
}
