import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import {
  type ContentStatus,
  type PieceDetail,
  RESPONSE_LABELS,
  STATUS_LABELS,
  writerLabel,
} from "../../lib/content";
import { formatDateTime } from "../../lib/format";
import { accountUrl, PLATFORM_LABELS, POST_STATUS_LABELS, utcToZoned, viewOn } from "../../lib/posts";
import { trpc } from "../../trpc";
import { ContentStatusBadge } from "./ContentBadges";

type Version = PieceDetail["versions"][number];
type ContentEvent = PieceDetail["events"][number];

function versionWhy(version: Version): string {
  if (version.generator === "manual") return "Edited by you";
  const writer = writerLabel({ generator: version.generator, model: null }) ?? "Content agent";
  if (version.version === 1) return `First draft · ${writer}`;
  return `Rewritten · ${writer}`;
}

/** v1, v2 … of the piece: who wrote each and, for a rewrite, the feedback it was written from. */
export function VersionList({ piece, timeZone }: { piece: PieceDetail; timeZone: string }) {
  return (
    <ol className="version-list">
      {piece.versions.map((version) => {
        const current = version.id === piece.id;
        return (
          <li className={current ? "version version-current" : "version"} key={version.id}>
            <div className="version-head">
              {current ? (
                <span className="version-name" aria-current="page">
                  Version {version.version}
                </span>
              ) : (
                <Link
                  className="version-name"
                  to="/approvals/$pieceId"
                  params={{ pieceId: version.id }}
                  search={true}
                >
                  Version {version.version}
                </Link>
              )}
              <ContentStatusBadge status={version.status} />
            </div>
            <p className="version-meta">
              {versionWhy(version)} ·{" "}
              <time dateTime={new Date(version.createdAt).toISOString()}>
                {formatDateTime(version.createdAt, timeZone)}
              </time>
            </p>
            {version.version > 1 && version.generator !== "manual" && version.feedback && (
              <p className="version-feedback">
                Your feedback: <q>{version.feedback}</q>
              </p>
            )}
          </li>
        );
      })}
    </ol>
  );
}

const ACTION_LABELS: Record<string, string> = {
  drafted: "Drafted",
  generation_failed: "Drafting failed",
  edited: "Edited",
  approve_and_post: "Approved",
  reject_discard: "Rejected",
  request_revisions: "Revisions requested",
  send_to_marketing: "Sent to marketing",
  record_marketing_response: "Marketing answered",
  superseded: "Replaced",
  retry: "Tried again",
  revision_lost: "Revision stopped",
};

const ACTOR_LABELS: Record<ContentEvent["actor"], string> = {
  agent: "You",
  system: "Content agent",
  marketing: "Marketing department",
};

const statusLabel = (status: string | null) =>
  status ? (STATUS_LABELS[status as ContentStatus] ?? status).replace("…", "") : null;

const humanize = (action: string) =>
  action.replaceAll("_", " ").replace(/^./, (first) => first.toUpperCase());

/** Every step of every version, oldest first: who did what, the status change, and the note. */
export function EventTimeline({ piece, timeZone }: { piece: PieceDetail; timeZone: string }) {
  const versionOf = new Map(piece.versions.map((version) => [version.id, version.version]));
  if (piece.events.length === 0) return <p className="muted">Nothing has happened yet.</p>;
  return (
    <ol className="timeline">
      {piece.events.map((event) => {
        const from = statusLabel(event.fromStatus);
        const to = statusLabel(event.toStatus);
        return (
          <li className={`timeline-item timeline-actor-${event.actor}`} key={event.id}>
            <div className="timeline-head">
              <h3 className="timeline-title">{ACTION_LABELS[event.action] ?? humanize(event.action)}</h3>
              <time className="timeline-time" dateTime={new Date(event.createdAt).toISOString()}>
                {formatDateTime(event.createdAt, timeZone)}
              </time>
            </div>
            <p className="timeline-meta">
              {ACTOR_LABELS[event.actor]} · v{versionOf.get(event.contentId) ?? "?"}
              {from && from !== to ? ` · ${from} → ${to}` : to && !from ? ` · ${to}` : ""}
            </p>
            {event.note && <p className="timeline-note">{event.note}</p>}
          </li>
        );
      })}
    </ol>
  );
}

