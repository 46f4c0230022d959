import { useQuery, useSuspenseQuery } from "@tanstack/react-query";
import { createFileRoute, Link, notFound } from "@tanstack/react-router";
import { lazy, Suspense, useEffect, useState } from "react";
import { PageHeader } from "../components/PageHeader";
import { Spinner } from "../components/Spinner";
import { useMe } from "../lib/auth";
import { isDrafting, KIND_LABELS, type PieceDetail, POST_TYPE_LABELS } from "../lib/content";
import { errorCode } from "../lib/errors";
import { usePageTitle } from "../lib/title";
import { type Agent, trpc } from "../trpc";
import { ComplianceWarnings } from "./-components/ComplianceWarnings";
import { ContentStatusBadge, KindIcon, WriterBadge } from "./-components/ContentBadges";
import { ContentPreview } from "./-components/ContentPreview";
import { pollWhileSettling } from "./-components/contentQueries";
import { FlyerImage } from "./-components/FlyerImage";
import { FlyerNotice } from "./-components/FlyerNotice";
import { PieceActions } from "./-components/PieceActions";
import { EventTimeline, MarketingRequests, PostStatus, VersionList } from "./-components/PieceHistory";
import { PiecePostMetrics } from "./-components/PostMetrics";

// Loaded when "Edit text" is pressed (and fetched once the page is up, so it is there by then).
const loadEditForm = () => import("./-components/PieceEditForm");
const PieceEditForm = lazy(loadEditForm);

const pieceQueryOptions = (id: string) =>
  trpc.content.get.queryOptions({ id }, { refetchInterval: pollWhileSettling });

export const Route = createFileRoute("/_app/approvals/$pieceId")({
  loader: async ({ context, params }) => {
    try {
      await context.queryClient.ensureQueryData(pieceQueryOptions(params.pieceId));
    } catch (error) {
      // Someone else's draft, or one that never existed: both are simply not here.
      if (errorCode(error) === "NOT_FOUND" || errorCode(error) === "BAD_REQUEST") throw notFound();
      throw error;
    }
  },
  component: PieceDetailPage,
  notFoundComponent: PieceNotFound,
});

function BackLink() {
  return (
    <Link className="back-link" to="/approvals" search={true}>
      <span aria-hidden="true">←</span> All drafts
    </Link>
  );
}

function PieceDetailPage() {
  const { pieceId } = Route.useParams();
  const { data: piece } = useSuspenseQuery(pieceQueryOptions(pieceId));
  const me = useMe();
  // Keyed by id, so editing and open forms start fresh on another version.
  return <PieceView key={piece.id} piece={piece} me={me} />;
}

