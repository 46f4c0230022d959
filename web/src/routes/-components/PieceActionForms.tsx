import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { contentActionInput } from "worker/schemas/content";
import {
  CheckboxField,
  ChoiceGroupField,
  FormAlert,
  SubmitButton,
  TextAreaField,
} from "../../components/Field";
import { type MarketingResponse, type PieceDetail, RESPONSE_LABELS } from "../../lib/content";
import { fieldErrorsOf } from "../../lib/errors";
import { type Schema, useForm } from "../../lib/form";
import { formatDateTime } from "../../lib/format";
import { trpc } from "../../trpc";
import type { ActionInput, useContentAction } from "./contentActions";
import { ScheduleDialog } from "./ScheduleDialog";

// The small forms under a draft's decision buttons, and the schedule dialog. PieceActions loads this
// module with React.lazy: the forms, and zod with the server's `content.action` schema, come when the page
// is up rather than with it.

type Issue = { path: PropertyKey[]; message: string };
/** The `content.action` mutation the decisions share (its pending state disables the buttons). */
export type Action = ReturnType<typeof useContentAction>;

const PLATFORM_NAMES = { facebook_post: "Facebook", instagram_caption: "Instagram" } as const;

/** A form schema that adds the piece id and action to the form's values and checks them with the server's. */
function actionSchema<V>(
  build: (values: V) => unknown,
  precheck?: (values: V) => Issue[],
): Schema<ActionInput> {
  return {
    safeParse(input) {
      const values = input as V;
      const issues = precheck?.(values) ?? [];
      const parsed = contentActionInput.safeParse(build(values));
      if (parsed.success && issues.length === 0) return { success: true, data: parsed.data };
      const seen = new Set(issues.map((issue) => String(issue.path[0])));
      for (const issue of parsed.success ? [] : parsed.error.issues) {
        if (!seen.has(String(issue.path[0]))) issues.push({ path: [...issue.path], message: issue.message });
      }
      return { success: false, error: { issues } };
    },
  };
}

type FormProps = {
  piece: PieceDetail;
  action: Action;
  onDone: (message: string) => void;
  onCancel: () => void;
};

function CancelButton({ onCancel, disabled }: { onCancel: () => void; disabled: boolean }) {
  return (
    <button className="button button-quiet" type="button" onClick={onCancel} disabled={disabled}>
      Cancel
    </button>
  );
}

export function ApproveForm({ piece, action, onDone, onCancel }: FormProps) {
  const needsAcknowledgement = piece.complianceFlags.length > 0 && piece.complianceAcknowledgedAt === null;
  const platform = piece.kind === "flyer_text" ? null : PLATFORM_NAMES[piece.kind];
  type Values = { acknowledgeCompliance: string };
  const schema = useMemo(
    () =>
      actionSchema<Values>(
        (values) => ({
          id: piece.id,
          action: "approve_and_post",
          acknowledgeCompliance: values.acknowledgeCompliance === "true" || undefined,
        }),
        (values) =>
          needsAcknowledgement && values.acknowledgeCompliance !== "true"
            ? [
                {
                  path: ["acknowledgeCompliance"],
                  message: "Confirm that you have reviewed the compliance warnings",
                },
              ]
            : [],
      ),
    [piece.id, needsAcknowledgement],
  );
  const form = useForm({
    initialValues: { acknowledgeCompliance: "" } as Values,
    schema,
    onSubmit: async (input) => {
      await action.mutateAsync(input);
      onDone(platform ? `Approved. Posting to ${platform} now.` : "Approved for print.");
      return undefined;
    },
  });
  return (
    <form className="form action-form" noValidate onSubmit={form.handleSubmit} aria-label="Approve">
      <FormAlert message={form.formError} />
      {needsAcknowledgement && (
        <CheckboxField label="I have reviewed these warnings" field={form.field("acknowledgeCompliance")} />
      )}
      {platform && <p className="field-hint">It goes out on {platform} as soon as you confirm.</p>}
      <div className="form-actions">
        <SubmitButton pending={form.pending} pendingLabel={platform ? "Posting…" : "Approving…"}>
          {platform ? `Post to ${platform} now` : "Approve for print"}
        </SubmitButton>
        <CancelButton onCancel={onCancel} disabled={form.pending} />
      </div>
    </form>
  );
}