/** The review requests emailed to the marketing department and their answers. */
export function MarketingRequests({ piece, timeZone }: { piece: PieceDetail; timeZone: string }) {
  if (piece.marketing.length === 0) return null;
  return (
    <ul className="marketing-requests">
      {piece.marketing.map((request) => (
        <li key={request.id}>
          <p>
            Sent to {request.recipientEmail} on {formatDateTime(request.createdAt, timeZone)}
          </p>
          {request.response ? (
            <p className="marketing-answer">
              <strong>{RESPONSE_LABELS[request.response]}</strong>
              {request.respondedAt !== null && ` on ${formatDateTime(request.respondedAt, timeZone)}`}
              {request.responseNotes && (
                <>
                  : <q>{request.responseNotes}</q>
                </>
              )}
            </p>
          ) : request.expiresAt <= Date.now() ? (
            <p className="muted">The link expired without an answer.</p>
          ) : (
            <p className="muted">
              Waiting for an answer; the link expires {formatDateTime(request.expiresAt, timeZone)}.
            </p>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Where the approved piece is (being) published: the live post's link, why it failed, or what to check. */
export function PostStatus({ piece, timeZone }: { piece: PieceDetail; timeZone: string }) {
  const accounts = useQuery({ ...trpc.socialAccounts.list.queryOptions(), enabled: piece.posts.length > 0 });
  if (piece.posts.length === 0) return null;
  return (
    <ul className="post-statuses" aria-label="Posts">
      {piece.posts.map((post) => {
        const account = accounts.data?.accounts.find((row) => row.platform === post.platform) ?? null;
        const where = post.platform === "facebook" ? "Facebook Page" : "Instagram profile";
        return (
          <li className={`post-status post-status-${post.status}`} key={post.id}>
            <p>
              <strong>{PLATFORM_LABELS[post.platform]}:</strong>{" "}
              <span className={`post-badge post-badge-${post.status}`}>
                {POST_STATUS_LABELS[post.status]}
              </span>
              {post.status === "scheduled" && ` for ${formatDateTime(post.scheduledAt, timeZone)}`}
              {post.status === "published" &&
                post.postedAt !== null &&
                ` on ${formatDateTime(post.postedAt, timeZone)}`}
            </p>
            {post.status === "published" && post.permalink && (
              <p>
                <a href={post.permalink} target="_blank" rel="noopener noreferrer">
                  {viewOn(post.platform)}
                </a>
              </p>
            )}
            {post.status === "publishing" && post.failureKind && post.lastError && (
              <p className="alert alert-info" role="status">
                <strong>Waiting:</strong> {post.lastError}
              </p>
            )}
            {post.status === "scheduled" && post.warnings.length > 0 && (
              <ul className="alert alert-warning post-warnings" aria-label="Warnings">
                {post.warnings.map((warning) => (
                  <li key={warning.code}>{warning.message}</li>
                ))}
              </ul>
            )}
            {post.status === "failed" && post.lastError && (
              <p className="alert alert-error" role="alert">
                {post.lastError}
              </p>
            )}
            {post.status === "unconfirmed" && (
              <p className="alert alert-warning" role="alert">
                We could not confirm this post went out, so it was not sent again. Check your{" "}
                <a href={accountUrl(post.platform, account)} target="_blank" rel="noopener noreferrer">
                  {where}
                </a>
                , then try again from the calendar if it is not there.
              </p>
            )}
            {(post.status === "scheduled" || post.status === "failed" || post.status === "unconfirmed") && (
              <p>
                <Link to="/calendar" search={{ date: utcToZoned(post.scheduledAt, timeZone).date }}>
                  Open in the calendar
                </Link>
              </p>
            )}
          </li>
        );
      })}
    </ul>
  );
}
