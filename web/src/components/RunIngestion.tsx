import {
  type MutationState,
  type QueryClient,
  type UseQueryResult,
  useMutation,
  useMutationState,
  useQueries,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { inferRouterOutputs } from "@trpc/server";
import { useEffect } from "react";
import type { AppRouter } from "worker/router";
import { errorMessage } from "../lib/errors";
import { formatCount } from "../lib/format";
import { PROGRESS_POLL_MS } from "../lib/ingestion";
import { trpc } from "../trpc";
import { Spinner } from "./Spinner";

type Outputs = inferRouterOutputs<AppRouter>["listings"];
export type IngestionRun = Outputs["ingestionRun"];
type StartState = MutationState<Outputs["runIngestionNow"], unknown, void, unknown>;

const runKey = trpc.listings.runIngestionNow.mutationKey();

/** The run's query, polled only while the run is running. */
const ingestionRunQueryOptions = (id: string) =>
  trpc.listings.ingestionRun.queryOptions(
    { id },
    {
      refetchInterval: (query) => (query.state.data?.status === "running" ? PROGRESS_POLL_MS : false),
      staleTime: 0,
    },
  );

/** One run, followed live while it is running (and not fetched at all while `enabled` is false). */
export function useIngestionRun(id: string, enabled: boolean): UseQueryResult<IngestionRun, unknown> {
  return useQuery({ ...ingestionRunQueryOptions(id), enabled });
}

/** After a run ends, the listings and figures it changed are fetched again. */
export function refreshAfterIngestion(queryClient: QueryClient) {
  return Promise.all([
    // Everything under listings: the list, communities, the runs and any open listing's detail and history.
    queryClient.invalidateQueries(trpc.listings.pathFilter()),
    queryClient.invalidateQueries(trpc.dashboard.pathFilter()),
  ]);
}

/** The starts already refreshed for, so two components following one run refresh once. */
const refreshed = new Set<number>();

/**
 * The latest "Run ingestion now" and the runs it started, shared through the mutation cache (the button
 * that started it may unmount, e.g. the empty state's once listings arrive). The request only claims the
 * runs; the crawl goes on in the background and each run is polled until it ends.
 */
function useLatestIngestion() {
  const queryClient = useQueryClient();
  const starts = useMutationState({ filters: { mutationKey: runKey }, select: (mutation) => mutation.state });
  const start = starts.at(-1) as StartState | undefined;
  const started = start?.status === "success" ? (start.data?.runs ?? []) : [];
  const polled = useQueries({
    queries: started.map((run) => ({ ...ingestionRunQueryOptions(run.id), initialData: run })),
  });
  const runs = polled.map((query, i) => query.data ?? started[i]).filter((run) => run !== undefined);
  const running = runs.some((run) => run.status === "running");
  const finished = start?.status === "success" && !running;
  const submittedAt = start?.submittedAt ?? 0;
  useEffect(() => {
    if (!finished || refreshed.has(submittedAt)) return;
    refreshed.add(submittedAt);
    void refreshAfterIngestion(queryClient);
  }, [finished, submittedAt, queryClient]);
  return { start, runs, running };
}

export function RunIngestionButton({ primary = false }: { primary?: boolean }) {
  const queryClient = useQueryClient();
  const { start, running } = useLatestIngestion();
  const run = useMutation(
    trpc.listings.runIngestionNow.mutationOptions({
      // The last-run card and the run history pick up the new run and follow it.
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries(trpc.listings.ingestionRuns.pathFilter()),
          queryClient.invalidateQueries(trpc.dashboard.pathFilter()),
        ]),
    }),
  );
  const busy = start?.status === "pending" || running;
  return (
    <button
      className={`button ${primary ? "button-primary" : "button-quiet"}`}
      type="button"
      disabled={busy}
      onClick={() => run.mutate()}
    >
      {busy && <Spinner />}
      Run ingestion now
    </button>
  );
}

function plural(n: number, one: string, many: string) {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function describeRuns(runs: IngestionRun[]): { message: string | null; failures: string[] } {
  const succeeded = runs.filter((run) => run.status === "succeeded");
  const failures = runs
    .filter((run) => run.status === "failed")
    .map((run) => run.failureReason ?? "The builder's site could not be read.");
  if (runs.length === 0) return { message: "There is no builder site to check yet.", failures };
  if (succeeded.length === 0) return { message: null, failures };
  const total = (key: "found" | "new" | "changed" | "removed") =>
    succeeded.reduce((sum, run) => sum + run[key], 0);
  return {
    message: `Found ${plural(total("found"), "home", "homes")}: ${formatCount(total("new"))} new, ${formatCount(total("changed"))} changed, ${formatCount(total("removed"))} off the market`,
    failures,
  };
}

/** "Checking … 12 pages read, 8 homes found so far", summed over the runs still going. */
export function describeProgress(runs: IngestionRun[]): string {
  const live = runs.filter((run) => run.status === "running");
  const pages = live.reduce((sum, run) => sum + run.pagesFetched, 0);
  const found = live.reduce((sum, run) => sum + run.found, 0);
  if (pages === 0) return "Checking the builder's site for new and changed homes…";
  return `Checking the builder's site: ${plural(pages, "page", "pages")} read, ${plural(found, "home", "homes")} found so far…`;
}

/** What the latest "Run ingestion now" is doing, what it found, or why it failed. */
export function IngestionResult({ historyLink = true }: { historyLink?: boolean }) {
  const { start, runs, running } = useLatestIngestion();
  let status: string | null = null;
  let alerts: string[] = [];
  if (start?.status === "pending") status = "Starting the listing agent…";
  else if (start?.status === "error") alerts = [errorMessage(start.error)];
  else if (running) status = describeProgress(runs);
  else if (start?.status === "success") {
    const { message, failures } = describeRuns(runs);
    status = message;
    alerts = failures.map((reason) => `Ingestion failed: ${reason}`);
  }
  return (
    <div className="ingestion-result">
      {/* Always mounted, so screen readers announce the message when it arrives. */}
      <p className={status ? "alert alert-info" : undefined} role="status">
        {status}
      </p>
      {alerts.map((alert) => (
        <p className="alert alert-error" role="alert" key={alert}>
          {alert}
        </p>
      ))}
      {historyLink && start?.status === "success" && runs.length > 0 && (
        <p className="listing-count">
          <Link to="/listings/runs" search={true}>
            See the run history
          </Link>
        </p>
      )}
    </div>
  );
}
