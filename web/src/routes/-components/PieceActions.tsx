import { useNavigate } from "@tanstack/react-router";
import { type ContentAction, isActionAllowed as isAllowed } from "db/rules";
import { lazy, Suspense, useEffect, useId, useState } from "react";
import { FormAlert } from "../../components/Field";
import { Spinner } from "../../components/Spinner";
import type { PieceDetail } from "../../lib/content";
import { useContentAction } from "./contentActions";
import type { Action } from "./PieceActionForms";

type Panel = "approve" | "reject" | "revise" | "marketing" | "response";

// The forms load with React.lazy, fetched as soon as the page is up so they are there when a button is
// pressed; the page's first load is the buttons only.
const loadForms = () => import("./PieceActionForms");
const ApproveForm = lazy(() => loadForms().then((forms) => ({ default: forms.ApproveForm })));
const RejectForm = lazy(() => loadForms().then((forms) => ({ default: forms.RejectForm })));
const RevisionForm = lazy(() => loadForms().then((forms) => ({ default: forms.RevisionForm })));
const MarketingForm = lazy(() => loadForms().then((forms) => ({ default: forms.MarketingForm })));
const ResponseForm = lazy(() => loadForms().then((forms) => ({ default: forms.ResponseForm })));
const SchedulePostDialog = lazy(() => loadForms().then((forms) => ({ default: forms.SchedulePostDialog })));

/**
 * The decisions Chris can take on a draft. Each opens a small form under the buttons; actions the piece's
 * status does not allow stay visible but disabled.
 */
export function PieceActions({
  piece,
  timeZone,
  marketingEmail,
  editing,
  onEdit,
}: {
  piece: PieceDetail;
  timeZone: string;
  marketingEmail: string | null;
  /** The text is open for editing: decide after saving or cancelling it. */
  editing: boolean;
  onEdit: () => void;
}) {
  const [open, setOpen] = useState<Panel | null>(null);
  const [scheduling, setScheduling] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const action = useContentAction(piece.kind);
  const panelId = useId();
  const status = piece.status;
  const busy = action.isPending || editing;
  useEffect(() => {
    // A failure shows when a form is opened: the lazy component throws it to the error boundary.
    loadForms().catch(() => undefined);
  }, []);

  function finish(message: string) {
    setOpen(null);
    setDone(message);
  }

  function button(panel: Panel, allowedFor: ContentAction, label: string, tone = "button-quiet") {
    const allowed = isAllowed(allowedFor, status);
    return (
      <button
        className={`button ${tone}${allowed ? "" : " button-unavailable"}`}
        type="button"
        disabled={!allowed || busy}
        aria-expanded={allowed ? open === panel : undefined}
        aria-controls={open === panel ? panelId : undefined}
        onClick={() => {
          setDone(null);
          setOpen((current) => (current === panel ? null : panel));
        }}
      >
        {label}
      </button>
    );
  }

  const closed =
    !isAllowed("edit", status) && !Object.values(PANEL_ACTIONS).some((allowed) => isAllowed(allowed, status));

  return (
    <div className="piece-actions">
      <div className="piece-action-buttons">
        {isAllowed("retry", status) && (
          <RetryButton piece={piece} action={action} disabled={busy} onError={setFailure} />
        )}
        {button(
          "approve",
          "approve_and_post",
          piece.kind === "flyer_text" ? "Approve for print" : "Approve & post now",
          "button-primary",
        )}
        {piece.kind !== "flyer_text" && (
          <button
            className={`button button-quiet${isAllowed("approve_and_post", status) ? "" : " button-unavailable"}`}
            type="button"
            disabled={!isAllowed("approve_and_post", status) || busy}
            aria-haspopup="dialog"
            onClick={() => {
              setOpen(null);
              setDone(null);
              setScheduling(true);
            }}
          >
            Schedule…
          </button>
        )}
        <button
          className={`button button-quiet${isAllowed("edit", status) ? "" : " button-unavailable"}`}
          type="button"
          disabled={!isAllowed("edit", status) || busy}
          onClick={() => {
            setOpen(null);
            setDone(null);
            onEdit();
          }}
        >
          Edit text
        </button>
        {button("revise", "request_revisions", "Request revisions")}
        {button("marketing", "send_to_marketing", "Send to marketing")}
        {status === "sent_to_marketing" &&
          button("response", "record_marketing_response", "Record marketing response")}
        {button("reject", "reject_discard", "Reject", "button-danger")}
      </div>
      {scheduling && (
        <Suspense fallback={null}>
          <SchedulePostDialog
            piece={piece}
            timeZone={timeZone}
            action={action}
            onDone={(message) => {
              setScheduling(false);
              finish(message);
            }}
            onClose={() => setScheduling(false)}
          />
        </Suspense>
      )}
      {editing && <p className="field-hint">Save or cancel your edit first.</p>}
      {closed && !done && (
        <p className="field-hint">{CLOSED_HINTS[status] ?? "Nothing to decide on this draft."}</p>
      )}
      <FormAlert message={failure} />
      <p className="form-status" role="status">
        {done}
      </p>
      {open && (
        <div className="action-panel" id={panelId}>
          <Suspense fallback={<Spinner />}>
            {open === "approve" && (
              <ApproveForm piece={piece} action={action} onDone={finish} onCancel={() => setOpen(null)} />
            )}
            {open === "reject" && (
              <RejectForm piece={piece} action={action} onDone={finish} onCancel={() => setOpen(null)} />
            )}
            {open === "revise" && (
              <RevisionForm piece={piece} action={action} onCancel={() => setOpen(null)} />
            )}
            {open === "marketing" && (
              <MarketingForm
                piece={piece}
                marketingEmail={marketingEmail}
                action={action}
                onDone={finish}
                onCancel={() => setOpen(null)}
              />
            )}
            {open === "response" && (
              <ResponseForm piece={piece} action={action} onDone={finish} onCancel={() => setOpen(null)} />
            )}
          </Suspense>
        </div>
      )}
    </div>
  );
}

