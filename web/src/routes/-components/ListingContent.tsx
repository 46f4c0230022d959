import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { lazy, Suspense, useEffect, useId, useState } from "react";
import { KIND_LABELS, POST_TYPE_LABELS } from "../../lib/content";
import type { ListingDetail } from "../../lib/listings";
import { trpc } from "../../trpc";
import { ContentStatusBadge } from "./ContentBadges";
import { pollWhileDrafting } from "./contentQueries";

// The request form, and zod, which checks it as `content.createForListing` will, load with React.lazy:
// fetched once the page is up, so it is there when the button is pressed.
const loadRequestForm = () => import("./ContentRequestForm");
const ContentRequestForm = lazy(loadRequestForm);

/** "Initiate content creation": asks the content agent for drafts, then follows them as they are written. */
export function ListingContent({ listing }: { listing: ListingDetail }) {
  const formId = useId();
  const [open, setOpen] = useState(false);
  // Once opened, the form stays mounted (rendering nothing while closed) so it keeps what was chosen.
  const [opened, setOpened] = useState(false);
  const [requested, setRequested] = useState<number | null>(null);
  const pieces = useQuery(
    trpc.content.pendingApprovals.queryOptions(
      { listingId: listing.id },
      { refetchInterval: pollWhileDrafting },
    ),
  );
  useEffect(() => {
    // A failure shows when the form is opened: the lazy component throws it to the error boundary.
    loadRequestForm().catch(() => undefined);
  }, []);
  const drafts = pieces.data ?? [];

  return (
    <>
      <button
        className="button button-primary button-block"
        type="button"
        aria-expanded={open}
        aria-controls={open ? formId : undefined}
        onClick={() => {
          setRequested(null);
          setOpened(true);
          setOpen((value) => !value);
        }}
      >
        Initiate content creation
      </button>
      {opened && (
        <Suspense fallback={null}>
          <ContentRequestForm
            listing={listing}
            formId={formId}
            open={open}
            onRequested={(count) => {
              setRequested(count);
              setOpen(false);
            }}
            onCancel={() => setOpen(false)}
          />
        </Suspense>
      )}
      <p className="form-status content-requested" role="status">
        {requested !== null &&
          `The content agent is drafting ${requested === 1 ? "1 piece" : `${requested} pieces`}. They appear on Approvals in a few seconds.`}
      </p>
      {(requested !== null || drafts.length > 0) && (
        <Link className="see-drafts" to="/approvals" search={{ listing: listing.id }}>
          See drafts
        </Link>
      )}
      {drafts.length > 0 && (
        <ul className="content-statuses" aria-label="Open drafts for this listing">
          {drafts.map((piece) => (
            <li key={piece.id}>
              <div>
                <Link to="/approvals/$pieceId" params={{ pieceId: piece.id }} search={{}}>
                  {KIND_LABELS[piece.kind]}
                </Link>
                <p className="content-statuses-type">
                  {POST_TYPE_LABELS[piece.postType]} · v{piece.version}
                </p>
              </div>
              <ContentStatusBadge status={piece.status} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
