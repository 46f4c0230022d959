import { useQuery, useSuspenseQuery } from "@tanstack/react-query";
import { createFileRoute, Link, redirect, useNavigate } from "@tanstack/react-router";
import { OPEN_PIECES_LIMIT } from "db/rules";
import { type ChangeEvent, memo, useId } from "react";
import { EmptyState, PageHeader } from "../components/PageHeader";
import { Spinner } from "../components/Spinner";
import {
  type ApprovalsSearch,
  CONTENT_KINDS,
  isDrafting,
  KIND_LABELS,
  OPEN_STATUSES,
  type OpenPiece,
  POST_TYPE_LABELS,
  parsePieceParam,
  STATUS_LABELS,
} from "../lib/content";
import { formatPrice, formatRelative } from "../lib/format";
import { useNow } from "../lib/useNow";
import { useWindowedList } from "../lib/useWindowedList";
import { trpc } from "../trpc";
import { ComplianceCount, ContentStatusBadge, KindIcon, WriterBadge } from "./-components/ContentBadges";
import { pollWhileDrafting } from "./-components/contentQueries";
import { ListingPhoto } from "./-components/ListingPhoto";

export const Route = createFileRoute("/_app/approvals/")({
  // Notifications link to `/approvals?piece=<id>`.
  validateSearch: parsePieceParam,
  beforeLoad: ({ search }) => {
    if (search.piece) {
      throw redirect({
        to: "/approvals/$pieceId",
        params: { pieceId: search.piece },
        search: { kind: search.kind, listing: search.listing, status: search.status },
        replace: true,
      });
    }
  },
  loaderDeps: ({ search }) => ({ kind: search.kind, listing: search.listing, status: search.status }),
  loader: async ({ context, deps }) => {
    // Every open piece, for the listing filter's choices; the same entry as the list when nothing is filtered.
    void context.queryClient.prefetchQuery(openPiecesQueryOptions({}));
    await context.queryClient.ensureQueryData(openPiecesQueryOptions(inputOf(deps)));
  },
  component: ApprovalsPage,
});

function inputOf(search: ApprovalsSearch) {
  return { kind: search.kind, listingId: search.listing, status: search.status };
}

/** One cache entry per filter set, shared by the loader and the page. */
function openPiecesQueryOptions(input: ReturnType<typeof inputOf> | Record<string, never>) {
  return trpc.content.pendingApprovals.queryOptions(input, { refetchInterval: pollWhileDrafting });
}

type Group = { listing: OpenPiece["listing"]; pieces: OpenPiece[] };

// Longer lists keep only the listings near the viewport in the DOM.
const WINDOW_ABOVE = 20;
// A listing's header and one row of draft cards, with the gap between listings.
const GROUP_ESTIMATE = 360;
// The groups were a plain <div>; as a list they keep its look. Focused only as a stand-in for a group that
// scrolled out of the DOM (useWindowedList).
const GROUP_LIST_STYLE = { margin: 0, padding: 0, listStyle: "none", outline: "none" } as const;

/** Pieces by listing, in the order their most recently updated piece appears. */
function groupByListing(pieces: OpenPiece[]): Group[] {
  const groups = new Map<string, Group>();
  for (const piece of pieces) {
    const group = groups.get(piece.listing.id) ?? { listing: piece.listing, pieces: [] };
    group.pieces.push(piece);
    groups.set(piece.listing.id, group);
  }
  return [...groups.values()];
}

