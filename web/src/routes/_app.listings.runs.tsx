import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { createFileRoute, Link } from "@tanstack/react-router";
import { useEffect, useRef } from "react";
import { PageHeader } from "../components/PageHeader";
import {
  IngestionResult,
  type IngestionRun,
  RunIngestionButton,
  refreshAfterIngestion,
} from "../components/RunIngestion";
import { Spinner } from "../components/Spinner";
import { useMe } from "../lib/auth";
import { errorMessage } from "../lib/errors";
import { formatCount, formatDateTime } from "../lib/format";
import { PROGRESS_POLL_MS } from "../lib/ingestion";
import { trpc } from "../trpc";

const PAGE_SIZE = 20;

/** The history, polled every second only while one of its runs is still running. */
const runsQueryOptions = () =>
  trpc.listings.ingestionRuns.infiniteQueryOptions(
    { limit: PAGE_SIZE },
    {
      getNextPageParam: (page) => page.nextCursor,
      refetchInterval: (query) =>
        query.state.data?.pages.some((page) => page.items.some((run) => run.status === "running"))
          ? PROGRESS_POLL_MS
          : false,
      staleTime: 0,
    },
  );

export const Route = createFileRoute("/_app/listings/runs")({
  loader: ({ context }) => {
    void context.queryClient.prefetchInfiniteQuery(runsQueryOptions());
  },
  component: RunsPage,
});

const STATUS: Record<IngestionRun["status"], { label: string; className: string }> = {
  running: { label: "Running", className: "content-status-busy" },
  succeeded: { label: "Succeeded", className: "content-status-done" },
  failed: { label: "Failed", className: "content-status-failed" },
};

const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`;

function trigger(run: IngestionRun): string {
  if (run.trigger === "cron") return "Scheduled run";
  return run.requestedByYou ? "Run by you" : "Run on request";
}

function duration(run: IngestionRun): string | null {
  if (run.finishedAt === null) return null;
  const seconds = Math.max(0, Math.round((run.finishedAt - run.startedAt) / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

function RunItem({ run, timeZone }: { run: IngestionRun; timeZone: string }) {
  const status = STATUS[run.status];
  const took = duration(run);
  return (
    <li className={`timeline-item ${run.status === "failed" ? "timeline-off-market" : ""}`}>
      <article aria-label={`${trigger(run)}, ${formatDateTime(run.startedAt, timeZone)}`}>
        <div className="timeline-head">
          <h2 className="timeline-title">
            {trigger(run)} · {run.sourceName}{" "}
            <span className={`badge content-status ${status.className}`}>
              {run.status === "running" && <Spinner />}
              {status.label}
            </span>
          </h2>
          <span className="timeline-time">
            <time dateTime={new Date(run.startedAt).toISOString()}>
              {formatDateTime(run.startedAt, timeZone)}
            </time>
            {took && ` · took ${took}`}
          </span>
        </div>
        <p>
          {plural(run.pagesFetched, "page", "pages")} read · {plural(run.found, "home", "homes")} found
          {run.status === "running"
            ? " so far"
            : ` · ${formatCount(run.new)} new · ${formatCount(run.changed)} changed · ${formatCount(run.removed)} removed`}
        </p>
        {run.failureReason && <p className="alert alert-error">{run.failureReason}</p>}
        {run.errors.length > 0 && (
          <details>
            <summary>{plural(run.errorCount, "error", "errors")}</summary>
            <ul className="timeline-changes">
              {run.errors.map((error, i) => (
                // Errors may repeat word for word; the list is never reordered.
                // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list of plain-text lines
                <li key={i}>{error}</li>
              ))}
              {run.errorCount > run.errors.length && (
                <li>…and {formatCount(run.errorCount - run.errors.length)} more</li>
              )}
            </ul>
          </details>
        )}
      </article>
    </li>
  );
}

function RunsPage() {
  const me = useMe();
  const queryClient = useQueryClient();
  const runs = useInfiniteQuery(runsQueryOptions());
  const items = runs.data?.pages.flatMap((page) => page.items) ?? [];
  const running = items.some((run) => run.status === "running");
  // A run seen running here that has since ended (started elsewhere, e.g. by the cron) changed listings.
  const wasRunning = useRef(false);
  useEffect(() => {
    if (wasRunning.current && !running) void refreshAfterIngestion(queryClient);
    wasRunning.current = running;
  }, [running, queryClient]);

  return (
    <>
      <PageHeader
        documentTitle="Ingestion runs"
        title="Ingestion runs"
        description="Every time the listing agent checked your builder's site: what it read, what it found and what went wrong."
        actions={
          <>
            <Link className="button button-quiet" to="/listings" search={true}>
              Back to listings
            </Link>
            <RunIngestionButton primary />
          </>
        }
      />
      <IngestionResult historyLink={false} />
      {runs.isPending ? (
        <p className="loading" role="status">
          <Spinner /> Loading runs…
        </p>
      ) : runs.isError && items.length === 0 ? (
        <div className="alert alert-error" role="alert">
          <p>Could not load the runs. {errorMessage(runs.error)}</p>
          <button className="button button-quiet" type="button" onClick={() => void runs.refetch()}>
            Try again
          </button>
        </div>
      ) : items.length === 0 ? (
        <div className="empty-state">
          <p>The listing agent has not run yet. It runs every 30 minutes, or now with "Run ingestion now".</p>
        </div>
      ) : (
        <section className="card">
          <ol className="timeline" aria-label="Runs">
            {items.map((run) => (
              <RunItem key={run.id} run={run} timeZone={me.timezone} />
            ))}
          </ol>
          {runs.hasNextPage && (
            <div className="load-more">
              <button
                className="button button-quiet"
                type="button"
                disabled={runs.isFetchingNextPage}
                onClick={() => void runs.fetchNextPage()}
              >
                {runs.isFetchingNextPage ? (
                  <>
                    <Spinner /> Loading more…
                  </>
                ) : (
                  "Load more"
                )}
              </button>
            </div>
          )}
          {runs.isFetchNextPageError && (
            <p className="alert alert-error" role="alert">
              Could not load more runs. {errorMessage(runs.error)}
            </p>
          )}
        </section>
      )}
    </>
  );
}