/** "Schedule…": approves the piece for a date and time picked in the agent's zone. */
export function SchedulePostDialog({
  piece,
  timeZone,
  action,
  onDone,
  onClose,
}: {
  piece: PieceDetail;
  timeZone: string;
  action: Action;
  onDone: (message: string) => void;
  onClose: () => void;
}) {
  const needsAcknowledgement = piece.complianceFlags.length > 0 && piece.complianceAcknowledgedAt === null;
  const platform = piece.kind === "flyer_text" ? "" : PLATFORM_NAMES[piece.kind];
  return (
    <ScheduleDialog
      title={`Schedule on ${platform}`}
      timeZone={timeZone}
      submitLabel="Schedule post"
      pendingLabel="Scheduling…"
      acknowledgeLabel={needsAcknowledgement ? "I have reviewed the compliance warnings" : undefined}
      onClose={onClose}
      onSubmit={async ({ at, acknowledged }) => {
        await action.mutateAsync({
          id: piece.id,
          action: "approve_and_post",
          scheduledAt: at,
          acknowledgeCompliance: acknowledged || undefined,
        });
        onDone(`Scheduled for ${formatDateTime(at, timeZone)}.`);
      }}
    />
  );
}

export function RejectForm({ piece, action, onDone, onCancel }: FormProps) {
  const schema = useMemo(
    () =>
      actionSchema<{ reason: string }>(({ reason }) => ({ id: piece.id, action: "reject_discard", reason })),
    [piece.id],
  );
  const form = useForm({
    initialValues: { reason: "" },
    schema,
    onSubmit: async (input) => {
      await action.mutateAsync(input);
      onDone("Rejected. This draft will not be used.");
      return undefined;
    },
  });
  return (
    <form className="form action-form" noValidate onSubmit={form.handleSubmit} aria-label="Reject">
      <FormAlert message={form.formError} />
      <TextAreaField
        label="Why reject it?"
        rows={3}
        hint="Kept in the draft's history."
        field={form.field("reason")}
      />
      <div className="form-actions">
        <SubmitButton pending={form.pending} pendingLabel="Rejecting…">
          Reject draft
        </SubmitButton>
        <CancelButton onCancel={onCancel} disabled={form.pending} />
      </div>
    </form>
  );
}

export function RevisionForm({ piece, action, onCancel }: Omit<FormProps, "onDone">) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const schema = useMemo(
    () =>
      actionSchema<{ feedback: string }>(({ feedback }) => ({
        id: piece.id,
        action: "request_revisions",
        feedback,
      })),
    [piece.id],
  );
  const form = useForm({
    initialValues: { feedback: "" },
    schema,
    onSubmit: async (input) => {
      await action.mutateAsync(input);
      // The new version is created with the request: open it, drafting.
      const detail = await queryClient.fetchQuery({
        ...trpc.content.get.queryOptions({ id: piece.id }),
        staleTime: 0,
      });
      const newest = detail.versions.at(-1);
      if (newest && newest.id !== piece.id) {
        await navigate({ to: "/approvals/$pieceId", params: { pieceId: newest.id }, search: true });
      }
      return undefined;
    },
  });
  return (
    <form className="form action-form" noValidate onSubmit={form.handleSubmit} aria-label="Request revisions">
      <FormAlert message={form.formError} />
      <TextAreaField
        label="What should change?"
        rows={3}
        hint="The content agent rewrites the draft with your feedback and keeps this version in the history."
        field={form.field("feedback")}
      />
      <div className="form-actions">
        <SubmitButton pending={form.pending} pendingLabel="Sending…">
          Send feedback
        </SubmitButton>
        <CancelButton onCancel={onCancel} disabled={form.pending} />
      </div>
    </form>
  );
}

