import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ChangeEvent, useId, useState } from "react";
import {
  BRAND_IMAGE_MAX_BYTES,
  type BrandImageKind,
  type BrandView,
  brandInput,
  contrastWithWhite,
  MIN_CONTRAST,
  TAGLINE_MAX,
} from "worker/schemas/brand";
import { FormAlert, SubmitButton, TextField } from "../../components/Field";
import { Loading } from "../../components/Spinner";
import { errorMessage } from "../../lib/errors";
import { type FieldBinding, useForm } from "../../lib/form";
import { trpc } from "../../trpc";

const TOO_LARGE = "The image must be at most 5 MB";
const UPLOAD_FAILED = "The upload failed. Check your connection and try again.";
const HEX = /^#[0-9a-f]{6}$/i;

const brandKey = () => trpc.agent.getBrand.queryKey();

type UploadResult = { ok: true; brand: BrandView } | { ok: false; message: string };

/** The worker answers `{ error: "…" }`; the same-origin guard answers a tRPC-shaped `{ error: { message } }`. */
function messageOf(body: unknown): string {
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error === "string") return error;
  const nested = (error as { message?: unknown } | undefined)?.message;
  return typeof nested === "string" ? nested : UPLOAD_FAILED;
}

/** POSTs the file's raw bytes (routes/brand.ts); XHR rather than fetch, for the upload's progress. */
function uploadImage(kind: BrandImageKind, file: File, onProgress: (ratio: number) => void) {
  return new Promise<UploadResult>((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/brand/${kind}`);
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () =>
      resolve(
        xhr.status === 200
          ? { ok: true, brand: xhr.response as BrandView }
          : { ok: false, message: messageOf(xhr.response) },
      );
    xhr.onerror = () => resolve({ ok: false, message: UPLOAD_FAILED });
    xhr.send(file);
  });
}

const LABELS: Record<BrandImageKind, { title: string; hint: string; alt: string }> = {
  logo: {
    title: "Logo",
    hint: "PNG, JPEG or WebP, at most 5 MB. Kept within 600 × 600 pixels; a transparent background stays transparent.",
    alt: "Your logo",
  },
  headshot: {
    title: "Headshot",
    hint: "PNG, JPEG or WebP, at most 5 MB. Cropped to a 400 × 400 square from the centre.",
    alt: "Your headshot",
  },
};

function ImagePicker({ kind, brand }: { kind: BrandImageKind; brand: BrandView }) {
  const queryClient = useQueryClient();
  const inputId = useId();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState("");
  const remove = useMutation(
    trpc.agent.removeBrandImage.mutationOptions({
      onSuccess: (saved) => {
        queryClient.setQueryData(brandKey(), saved);
        setStatus(`${LABELS[kind].title} removed.`);
      },
    }),
  );
  const image = brand[kind];
  const label = LABELS[kind];
  const busy = progress !== null || remove.isPending;

  async function onPick(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    setError(null);
    setStatus("");
    // Refused here too, so a large photo is not sent only to be turned away.
    if (file.size > BRAND_IMAGE_MAX_BYTES) {
      setError(TOO_LARGE);
      return;
    }
    setProgress(0);
    const result = await uploadImage(kind, file, setProgress);
    setProgress(null);
    if (result.ok) {
      queryClient.setQueryData(brandKey(), result.brand);
      setStatus(`${label.title} saved.`);
    } else {
      setError(result.message);
    }
  }

  return (
    <div className={`brand-image brand-image-${kind}`}>
      <h3 className="brand-image-title">{label.title}</h3>
      <div className="brand-image-preview">
        {image ? (
          <img src={image.url} alt={label.alt} width={image.width} height={image.height} />
        ) : (
          <span className="brand-image-empty">No {kind} yet</span>
        )}
      </div>
      <p className="field-hint" id={`${inputId}-hint`}>
        {label.hint}
      </p>
      <div className="brand-image-actions">
        {/* The label is the visible button; the file input itself stays reachable by keyboard. */}
        <label className={`button button-quiet${busy ? " is-disabled" : ""}`} htmlFor={inputId}>
          {image ? `Replace ${kind}` : `Upload ${kind}`}
        </label>
        <input
          id={inputId}
          className="visually-hidden brand-image-input"
          type="file"
          accept="image/png,image/jpeg,image/webp"
          aria-describedby={`${inputId}-hint`}
          disabled={busy}
          onChange={onPick}
        />
        {image && (
          <button
            type="button"
            className="button button-quiet"
            disabled={busy}
            onClick={() => {
              setError(null);
              remove.mutate({ kind });
            }}
          >
            Remove
          </button>
        )}
      </div>
      {progress !== null && (
        <progress
          className="brand-image-progress"
          max={1}
          value={progress}
          aria-label={`Uploading ${kind}`}
        />
      )}
      {(error || remove.isError) && (
        <p className="field-error" role="alert">
          {error ?? errorMessage(remove.error)}
        </p>
      )}
      <p className="form-status" role="status">
        {status}
      </p>
    </div>
  );
}

/** "6.9:1 — white text reads well" or why it does not. */
function ContrastCheck({ color, id }: { color: string; id: string }) {
  if (!HEX.test(color.trim())) return null;
  const value = color.trim();
  const ratio = contrastWithWhite(value);
  const ok = ratio >= MIN_CONTRAST;
  return (
    <div className="brand-contrast" id={id}>
      <span className="brand-sample" style={{ background: value }}>
        Schedule a tour
      </span>
      {ok ? (
        <span className="brand-contrast-ok">
          Contrast with white text: {ratio.toFixed(2)}:1 — easy to read.
        </span>
      ) : (
        <span className="brand-contrast-warning" role="alert">
          Too light: white text on this colour has a contrast of {ratio.toFixed(2)}:1; it needs at least{" "}
          {MIN_CONTRAST}:1.
        </span>
      )}
    </div>
  );
}

function ColorField({ label, field }: { label: string; field: FieldBinding }) {
  const id = useId();
  const valid = HEX.test(field.value.trim());
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <div className="brand-color-row">
        <input
          className="brand-color-swatch"
          type="color"
          aria-label={`${label} picker`}
          value={valid ? field.value.trim().toLowerCase() : "#000000"}
          onChange={(event) => field.onChange(event.target.value)}
        />
        <input
          id={id}
          className="input brand-color-text"
          type="text"
          spellCheck={false}
          autoComplete="off"
          maxLength={7}
          name={field.name}
          value={field.value}
          aria-invalid={field.error ? true : undefined}
          aria-describedby={`${id}-contrast${field.error ? ` ${id}-error` : ""}`}
          onChange={(event) => field.onChange(event.target.value)}
          onBlur={field.onBlur}
        />
      </div>
      <ContrastCheck color={field.value} id={`${id}-contrast`} />
      {field.error && (
        <p className="field-error" id={`${id}-error`}>
          {field.error}
        </p>
      )}
    </div>
  );
}

const formValues = (brand: BrandView) => ({
  primaryColor: brand.primaryColor,
  accentColor: brand.accentColor,
  tagline: brand.tagline,
});

function BrandColorsForm({ brand }: { brand: BrandView }) {
  const queryClient = useQueryClient();
  const save = useMutation(trpc.agent.updateBrand.mutationOptions());
  const form = useForm({
    initialValues: formValues(brand),
    schema: brandInput,
    onSubmit: async (data) => {
      const saved = await save.mutateAsync(data);
      queryClient.setQueryData(brandKey(), saved);
      return formValues(saved);
    },
  });
  return (
    <form className="form" noValidate onSubmit={form.handleSubmit}>
      <FormAlert message={form.formError} />
      <div className="form-grid">
        <ColorField label="Primary colour" field={form.field("primaryColor")} />
        <ColorField label="Accent colour" field={form.field("accentColor")} />
      </div>
      <TextField
        label="Tagline"
        optional
        maxLength={TAGLINE_MAX}
        hint={`Under your name on flyers and emails. At most ${TAGLINE_MAX} characters.`}
        field={form.field("tagline")}
      />
      <div className="form-actions">
        <SubmitButton pending={form.pending} pendingLabel="Saving…">
          Save brand
        </SubmitButton>
        <p className="form-status" role="status">
          {form.succeeded ? "Brand saved." : ""}
        </p>
      </div>
    </form>
  );
}

/** Settings › Brand: logo, headshot, colours and tagline, used by flyers, emails and post previews. */
export function BrandKit() {
  const brand = useQuery(trpc.agent.getBrand.queryOptions());
  return (
    <section className="card form-card brand-kit" id="brand" aria-labelledby="brand-heading">
      <h2 className="card-title" id="brand-heading">
        Brand
      </h2>
      {brand.isPending ? (
        <Loading label="Loading your brand…" />
      ) : brand.isError ? (
        <FormAlert message={errorMessage(brand.error)} />
      ) : (
        <>
          <div className="brand-images">
            <ImagePicker kind="logo" brand={brand.data} />
            <ImagePicker kind="headshot" brand={brand.data} />
          </div>
          <BrandColorsForm brand={brand.data} />
        </>
      )}
    </section>
  );
}
