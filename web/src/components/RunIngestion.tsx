import { type MutationState, useMutation, useMutationState, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "worker/router";
import { errorMessage } from "../lib/errors";
import { trpc } from "../trpc";
import { Spinner } from "./Spinner";

type RunSummary = inferRouterOutputs<AppRouter>["listings"]["runIngestionNow"][number];
type RunState = MutationState<RunSummary[], unknown, void, unknown>;

const runKey = trpc.listings.runIngestionNow.mutationKey();

/**
 * The latest manual run, shared through the mutation cache: every button shows it as pending and the result
 * outlives the button that started it (the empty state's button unmounts once listings arrive).
 */
function useLatestRun(): RunState | undefined {
  const runs = useMutationState({ filters: { mutationKey: runKey }, select: (mutation) => mutation.state });
  return runs.at(-1) as RunState | undefined;
}

export function RunIngestionButton({ primary = false }: { primary?: boolean }) {
  const queryClient = useQueryClient();
  const latest = useLatestRun();
  const run = useMutation(
    trpc.listings.runIngestionNow.mutationOptions({
      // A failed run is recorded too, so refresh either way; the result shows once the new numbers are in.
      onSettled: () =>
        Promise.all([
          queryClient.invalidateQueries(trpc.listings.pathFilter()),
          queryClient.invalidateQueries(trpc.dashboard.pathFilter()),
        ]),
    }),
  );
  const pending = latest?.status === "pending";
  return (
    <button
      className={`button ${primary ? "button-primary" : "button-quiet"}`}
      type="button"
      disabled={pending}
      onClick={() => run.mutate()}
    >
      {pending && <Spinner />}
      Run ingestion now
    </button>
  );
}

function plural(n: number, one: string, many: string) {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

function describeRuns(runs: RunSummary[]): { message: string | null; failures: string[] } {
  const succeeded = runs.filter((run) => run.status === "succeeded");
  const failures = runs
    .filter((run) => run.status === "failed")
    .map((run) => run.failureReason ?? "The builder's site could not be read.");
  if (runs.length === 0) return { message: "There is no builder site to check yet.", failures };
  if (succeeded.length === 0) return { message: null, failures };
  const total = (key: "found" | "new" | "changed" | "removed") =>
    succeeded.reduce((sum, run) => sum + run[key], 0);
  return {
    message: `Found ${plural(total("found"), "home", "homes")}: ${total("new").toLocaleString("en-US")} new, ${total("changed").toLocaleString("en-US")} changed, ${total("removed").toLocaleString("en-US")} off the market`,
    failures,
  };
}

/** What the latest "Run ingestion now" found, or why it failed. */
export function IngestionResult() {
  const latest = useLatestRun();
  let status: string | null = null;
  let alerts: string[] = [];
  if (latest?.status === "pending") status = "Checking the builder's site for new and changed homes…";
  else if (latest?.status === "error") alerts = [errorMessage(latest.error)];
  else if (latest?.status === "success" && latest.data) {
    const { message, failures } = describeRuns(latest.data);
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
    </div>
  );
}