export function MarketingForm({
  piece,
  marketingEmail,
  action,
  onDone,
  onCancel,
}: FormProps & { marketingEmail: string | null }) {
  const [missingEmail, setMissingEmail] = useState(false);
  const schema = useMemo(
    () =>
      actionSchema<{ note: string }>(({ note }) => ({
        id: piece.id,
        action: "send_to_marketing",
        note: note.trim() ? note : undefined,
      })),
    [piece.id],
  );
  const form = useForm({
    initialValues: { note: "" },
    schema,
    onSubmit: async (input) => {
      try {
        await action.mutateAsync(input);
      } catch (error) {
        // Shown as the Settings link below rather than as a second, link-less message.
        if (!fieldErrorsOf(error)?.marketingEmail) throw error;
        setMissingEmail(true);
        return undefined;
      }
      onDone(
        `Sent to ${marketingEmail ?? "your marketing department"}. They answer through the link in the email.`,
      );
      return undefined;
    },
  });
  const noEmail = !marketingEmail || missingEmail;
  return (
    <form className="form action-form" noValidate onSubmit={form.handleSubmit} aria-label="Send to marketing">
      <FormAlert message={form.formError} />
      {noEmail ? (
        <p
          className={missingEmail ? "alert alert-error" : "alert alert-info"}
          role={missingEmail ? "alert" : undefined}
        >
          Add your marketing department's email in <Link to="/settings">Settings</Link> first.
        </p>
      ) : (
        <p className="field-hint">
          Emails {marketingEmail} a link to approve, ask for changes or reject this draft. The link works once
          and expires in 7 days.
        </p>
      )}
      <TextAreaField label="Note" optional rows={2} field={form.field("note")} />
      <div className="form-actions">
        <SubmitButton pending={form.pending} pendingLabel="Sending…">
          Send email
        </SubmitButton>
        <CancelButton onCancel={onCancel} disabled={form.pending} />
      </div>
    </form>
  );
}

const RESPONSE_OPTIONS = (["approved", "changes_requested", "rejected"] as const).map((value) => ({
  value,
  label: RESPONSE_LABELS[value],
}));

export function ResponseForm({ piece, action, onDone, onCancel }: FormProps) {
  type Values = { response: string; notes: string };
  const schema = useMemo(
    () =>
      actionSchema<Values>(
        ({ response, notes }) => ({
          id: piece.id,
          action: "record_marketing_response",
          response,
          notes: notes.trim() ? notes : undefined,
        }),
        ({ response }) => (response ? [] : [{ path: ["response"], message: "Choose their answer" }]),
      ),
    [piece.id],
  );
  const form = useForm({
    initialValues: { response: "", notes: "" } as Values,
    schema,
    onSubmit: async (input) => {
      await action.mutateAsync(input);
      const response = input.action === "record_marketing_response" ? input.response : "approved";
      onDone(
        `Recorded: ${RESPONSE_LABELS[response as MarketingResponse].toLowerCase()}. The draft waits for your approval again.`,
      );
      return undefined;
    },
  });
  return (
    <form
      className="form action-form"
      noValidate
      onSubmit={form.handleSubmit}
      aria-label="Record marketing response"
    >
      <FormAlert message={form.formError} />
      <ChoiceGroupField
        legend="Their answer"
        type="radio"
        options={RESPONSE_OPTIONS}
        field={form.field("response")}
      />
      <TextAreaField label="Notes" optional rows={2} field={form.field("notes")} />
      <div className="form-actions">
        <SubmitButton pending={form.pending} pendingLabel="Saving…">
          Record response
        </SubmitButton>
        <CancelButton onCancel={onCancel} disabled={form.pending} />
      </div>
    </form>
  );
}
