import { Spinner } from "../../components/Spinner";
import {
  type ContentKind,
  type ContentStatus,
  isDrafting,
  type PieceDetail,
  STATUS_LABELS,
  writerLabel,
} from "../../lib/content";

const STATUS_TONES: Record<ContentStatus, string> = {
  generating: "busy",
  revision_requested: "busy",
  posting: "busy",
  pending_approval: "waiting",
  sent_to_marketing: "marketing",
  approved: "done",
  scheduled: "done",
  posted: "done",
  post_failed: "failed",
  unconfirmed: "failed",
  rejected: "ended",
  superseded: "ended",
  failed: "failed",
};

export function ContentStatusBadge({ status }: { status: ContentStatus }) {
  return (
    <span className={`badge content-status content-status-${STATUS_TONES[status]}`}>
      {isDrafting(status) && <Spinner />}
      {STATUS_LABELS[status]}
    </span>
  );
}

export function WriterBadge({ piece }: { piece: Pick<PieceDetail, "generator" | "model"> }) {
  const label = writerLabel(piece);
  if (!label) return null;
  return (
    <span className={`badge writer-badge${piece.generator === "manual" ? " writer-manual" : ""}`}>
      {label}
    </span>
  );
}

export function ComplianceCount({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <span className="compliance-count">
      <span aria-hidden="true">⚠</span> {count} compliance {count === 1 ? "warning" : "warnings"}
    </span>
  );
}

// 24px line icons like the navigation's.
const KIND_PATHS: Record<ContentKind, string> = {
  facebook_post:
    "M5 3h14a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm8.5 18v-7h-2v-2.5h2V9.8c0-2 1.2-3.1 3-3.1h1.5v2.4h-1.2c-.8 0-.9.4-.9 1v1.4h2.1l-.3 2.5h-1.8v7",
  instagram_caption:
    "M7 3h10a4 4 0 0 1 4 4v10a4 4 0 0 1-4 4H7a4 4 0 0 1-4-4V7a4 4 0 0 1 4-4zm5 5.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7zM17.3 6.7h.01",
  flyer_text: "M6 3h9l4 4v14H6zM14.5 3v4.5H19M9 11h7M9 14h7M9 17h4",
};

export function KindIcon({ kind }: { kind: ContentKind }) {
  return (
    <svg className={`kind-icon kind-icon-${kind}`} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={KIND_PATHS[kind]} />
    </svg>
  );
}
