import { useSuspenseQuery } from "@tanstack/react-query";
import { createFileRoute, Link, notFound } from "@tanstack/react-router";
import { EmptyState, PageHeader } from "../components/PageHeader";
import { useMe } from "../lib/auth";
import type { OutboxEmail } from "../lib/content";
import { errorCode } from "../lib/errors";
import { formatDateTime } from "../lib/format";
import { trpc } from "../trpc";

// Always fresh: the app shell's probe caches the outbox too, and emails arrive while Chris works elsewhere.
const outboxQueryOptions = () => trpc.dev.outbox.queryOptions(undefined, { staleTime: 0 });

// Development only: the worker answers NOT_FOUND in production, and so does this page.
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
 * The review link the worker put in the email, as a path on this site. The text also holds the draft
 * (untrusted), so only a link to this origin's review page counts, and the last one (the worker's own line).
 */
function reviewTokenOf(text: string): string | null {
  let token: string | null = null;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    try {
      const url = new URL(match[0]);
      const found = /^\/marketing\/([\w-]{20,100})$/.exec(url.pathname);
      if (url.origin === window.location.origin && found?.[1]) token = found[1];
    } catch {
      // Not a URL after all.
    }
  }
  return token;
}

function OutboxPage() {
  const me = useMe();
  const { data: emails } = useSuspenseQuery(outboxQueryOptions());
  return (
    <>
      <PageHeader
        documentTitle="Outbox (dev)"
        title="Email outbox"
        description="Development only: emails that would have been sent on your behalf. Without an email API key they stop here."
      />
      {emails.length === 0 ? (
        <EmptyState>No emails yet. Sending a draft to marketing puts one here.</EmptyState>
      ) : (
        <ul className="outbox">
          {emails.map((email) => {
            const token = reviewTokenOf(email.text);
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
                  {token && (
                    <p>
                      <Link to="/marketing/$token" params={{ token }}>
                        Open review link
                      </Link>
                    </p>
                  )}
                  <pre className="outbox-text">{email.text}</pre>
                </article>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
