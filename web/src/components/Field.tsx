import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, useId } from "react";
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
          onBlur={field.onBlur}
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
          onBlur={field.onBlur}
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
