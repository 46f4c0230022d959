import { useMutation, useQuery } from "@tanstack/react-query";
import { createFileRoute, useLocation } from "@tanstack/react-router";
import type { inferRouterOutputs } from "@trpc/server";
import { useMemo, useState } from "react";
import type { AppRouter } from "worker/router";
import { marketingRespondInput, marketingTokenInput } from "worker/schemas/content";
import { ChoiceGroupField, FormAlert, SubmitButton, TextAreaField } from "../components/Field";
import { Loading } from "../components/Spinner";
import { type MarketingResponse, RESPONSE_LABELS } from "../lib/content";
import { errorCode, errorMessage } from "../lib/errors";
import { type Schema, useForm } from "../lib/form";
import { formatDateTime } from "../lib/format";
import { trpc, trpcClient } from "../trpc";
import { ContentPreview } from "./-components/ContentPreview";
import { PublicLayout } from "./-components/PublicLayout";

type Review = inferRouterOutputs<AppRouter>["marketing"]["review"];
type OpenReview = Extract<Review, { state: "open" }>;

// Public: the marketing department has no account; the link's token is its credential. It sits in the
// fragment (/marketing#<token>), which the browser never sends, and is posted to the API, so no request
// URL (and no log) holds it.
export const Route = createFileRoute("/marketing/")({
  component: MarketingReviewPage,
});

// Fetched once: the answer below replaces the page, and a refetch would only say "already answered".
const reviewQueryOptions = (token: string) => ({
  queryKey: ["marketing.review", token] as const,
  queryFn: () => trpcClient.marketing.review.mutate({ token }),
  staleTime: Number.POSITIVE_INFINITY,
  retry: false,
});

const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

function problemOf(error: unknown): string {
  const code = errorCode(error);
  if (code === "BAD_REQUEST") return "This review link is not valid.";
  if (code === "NOT_FOUND" || code === "TOO_MANY_REQUESTS") return errorMessage(error);
  return "The review could not be loaded. Try the link again in a moment.";
}

function MarketingReviewPage() {
  const token = useLocation({ select: (location) => location.hash });
  const wellFormed = marketingTokenInput.safeParse({ token }).success;
  const review = useQuery({ ...reviewQueryOptions(token), enabled: wellFormed });
  if (wellFormed && review.isPending) {
    return (
      <PublicLayout title="Review">
        <Loading label="Loading the draft…" />
      </PublicLayout>
    );
  }
  const problem = !wellFormed
    ? "This review link is not valid."
    : review.isError
      ? problemOf(review.error)
      : null;
  if (problem || !review.data) {
    return (
      <PublicLayout title="Review link not available">
        <div className="review-card review-message">
          <h1 className="review-title">This link can't be used</h1>
          <p role="alert">{problem ?? "This review link is not valid."}</p>
        </div>
      </PublicLayout>
    );
  }
  return <LoadedReview token={token} review={review.data} />;
}

function LoadedReview({ token, review }: { token: string; review: Review }) {
  const [answered, setAnswered] = useState<MarketingResponse | null>(null);
  if (answered) {
    return (
      <PublicLayout title="Thank you">
        <div className="review-card review-message" role="status">
          <h1 className="review-title">Thank you</h1>
          <p>
            Your answer ({RESPONSE_LABELS[answered].toLowerCase()}) was sent to{" "}
            {review.state === "open" ? review.agentName : "the agent"}. You can close this page.
          </p>
        </div>
      </PublicLayout>
    );
  }
  if (review.state === "answered") {
    return (
      <PublicLayout title="Already answered">
        <div className="review-card review-message">
          <h1 className="review-title">This draft was already answered</h1>
          <p>
            {review.response
              ? `The answer was “${RESPONSE_LABELS[review.response].toLowerCase()}”`
              : "An answer was recorded"}
            {review.respondedAt !== null && ` on ${formatDateTime(review.respondedAt, browserTimeZone())}`}.
            Each review link works once; ask {review.agentName} for a new one if something changed.
          </p>
        </div>
      </PublicLayout>
    );
  }
  return <OpenReviewView token={token} review={review} onAnswered={setAnswered} />;
}

const RESPONSE_OPTIONS = [
  { value: "approved", label: "Approve" },
  { value: "changes_requested", label: "Request changes" },
  { value: "rejected", label: "Reject" },
];

type Values = { response: string; notes: string };
type RespondInput = { token: string; response: MarketingResponse; notes?: string };

function OpenReviewView({
  token,
  review,
  onAnswered,
}: {
  token: string;
  review: OpenReview;
  onAnswered: (response: MarketingResponse) => void;
}) {
  const respond = useMutation(trpc.marketing.respond.mutationOptions());
  const schema = useMemo<Schema<RespondInput>>(
    () => ({
      safeParse(input) {
        const { response, notes } = input as Values;
        if (!response) {
          return {
            success: false,
            error: { issues: [{ path: ["response"], message: "Choose approve, request changes or reject" }] },
          };
        }
        return marketingRespondInput.safeParse({ token, response, notes: notes.trim() ? notes : undefined });
      },
    }),
    [token],
  );
  const form = useForm({
    initialValues: { response: "", notes: "" } as Values,
    schema,
    onSubmit: async (input) => {
      await respond.mutateAsync(input);
      onAnswered(input.response);
      return undefined;
    },
  });
  const { listing, piece } = review;
  const place = [listing.addressLine, listing.city].filter(Boolean).join(", ");
  return (
    <PublicLayout title={`Review: ${piece.kindLabel}`}>
      <div className="review-card">
        <h1 className="review-title">
          {review.agentName} asks you to review this {piece.kindLabel} for {place}
        </h1>
        <p className="muted">
          Version {piece.version}
          {review.brokerageName ? ` · ${review.brokerageName}` : ""} · this link works once and expires{" "}
          {formatDateTime(review.expiresAt, browserTimeZone())}.
        </p>
      </div>
      <section className="review-card" aria-label="Draft">
        <ContentPreview
          kind={piece.kind}
          body={piece.body}
          structured={piece.structured}
          listing={{
            addressLine: listing.addressLine,
            city: listing.city,
            priceCents: listing.priceCents,
            photoUrl: undefined,
          }}
          agent={{ name: review.agentName, brokerageName: review.brokerageName }}
        />
      </section>
      <section className="review-card" aria-labelledby="answer-title">
        <h2 className="card-title" id="answer-title">
          Your answer
        </h2>
        <form className="form" noValidate onSubmit={form.handleSubmit}>
          <FormAlert message={form.formError} />
          <ChoiceGroupField
            legend="Decision"
            type="radio"
            options={RESPONSE_OPTIONS}
            field={form.field("response")}
          />
          <TextAreaField
            label="Notes"
            optional
            rows={4}
            hint={`${review.agentName} sees these with your answer.`}
            field={form.field("notes")}
          />
          <div className="form-actions">
            <SubmitButton pending={form.pending} pendingLabel="Sending…">
              Submit
            </SubmitButton>
          </div>
        </form>
      </section>
    </PublicLayout>
  );
}
