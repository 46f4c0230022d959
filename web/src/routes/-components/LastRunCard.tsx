import { useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { inferRouterOutputs } from "@trpc/server";
import { useEffect } from "react";
import type { AppRouter } from "worker/router";
import { refreshAfterIngestion, useIngestionRun } from "../../components/RunIngestion";
import { formatCount, formatDateTime, formatRelative } from "../../lib/format";
import { useNow } from "../../lib/useNow";
import { StatCard, type StatTone } from "./StatCard";

type LastRun = NonNullable<inferRouterOutputs<AppRouter>["dashboard"]["overview"]["listings"]["lastRun"]>;

const STATUS: Record<LastRun["status"], { label: string; tone: StatTone }> = {
  succeeded: { label: "Succeeded", tone: "success" },
  failed: { label: "Failed", tone: "danger" },
  running: { label: "Running", tone: "warning" },
};

/** Follows a running run live (pages read, homes found) and refreshes the figures once it ends. */
function useLiveRun(run: LastRun | null): LastRun | null {
  const queryClient = useQueryClient();
  const live = useIngestionRun(run?.id ?? "", run?.status === "running");
  const ended = run?.status === "running" && live.data !== undefined && live.data.status !== "running";
  useEffect(() => {
    if (ended) void refreshAfterIngestion(queryClient);
  }, [ended, queryClient]);
  if (run?.status !== "running" || !live.data) return run;
  return { ...live.data, errors: live.data.errors.slice(0, 5) };
}

function whoRan(run: LastRun): string {
  if (run.trigger === "cron") return "";
  return run.requestedByYou ? " · run by you" : " · run on request";
}

/** The listing agent's latest run: how it went, when, what it found, and why it failed if it did. */
export function LastRunCard({ run: latest, timeZone }: { run: LastRun | null; timeZone: string }) {
  const now = useNow();
  const run = useLiveRun(latest);
  if (!run) {
    return (
      <StatCard
        title="Last ingestion run"
        emptyText="The listing agent has not run yet. It runs every 30 minutes."
      />
    );
  }
  const { label, tone } = STATUS[run.status];
  const at = run.finishedAt ?? run.startedAt;
  return (
    <StatCard
      title="Last ingestion run"
      emptyText=""
      value={label}
      tone={tone}
      detail={
        <>
          {run.status === "running" ? "Started " : ""}
          <time dateTime={new Date(at).toISOString()} title={formatDateTime(at, timeZone)}>
            {formatRelative(at, now)}
          </time>
          {whoRan(run)}
        </>
      }
    >
      {run.status === "running" && (
        <p className="stat-detail">
          {formatCount(run.pagesFetched)} {run.pagesFetched === 1 ? "page" : "pages"} read ·{" "}
          {formatCount(run.found)} {run.found === 1 ? "home" : "homes"} found so far
        </p>
      )}
      {run.status !== "running" && (
        <p className="stat-detail">
          found {run.found.toLocaleString("en-US")} · {run.new.toLocaleString("en-US")} new ·{" "}
          {run.changed.toLocaleString("en-US")} changed · {run.removed.toLocaleString("en-US")} removed
        </p>
      )}
      {run.status === "failed" && (
        <div className="stat-alert">
          <p>{run.failureReason ?? "The run did not finish."}</p>
          {run.errors.length > 0 && (
            <details>
              <summary>
                {run.errorCount.toLocaleString("en-US")} {run.errorCount === 1 ? "error" : "errors"}
              </summary>
              <ul>
                {run.errors.slice(0, 3).map((error, i) => (
                  // Errors may repeat word for word.
                  // biome-ignore lint/suspicious/noArrayIndexKey: a fixed, never reordered list
                  <li key={i}>{error}</li>
                ))}
                {run.errorCount > 3 && <li>…and {(run.errorCount - 3).toLocaleString("en-US")} more</li>}
              </ul>
            </details>
          )}
        </div>
      )}
      {run.status === "succeeded" && run.errorCount > 0 && (
        <p className="stat-detail">
          {run.errorCount.toLocaleString("en-US")} {run.errorCount === 1 ? "page" : "pages"} could not be
          read.
        </p>
      )}
      <p className="stat-detail">
        <Link to="/listings/runs">Run history</Link>
      </p>
    </StatCard>
  );
}
