import { useMutation, useSuspenseQuery } from "@tanstack/react-query";
import { createFileRoute, notFound } from "@tanstack/react-router";
import { EmptyState, PageHeader } from "../components/PageHeader";
import { useMe } from "../lib/auth";
import type { OutboxEmail } from "../lib/content";
import { errorCode, errorMessage } from "../lib/errors";
import { formatDateTime } from "../lib/format";
import { trpc } from "../trpc";

// Always fresh: the app shell's probe caches the outbox too, and emails arrive while Chris works elsewhere.
const outboxQueryOptions = () => trpc.dev.outbox.queryOptions(undefined, { staleTime: 0 });

// Development only: without DEV_TOOLS_ENABLED the worker answers NOT_FOUND, and so does this page.
export const Route = createFileRoute("/_app/dev/outbox")({
  loader: async ({ context }) => {
    try {
      await context.queryClient.ensureQueryData({ ...outboxQueryOptions(), revalidateIfStale: true });
    } catch (error) {
      if (errorCode(error) === "NOT_FOUND") throw notFound();
      throw error;
    }
  },
  component: OutboxPage,
});

const STATUS_LABELS: Record<OutboxEmail["status"], string> = {
  stored: "Stored locally",
  sent: "Sent",
  failed: "Failed",
};

/**
 * The stored email has its link's token redacted; in development the worker mints a fresh link for it
 * (the emailed one stops working), so the review page can be tried without a real mailbox.
 */
function ReviewLinkAction({ emailId }: { emailId: string }) {
  const reviewLink = useMutation(trpc.dev.reviewLink.mutationOptions());
  if (reviewLink.data) {
    return (
      <p>
        <a href={reviewLink.data.path}>Open review link</a>
      </p>
    );
  }
  return (
    <p>
      <button
        type="button"
        className="button button-quiet"
        disabled={reviewLink.isPending}
        onClick={() => reviewLink.mutate({ emailId })}
      >
        Create review link
      </button>
      {reviewLink.isError && <span role="alert"> {errorMessage(reviewLink.error)}</span>}
    </p>
  );
}

const URL_IN_TEXT = /https?:\/\/[^\s<>"]+/g;

/**
 * The email's text with this app's own links clickable (unsubscribe, "Open in Realtor Marketing"), so a
 * local email can be followed as it would be from a mailbox. Other URLs stay text; React escapes it all.
 */
function LinkedText({ text }: { text: string }) {
  const parts: React.ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const url = match[0];
    const start = match.index ?? 0;
    parts.push(text.slice(last, start));
    const own = URL.canParse(url) && new URL(url).origin === window.location.origin;
    parts.push(
      own ? (
        <a key={start} href={url}>
          {url}
        </a>
      ) : (
        url
      ),
    );
    last = start + url.length;
  }
  parts.push(text.slice(last));
  return <>{parts}</>;
}

function OutboxPage() {
  const me = useMe();
  const { data: emails } = useSuspenseQuery(outboxQueryOptions());
  return (
    <>
      <PageHeader
        documentTitle="Outbox (dev)"
        title="Email outbox"
        description="Development only: emails that would have been sent on your behalf, with review links redacted. Without an email API key they stop here."
      />
      {emails.length === 0 ? (
        <EmptyState>No emails yet. Sending a draft to marketing puts one here.</EmptyState>
      ) : (
        <ul className="outbox">
          {emails.map((email) => {
            return (
              <li key={email.id}>
                <article className="card outbox-email" aria-label={email.subject}>
                  <header className="outbox-head">
                    <h2 className="outbox-subject">{email.subject}</h2>
                    <span className="tag">{STATUS_LABELS[email.status]}</span>
                  </header>
                  <p className="outbox-meta">
                    To {email.toAddress} ·{" "}
                    <time dateTime={new Date(email.createdAt).toISOString()}>
                      {formatDateTime(email.createdAt, me.timezone)}
                    </time>
                  </p>
                  {email.hasReviewLink && <ReviewLinkAction emailId={email.id} />}
                  <pre className="outbox-text">
                    <LinkedText text={email.text} />
                  </pre>
                </article>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
