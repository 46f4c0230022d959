import { type FormEvent, useMemo, useState } from "react";
import { errorMessage, fieldErrorsOf } from "./errors";

type Issue = { readonly path: readonly PropertyKey[]; readonly message: string };

/** The part of a zod schema the form needs; the worker's input schemas satisfy it. */
export type Schema<Out> = {
  safeParse(
    input: unknown,
  ): { success: true; data: Out } | { success: false; error: { issues: readonly Issue[] } };
};

type Values = Record<string, string>;
type Messages<V> = Partial<Record<keyof V, string>>;

export type FieldBinding = {
  name: string;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
  onBlur: () => void;
};

type Options<V extends Values, Out> = {
  initialValues: V;
  schema: Schema<Out>;
  /** Resolve to new values to reset the form to them (e.g. what the server saved). */
  onSubmit: (data: Out) => Promise<V | undefined>;
  /** The form field a server field error belongs to, when the names differ ("priceCents" -> "price"). */
  fieldOfServerError?: (key: string) => string;
};

function firstIssueByField(issues: readonly Issue[]): Record<string, string> {
  const messages: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join(".");
    messages[key] ??= issue.message;
  }
  return messages;
}

function focusFirstInvalid(form: HTMLFormElement) {
  requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}

/**
 * Validates with the same schema the server uses. A field shows its error once it has been left or the form
 * submitted; server field errors show at once and clear when the field is edited.
 */
export function useForm<V extends Values, Out>({
  initialValues,
  schema,
  onSubmit,
  fieldOfServerError = (key) => key,
}: Options<V, Out>) {
  const [values, setValues] = useState(initialValues);
  const [touched, setTouched] = useState<Partial<Record<keyof V, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<Messages<V>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [succeeded, setSucceeded] = useState(false);

  const parsed = useMemo(() => schema.safeParse(values), [schema, values]);
  const clientErrors = useMemo(
    () => (parsed.success ? {} : firstIssueByField(parsed.error.issues)),
    [parsed],
  );

  function field(name: keyof V & string): FieldBinding {
    const shown = touched[name] || submitted ? clientErrors[name] : undefined;
    return {
      name,
      value: values[name] ?? "",
      error: serverErrors[name] ?? shown,
      onChange: (value) => {
        setValues((current) => ({ ...current, [name]: value }));
        setServerErrors((current) => ({ ...current, [name]: undefined }));
        setSucceeded(false);
      },
      onBlur: () => setTouched((current) => ({ ...current, [name]: true })),
    };
  }

  function showServerError(error: unknown, form: HTMLFormElement) {
    const fields: Messages<V> = {};
    let unplaced = false;
    for (const [serverKey, messages] of Object.entries(fieldErrorsOf(error) ?? {})) {
      const key = fieldOfServerError(serverKey);
      if (key in values && messages[0]) fields[key as keyof V] ??= messages[0];
      else unplaced = true;
    }
    setServerErrors(fields);
    if (unplaced || Object.keys(fields).length === 0) setFormError(errorMessage(error));
    else focusFirstInvalid(form);
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const form = event.currentTarget;
    setSubmitted(true);
    setFormError(null);
    setServerErrors({});
    setSucceeded(false);
    if (!parsed.success) {
      focusFirstInvalid(form);
      return;
    }
    setPending(true);
    try {
      const next = await onSubmit(parsed.data);
      if (next) {
        setValues(next);
        setTouched({});
        setSubmitted(false);
      }
      setSucceeded(true);
    } catch (error) {
      showServerError(error, form);
    } finally {
      setPending(false);
    }
  }

  return { values, field, handleSubmit, pending, formError, succeeded };
}