function ApprovalsPage() {
  const search = Route.useSearch();
  const { data: pieces } = useSuspenseQuery(openPiecesQueryOptions(inputOf(search)));
  const filtered = search.kind !== undefined || search.listing !== undefined || search.status !== undefined;
  const groups = groupByListing(pieces);
  const waiting = pieces.filter((piece) => piece.status === "pending_approval").length;
  const drafting = pieces.filter((piece) => isDrafting(piece.status)).length;

  return (
    <>
      <PageHeader
        documentTitle="Approvals"
        title="Approvals"
        description="Drafts from the content agent. Approve, edit, ask for revisions or send them to your marketing department."
      />
      <ApprovalFilters search={search} pieces={pieces} />
      {pieces.length === 0 ? (
        filtered ? (
          <div className="empty-state">
            <p>No drafts match these filters.</p>
            <Link to="/approvals" search={{}}>
              Clear filters
            </Link>
          </div>
        ) : (
          <EmptyState>
            Nothing waiting for approval. Drafted posts will appear here for you to review.
          </EmptyState>
        )
      ) : (
        <>
          <p className="listing-count" role="status">
            {pieces.length} {pieces.length === 1 ? "draft" : "drafts"} · {waiting} waiting for approval
            {drafting > 0 && ` · ${drafting} being drafted`}
          </p>
          {pieces.length >= OPEN_PIECES_LIMIT && (
            <p className="muted">
              These are the {OPEN_PIECES_LIMIT} most recently updated drafts. Choose a listing, kind or status
              above to see others.
            </p>
          )}
          <GroupList groups={groups} cacheKey={JSON.stringify(inputOf(search))} />
        </>
      )}
    </>
  );
}

function ApprovalFilters({ search, pieces }: { search: ApprovalsSearch; pieces: OpenPiece[] }) {
  const navigate = useNavigate({ from: "/approvals/" });
  const all = useQuery(openPiecesQueryOptions({}));
  const ids = useId();
  const listings = new Map<string, string>();
  for (const piece of [...(all.data ?? []), ...pieces])
    listings.set(piece.listing.id, piece.listing.addressLine);
  // A listing from a link (the listing page's "See drafts") stays chosen even with no open drafts.
  if (search.listing && !listings.has(search.listing)) listings.set(search.listing, "Selected listing");
  const options = [...listings].sort((a, b) => a[1].localeCompare(b[1]));

  function apply(patch: Partial<ApprovalsSearch>) {
    void navigate({ search: (current) => ({ ...current, ...patch }) });
  }
  const selected = (event: ChangeEvent<HTMLSelectElement>) => event.target.value || undefined;

  return (
    <search className="filters" aria-label="Filter drafts">
      <div className="filter">
        <label className="filter-label" htmlFor={`${ids}-kind`}>
          Kind
        </label>
        <select
          id={`${ids}-kind`}
          className="input select"
          value={search.kind ?? ""}
          onChange={(event) => apply({ kind: selected(event) as ApprovalsSearch["kind"] })}
        >
          <option value="">All kinds</option>
          {CONTENT_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {KIND_LABELS[kind]}
            </option>
          ))}
        </select>
      </div>
      <div className="filter filter-wide">
        <label className="filter-label" htmlFor={`${ids}-listing`}>
          Listing
        </label>
        <select
          id={`${ids}-listing`}
          className="input select"
          value={search.listing ?? ""}
          onChange={(event) => apply({ listing: selected(event) })}
        >
          <option value="">All listings</option>
          {options.map(([id, address]) => (
            <option key={id} value={id}>
              {address}
            </option>
          ))}
        </select>
      </div>
      <div className="filter">
        <label className="filter-label" htmlFor={`${ids}-status`}>
          Status
        </label>
        <select
          id={`${ids}-status`}
          className="input select"
          value={search.status ?? ""}
          onChange={(event) => apply({ status: selected(event) as ApprovalsSearch["status"] })}
        >
          <option value="">All open</option>
          {OPEN_STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABELS[status].replace("…", "")}
            </option>
          ))}
        </select>
      </div>
      {(search.kind || search.listing || search.status) && (
        <Link className="filters-clear" to="/approvals" search={{}}>
          Clear filters
        </Link>
      )}
    </search>
  );
}

/** The listings with drafts; windowed once there are many. Its own component, so a scroll that moves the
 * window renders the list alone, not the filters above it. */