const PANEL_ACTIONS: Record<Panel, ContentAction> = {
  approve: "approve_and_post",
  reject: "reject_discard",
  revise: "request_revisions",
  marketing: "send_to_marketing",
  response: "record_marketing_response",
};

const CLOSED_HINTS: Partial<Record<PieceDetail["status"], string>> = {
  generating: "The content agent is drafting this piece. You can act on it once it is ready.",
  revision_requested: "A new version is being drafted with your feedback.",
  approved: "Approved. Nothing left to decide on this draft.",
  scheduled: "Scheduled. Move or cancel it on the calendar.",
  posting: "Being posted now.",
  posted: "Posted.",
  post_failed: "Posting failed. Try it again from the calendar.",
  unconfirmed: "Posting could not be confirmed. Check your Page, then try again from the calendar.",
  rejected: "Rejected. This draft will not be used.",
  superseded: "A newer version replaced this one.",
};

/** "Try again" on a failed draft: a new version is drafted in its place, and opened. */
function RetryButton({
  piece,
  action,
  disabled,
  onError,
}: {
  piece: PieceDetail;
  action: Action;
  disabled: boolean;
  onError: (message: string) => void;
}) {
  const navigate = useNavigate();
  return (
    <button
      className="button button-primary"
      type="button"
      disabled={disabled}
      onClick={async () => {
        try {
          const result = await action.mutateAsync({ id: piece.id, action: "retry" });
          if ("pieceId" in result) {
            await navigate({ to: "/approvals/$pieceId", params: { pieceId: result.pieceId }, search: true });
          }
        } catch (error) {
          onError(error instanceof Error ? error.message : "Could not try again. Reload and retry.");
        }
      }}
    >
      {action.isPending ? "Starting…" : "Try again"}
    </button>
  );
}
