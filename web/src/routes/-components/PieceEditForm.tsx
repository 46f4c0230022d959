import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { contentLimitProblems } from "db/rules";
import { useMemo } from "react";
import { updateContentInput } from "worker/schemas/content";
import { FormAlert, SubmitButton, TextAreaField } from "../../components/Field";
import type { PieceDetail } from "../../lib/content";
import { type Schema, useForm } from "../../lib/form";
import { formatCount } from "../../lib/format";
import { characterCount } from "../../lib/previews";
import { trpc } from "../../trpc";
import { LimitCounters } from "./ContentPreview";
import { invalidateContent } from "./contentActions";
import { FlyerFitHint } from "./FlyerNotice";

// A draft's text editor. The approvals page loads it with React.lazy when "Edit text" is pressed, so the
// form and zod, which checks it as `content.update` will, are not part of the page's first load.

type EditValues = { body: string };

export default function PieceEditForm({ piece, onCancel }: { piece: PieceDetail; onCancel: () => void }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const update = useMutation(
    trpc.content.update.mutationOptions({ onSettled: () => invalidateContent(queryClient) }),
  );
  const schema = useMemo<Schema<{ id: string; body: string }>>(
    () => ({
      safeParse(input) {
        const { body } = input as EditValues;
        if (body.trim() === piece.body.trim()) {
          return {
            success: false,
            error: { issues: [{ path: ["body"], message: "Change the text before saving, or cancel" }] },
          };
        }
        const over = contentLimitProblems(piece.kind, body);
        if (over.length > 0) {
          return { success: false, error: { issues: [{ path: ["body"], message: over.join(" ") }] } };
        }
        return updateContentInput.safeParse({ id: piece.id, body });
      },
    }),
    [piece.id, piece.body, piece.kind],
  );
  const form = useForm({
    initialValues: { body: piece.body },
    schema,
    onSubmit: async (input) => {
      const { id } = await update.mutateAsync(input);
      await navigate({ to: "/approvals/$pieceId", params: { pieceId: id }, search: true });
      return undefined;
    },
  });
  const count = characterCount(form.values.body);
  return (
    <form className="form" noValidate onSubmit={form.handleSubmit} aria-label="Edit text">
      <FormAlert message={form.formError} />
      <TextAreaField
        label="Text"
        rows={14}
        hint={`${formatCount(count)} ${count === 1 ? "character" : "characters"}. Saving keeps this version in the history and checks the new text again.`}
        field={form.field("body")}
      />
      <LimitCounters kind={piece.kind} body={form.values.body} />
      {piece.kind === "flyer_text" && <FlyerFitHint pieceId={piece.id} body={form.values.body} />}
      <div className="form-actions">
        <SubmitButton pending={form.pending} pendingLabel="Saving…">
          Save as new version
        </SubmitButton>
        <button className="button button-quiet" type="button" onClick={onCancel} disabled={form.pending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