function PieceView({ piece, me }: { piece: PieceDetail; me: Agent }) {
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    // A failure shows when the form is opened: the lazy component throws it to the error boundary.
    loadEditForm().catch(() => undefined);
  }, []);
  // The brand kit dresses the preview as the post will look (the Page picture, its colour).
  const brand = useQuery(trpc.agent.getBrand.queryOptions());
  const kind = KIND_LABELS[piece.kind];
  const address = piece.listing?.addressLine ?? "a listing";
  const drafting = isDrafting(piece.status);
  const showText = !drafting && piece.body !== "";

  return (
    <>
      <BackLink />
      <PageHeader
        documentTitle={`${kind} · ${address}`}
        title={
          <span className="piece-title">
            <KindIcon kind={piece.kind} /> {kind}
          </span>
        }
        description={`${address}${piece.listing?.city ? `, ${piece.listing.city}` : ""} · ${POST_TYPE_LABELS[piece.postType]} · Version ${piece.version}`}
        actions={
          piece.listing && (
            <Link
              className="button button-quiet"
              to="/listings/$listingId"
              params={{ listingId: piece.listing.id }}
              search={{}}
            >
              View listing
            </Link>
          )
        }
      />
      <div className="piece-layout">
        <div className="piece-main">
          <StatusNotice piece={piece} />
          <RepairNotes repairs={piece.repairs} />
          {showText && (
            <ComplianceWarnings
              flags={piece.complianceFlags}
              acknowledgedAt={piece.complianceAcknowledgedAt}
              timeZone={me.timezone}
              brokerageName={me.brokerageName}
            />
          )}
          {showText && piece.kind === "flyer_text" && <FlyerNotice pieceId={piece.id} />}
          <section className="card piece-preview-card" aria-labelledby="preview-title">
            <div className="card-head">
              <h2 className="card-title" id="preview-title">
                {editing ? "Edit text" : "Preview"}
              </h2>
              <div className="detail-badges">
                <ContentStatusBadge status={piece.status} />
                <WriterBadge piece={piece} />
              </div>
            </div>
            {drafting ? (
              <div className="drafting-placeholder" role="status">
                <Spinner /> Drafting…
              </div>
            ) : editing ? (
              <Suspense fallback={<Spinner />}>
                <PieceEditForm piece={piece} onCancel={() => setEditing(false)} />
              </Suspense>
            ) : showText ? (
              <ContentPreview
                kind={piece.kind}
                body={piece.body}
                structured={piece.structured}
                listing={{
                  addressLine: piece.listing?.addressLine ?? "",
                  city: piece.listing?.city ?? "",
                  priceCents: piece.listing?.priceCents ?? null,
                  photoUrl: piece.listing?.imageUrls[0] ?? null,
                }}
                agent={{
                  name: me.name,
                  brokerageName: me.brokerageName,
                  phone: me.phone,
                  pictureUrl: brand.data?.logo?.url ?? brand.data?.headshot?.url ?? null,
                  color: brand.data?.primaryColor ?? null,
                }}
              />
            ) : (
              <p className="muted">This draft has no text.</p>
            )}
          </section>
          {showText && <FlyerImage piece={piece} />}
        </div>
        <div className="piece-side">
          <section className="card detail-section" aria-labelledby="decision-title">
            <h2 className="card-title" id="decision-title">
              Your decision
            </h2>
            <PieceActions
              piece={piece}
              timeZone={me.timezone}
              marketingEmail={me.marketingEmail}
              editing={editing}
              onEdit={() => setEditing(true)}
            />
            <PostStatus piece={piece} timeZone={me.timezone} />
            <PiecePostMetrics posts={piece.posts} timeZone={me.timezone} />
          </section>
          {piece.marketing.length > 0 && (
            <section className="card detail-section" aria-labelledby="marketing-title">
              <h2 className="card-title" id="marketing-title">
                Marketing department
              </h2>
              <MarketingRequests piece={piece} timeZone={me.timezone} />
            </section>
          )}
          <section className="card detail-section" aria-labelledby="versions-title">
            <h2 className="card-title" id="versions-title">
              Versions
            </h2>
            <VersionList piece={piece} timeZone={me.timezone} />
          </section>
          <section className="card detail-section" aria-labelledby="history-title">
            <h2 className="card-title" id="history-title">
              History
            </h2>
            <EventTimeline piece={piece} timeZone={me.timezone} />
          </section>
        </div>
      </div>
    </>
  );
}

function NewestVersionLink({ piece }: { piece: PieceDetail }) {
  const newest = piece.versions.at(-1);
  if (!newest || newest.id === piece.id) return null;
  return (
    <Link to="/approvals/$pieceId" params={{ pieceId: newest.id }} search={true}>
      Open version {newest.version}
    </Link>
  );
}

/** What is going on with a draft that is not simply waiting for a decision. */
function StatusNotice({ piece }: { piece: PieceDetail }) {
  switch (piece.status) {
    case "generating":
      return (
        <p className="alert alert-info">
          The content agent is writing this {KIND_LABELS[piece.kind].toLowerCase()}
          {piece.version > 1 && piece.feedback ? " with your feedback" : ""}. It appears here in a few
          seconds.
        </p>
      );
    case "revision_requested":
      return (
        <p className="alert alert-info">
          A new version is being written with your feedback. <NewestVersionLink piece={piece} />
        </p>
      );
    case "superseded":
      return (
        <p className="alert alert-info">
          A newer version replaced this one. <NewestVersionLink piece={piece} />
        </p>
      );
    case "failed":
      return (
        <div className="alert alert-error alert-stack" role="alert">
          <p>
            <strong>Drafting failed.</strong> {piece.error ?? "The content agent could not write this draft."}
          </p>
          <p>Try again to draft a new version, or reject it to clear it from your list.</p>
          {piece.errorDetail && (
            <details className="failure-details">
              <summary>Technical details</summary>
              <p className="failure-detail-text">{piece.errorDetail}</p>
            </details>
          )}
        </div>
      );
    default:
      return null;
  }
}

/** What the writer fixed in the model's draft before it could be used: worth knowing, not a problem. */
function RepairNotes({ repairs }: { repairs: string[] }) {
  if (repairs.length === 0) return null;
  return (
    <div className="alert alert-info alert-stack">
      <p>
        <strong>{repairs.length === 1 ? "One fix" : `${repairs.length} fixes`} to the writer's draft.</strong>{" "}
        Check that the text still reads well.
      </p>
      <ul className="repair-notes">
        {repairs.map((repair, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the notes of one version never reorder
          <li key={i}>{repair}</li>
        ))}
      </ul>
    </div>
  );
}

function PieceNotFound() {
  usePageTitle("Draft not found");
  return (
    <div className="status-page">
      <h1>Draft not found</h1>
      <p>This draft does not exist or is not one of yours.</p>
      <BackLink />
    </div>
  );
}
