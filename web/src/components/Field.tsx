import {
  type FocusEvent,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
} from "react";
import type { FieldBinding } from "../lib/form";
import { Spinner } from "./Spinner";

type ShellProps = {
  label: string;
  hint?: string;
  optional?: boolean;
};

type ControlProps = {
  id: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
};

function FieldShell({
  label,
  hint,
  optional,
  error,
  children,
}: ShellProps & { error: string | undefined; children: (control: ControlProps) => ReactNode }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint && hintId, error && errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
        {optional && <span className="field-optional"> (optional)</span>}
      </label>
      {children({ id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy })}
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * Leaving a field for the submit button does not mark it touched: its error would appear between mousedown
 * and click, push the button down and swallow the click. Submitting shows every error anyway.
 */
function blurHandler(field: FieldBinding) {
  return (event: FocusEvent<HTMLElement>) => {
    const next = event.relatedTarget;
    if (next instanceof HTMLButtonElement && next.type === "submit") return;
    field.onBlur();
  };
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, keyof FieldBinding | "id">;

export function TextField({
  label,
  hint,
  optional,
  field,
  ...input
}: ShellProps & InputProps & { field: FieldBinding }) {
  return (
    <FieldShell label={label} hint={hint} optional={optional} error={field.error}>
      {(control) => (
        <input
          className="input"
          type="text"
          {...input}
          {...control}
          name={field.name}
          value={field.value}
          onChange={(event) => field.onChange(event.target.value)}
          onBlur={blurHandler(field)}
        />
      )}
    </FieldShell>
  );
}

type TextAreaProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, keyof FieldBinding | "id">;

export function TextAreaField({
  label,
  hint,
  optional,
  field,
  ...textarea
}: ShellProps & TextAreaProps & { field: FieldBinding }) {
  return (
    <FieldShell label={label} hint={hint} optional={optional} error={field.error}>
      {(control) => (
        <textarea
          className="input textarea"
          rows={4}
          {...textarea}
          {...control}
          name={field.name}
          value={field.value}
          onChange={(event) => field.onChange(event.target.value)}
          onBlur={blurHandler(field)}
        />
      )}
    </FieldShell>
  );
}

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, keyof FieldBinding | "id">;

export function SelectField({
  label,
  hint,
  optional,
  field,
  children,
  ...select
}: ShellProps & SelectProps & { field: FieldBinding }) {
  return (
    <FieldShell label={label} hint={hint} optional={optional} error={field.error}>
      {(control) => (
        <select
          className="input select"
          {...select}
          {...control}
          name={field.name}
          value={field.value}
          onChange={(event) => field.onChange(event.target.value)}
          onBlur={blurHandler(field)}
        >
          {children}
        </select>
      )}
    </FieldShell>
  );
}

export function FormAlert({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <div className="alert alert-error" role="alert">
      {message}
    </div>
  );
}

export function SubmitButton({
  pending,
  children,
  pendingLabel,
}: {
  pending: boolean;
  children: ReactNode;
  pendingLabel: string;
}) {
  return (
    <button className="button button-primary" type="submit" disabled={pending}>
      {pending ? (
        <>
          <Spinner /> {pendingLabel}
        </>
      ) : (
        children
      )}
    </button>
  );
}

/** One checkbox; its value is "true" or "". */
export function CheckboxField({ label, hint, field }: { label: string; hint?: string; field: FieldBinding }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint && hintId, field.error && errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field field-check">
      <label className="check" htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          name={field.name}
          checked={field.value === "true"}
          aria-invalid={field.error ? true : undefined}
          aria-describedby={describedBy}
          onChange={(event) => field.onChange(event.target.checked ? "true" : "")}
          onBlur={blurHandler(field)}
        />
        <span>{label}</span>
      </label>
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {field.error && (
        <p className="field-error" id={errorId}>
          {field.error}
        </p>
      )}
    </div>
  );
}

export type Choice = { value: string; label: string };

/**
 * Radio buttons (the value is the chosen option) or checkboxes (the value lists the ticked options, comma
 * separated, in the options' order) under one legend.
 */
export function ChoiceGroupField({
  legend,
  hint,
  type,
  options,
  field,
}: {
  legend: string;
  hint?: string;
  type: "radio" | "checkbox";
  options: readonly Choice[];
  field: FieldBinding;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint && hintId, field.error && errorId].filter(Boolean).join(" ") || undefined;
  const chosen = new Set(field.value.split(",").filter(Boolean));
  function toggle(value: string, checked: boolean) {
    if (type === "radio") {
      field.onChange(value);
      return;
    }
    if (checked) chosen.add(value);
    else chosen.delete(value);
    field.onChange(
      options
        .map((option) => option.value)
        .filter((option) => chosen.has(option))
        .join(","),
    );
  }
  return (
    <fieldset className="field choice-group" aria-describedby={describedBy}>
      <legend className="field-label">{legend}</legend>
      <div className="choice-options">
        {options.map((option) => (
          <label className="check" key={option.value}>
            <input
              type={type}
              name={field.name}
              value={option.value}
              checked={chosen.has(option.value)}
              aria-invalid={field.error ? true : undefined}
              onChange={(event) => toggle(option.value, event.target.checked)}
              onBlur={blurHandler(field)}
            />
            <span>{option.label}</span>
          </label>
        ))}
      </div>
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {field.error && (
        <p className="field-error" id={errorId}>
          {field.error}
        </p>
      )}
    </fieldset>
  );
}