function GroupList({ groups, cacheKey }: { groups: Group[]; cacheKey: string }) {
  const visible = useWindowedList({
    count: groups.length,
    estimate: GROUP_ESTIMATE,
    windowAbove: WINDOW_ABOVE,
    cacheKey,
  });
  return (
    <ul
      className="approval-groups"
      aria-label="Drafts by listing"
      ref={visible.listRef}
      tabIndex={-1}
      style={{ ...GROUP_LIST_STYLE, ...visible.style }}
    >
      {groups.slice(visible.start, visible.end).map((group, offset) => (
        <li
          key={group.listing.id}
          ref={visible.measureRef}
          data-index={visible.start + offset}
          // Only some listings are in the DOM: say where this one sits.
          aria-setsize={groups.length}
          aria-posinset={visible.start + offset + 1}
        >
          <ListingGroup group={group} />
        </li>
      ))}
    </ul>
  );
}

// Groups are rebuilt on every poll, but a group's pieces are the query's own objects: compared one by one.
const ListingGroup = memo(ListingGroupView, (a, b) => {
  const [x, y] = [a.group.pieces, b.group.pieces];
  return x.length === y.length && x.every((piece, i) => piece === y[i]);
});

function ListingGroupView({ group }: { group: Group }) {
  const titleId = useId();
  const { listing } = group;
  return (
    <section className="approval-group" aria-labelledby={titleId}>
      <header className="approval-group-header">
        <ListingPhoto className="approval-group-photo" url={listing.imageUrl} alt="" />
        <div className="approval-group-heading">
          <h2 className="approval-group-title" id={titleId}>
            {listing.addressLine}
          </h2>
          <p className="approval-group-meta">
            {[listing.city, listing.community].filter(Boolean).join(" · ")} ·{" "}
            {formatPrice(listing.priceCents)}
          </p>
        </div>
        <Link
          className="approval-group-link"
          to="/listings/$listingId"
          params={{ listingId: listing.id }}
          search={{}}
        >
          View listing<span className="visually-hidden"> {listing.addressLine}</span>
        </Link>
      </header>
      <ul className="piece-grid" aria-label={`Drafts for ${listing.addressLine}`}>
        {group.pieces.map((piece) => (
          <li key={piece.id}>
            <PieceCard piece={piece} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function snippet(text: string, limit = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > limit ? `${flat.slice(0, limit).trimEnd()}…` : flat;
}

function PieceCard({ piece }: { piece: OpenPiece }) {
  const now = useNow();
  const drafting = isDrafting(piece.status);
  return (
    <article className={`piece-card piece-card-${piece.kind}`}>
      <div className="piece-card-head">
        <KindIcon kind={piece.kind} />
        <h3 className="piece-card-title">
          {/* Stretched over the whole card by CSS. */}
          <Link
            className="piece-card-link"
            to="/approvals/$pieceId"
            params={{ pieceId: piece.id }}
            search={true}
          >
            {KIND_LABELS[piece.kind]}
          </Link>
        </h3>
      </div>
      <div className="piece-card-badges">
        <ContentStatusBadge status={piece.status} />
        <WriterBadge piece={piece} />
        <ComplianceCount count={piece.complianceFlags.length} />
      </div>
      <p className="piece-card-meta">
        {POST_TYPE_LABELS[piece.postType]} · v{piece.version} · updated{" "}
        <time dateTime={new Date(piece.updatedAt).toISOString()}>{formatRelative(piece.updatedAt, now)}</time>
      </p>
      {drafting ? (
        <p className="piece-card-snippet muted">
          <Spinner />{" "}
          {piece.status === "revision_requested"
            ? "A new version is being written with your feedback."
            : "The content agent is writing this draft."}
        </p>
      ) : piece.status === "failed" ? (
        <p className="piece-card-error">{piece.error ?? "Drafting failed."} Open it to try again.</p>
      ) : (
        <p className="piece-card-snippet">{snippet(piece.body)}</p>
      )}
    </article>
  );
}
