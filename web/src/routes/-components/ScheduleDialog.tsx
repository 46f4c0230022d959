import { type ReactNode, useEffect, useId, useMemo, useRef } from "react";
import { CheckboxField, FormAlert, SubmitButton, TextField } from "../../components/Field";
import { type Schema, useForm } from "../../lib/form";
import {
  addDays,
  checkScheduleTime,
  formatLong,
  MAX_SCHEDULE_AHEAD_MS,
  todayIn,
  utcToZoned,
} from "../../lib/posts";

type Values = { date: string; time: string; acknowledge: string };
export type ScheduleChoice = { at: number; acknowledged: boolean };

type ScheduleFormProps = {
  timeZone: string;
  /** The time the pickers start at (a post's current time); else tomorrow at 9:00. */
  initialAt?: number;
  submitLabel: string;
  pendingLabel: string;
  /** A required checkbox before scheduling (the compliance warnings). */
  acknowledgeLabel?: string;
  onSubmit: (choice: ScheduleChoice) => Promise<void>;
  onCancel: () => void;
  children?: ReactNode;
};

const zoneName = (timeZone: string) => timeZone.replaceAll("_", " ");

/**
 * A date and a time picked in the agent's own time zone (not the browser's), shown back written out in that
 * zone; at least a minute ahead and within a year, as the worker accepts.
 */
export function ScheduleForm({
  timeZone,
  initialAt,
  submitLabel,
  pendingLabel,
  acknowledgeLabel,
  onSubmit,
  onCancel,
  children,
}: ScheduleFormProps) {
  const initial = useMemo<Values>(() => {
    if (initialAt !== undefined && initialAt > Date.now()) {
      return { ...utcToZoned(initialAt, timeZone), acknowledge: "" };
    }
    return { date: addDays(todayIn(timeZone), 1), time: "09:00", acknowledge: "" };
  }, [initialAt, timeZone]);
  const schema = useMemo<Schema<ScheduleChoice>>(
    () => ({
      safeParse(input) {
        const values = input as Values;
        const issues: { path: string[]; message: string }[] = [];
        const check = checkScheduleTime(values.date, values.time, timeZone);
        if (check.error) issues.push({ path: ["date"], message: check.error });
        if (acknowledgeLabel && values.acknowledge !== "true") {
          issues.push({ path: ["acknowledge"], message: "Confirm that you have reviewed the warnings" });
        }
        if (check.at === null || issues.length > 0) return { success: false, error: { issues } };
        return { success: true, data: { at: check.at, acknowledged: values.acknowledge === "true" } };
      },
    }),
    [timeZone, acknowledgeLabel],
  );
  const form = useForm({
    initialValues: initial,
    schema,
    fieldOfServerError: (key) => (key === "scheduledAt" ? "date" : key),
    onSubmit: async (choice) => {
      await onSubmit(choice);
      return undefined;
    },
  });
  const today = todayIn(timeZone);
  const lastDay = utcToZoned(Date.now() + MAX_SCHEDULE_AHEAD_MS, timeZone).date;
  const chosen = checkScheduleTime(form.values.date, form.values.time, timeZone);
  return (
    <form className="form schedule-form" noValidate onSubmit={form.handleSubmit} aria-label="Schedule">
      <FormAlert message={form.formError} />
      {children}
      <div className="schedule-fields">
        <TextField label="Date" type="date" min={today} max={lastDay} field={form.field("date")} />
        <TextField label="Time" type="time" step={60} field={form.field("time")} />
      </div>
      <p className="field-hint">Times are in your time zone, {zoneName(timeZone)}.</p>
      <p className="schedule-summary" aria-live="polite">
        {chosen.at !== null ? `Posts ${formatLong(chosen.at, timeZone)}.` : ""}
      </p>
      {acknowledgeLabel && <CheckboxField label={acknowledgeLabel} field={form.field("acknowledge")} />}
      <div className="form-actions">
        <SubmitButton pending={form.pending} pendingLabel={pendingLabel}>
          {submitLabel}
        </SubmitButton>
        <button className="button button-quiet" type="button" onClick={onCancel} disabled={form.pending}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * A modal dialog (the browser's own: it keeps focus inside, closes on Escape and gives focus back to the
 * button that opened it).
 */
export function Modal({
  title,
  onClose,
  className = "",
  children,
}: {
  title: string;
  onClose: () => void;
  className?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    const onCloseEvent = () => close.current();
    dialog.addEventListener("close", onCloseEvent);
    return () => {
      dialog.removeEventListener("close", onCloseEvent);
      if (dialog.open) dialog.close();
    };
  }, []);
  const titleId = useId();
  return (
    <dialog ref={ref} className={`modal ${className}`} aria-labelledby={titleId}>
      <div className="modal-head">
        <h2 className="modal-title" id={titleId}>
          {title}
        </h2>
        <button
          className="button button-quiet modal-close"
          type="button"
          onClick={() => ref.current?.close()}
        >
          Close
        </button>
      </div>
      {children}
    </dialog>
  );
}

/** "Schedule…" and "Reschedule": the schedule form in a modal dialog. */
export function ScheduleDialog({
  title,
  onClose,
  ...form
}: Omit<ScheduleFormProps, "onCancel"> & { title: string; onClose: () => void }) {
  return (
    <Modal title={title} onClose={onClose} className="schedule-dialog">
      <ScheduleForm {...form} onCancel={onClose} />
    </Modal>
  );
}
