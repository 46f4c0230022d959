import { useSuspenseQuery } from "@tanstack/react-query";
import { createFileRoute, Link } from "@tanstack/react-router";
import { PageHeader } from "../components/PageHeader";
import { IngestionResult, RunIngestionButton } from "../components/RunIngestion";
import { useMe } from "../lib/auth";
import { trpc } from "../trpc";
import { LastRunCard } from "./-components/LastRunCard";
import { StatCard } from "./-components/StatCard";

// While the content agent drafts, the figures move on their own: refresh them until it is done.
const overviewQueryOptions = () =>
  trpc.dashboard.overview.queryOptions(undefined, {
    refetchInterval: (query) => (query.state.data?.content.drafting ? 5_000 : false),
  });

export const Route = createFileRoute("/_app/")({
  loader: async ({ context }) => {
    await context.queryClient.ensureQueryData(overviewQueryOptions());
  },
  component: DashboardPage,
});

const NO_LISTINGS = "No listings yet. The listing agent runs every 30 minutes.";

function greeting(timeZone: string, now = new Date()): string {
  let hour = now.getHours();
  try {
    hour = Number(
      new Intl.DateTimeFormat("en-US", { hour: "numeric", hourCycle: "h23", timeZone }).format(now),
    );
  } catch {
    // An unknown zone falls back to the browser's clock.
  }
  if (hour < 12) return "Good morning";
  if (hour < 18) return "Good afternoon";
  return "Good evening";
}

function DashboardPage() {
  const me = useMe();
  const { data: overview } = useSuspenseQuery(overviewQueryOptions());
  const listings = overview.listings;
  const hasListings = listings.activeListings + listings.offMarketListings > 0;
  const profileIncomplete = !me.brokerageName || !me.phone;
  return (
    <>
      <PageHeader
        documentTitle="Dashboard"
        title={`${greeting(me.timezone)}, ${me.name}`}
        description="Here is what is happening with your listings and posts."
      />
      {profileIncomplete && (
        <aside className="callout" aria-labelledby="profile-callout-title">
          <div>
            <h2 className="callout-title" id="profile-callout-title">
              Finish your profile before posting
            </h2>
            <p>
              Florida advertising rules require your brokerage name in every ad. Add your brokerage and phone
              number so drafted posts include them.
            </p>
          </div>
          <Link className="button button-primary" to="/settings">
            Go to Settings
          </Link>
        </aside>
      )}
      {!hasListings && (
        <aside className="callout callout-info" aria-labelledby="ingest-callout-title">
          <div>
            <h2 className="callout-title" id="ingest-callout-title">
              No listings yet
            </h2>
            <p>
              The listing agent checks the builder's site every 30 minutes. Run it now to fetch the current
              homes.
            </p>
          </div>
          <RunIngestionButton primary />
        </aside>
      )}
      <IngestionResult />
      <section className="stat-grid" aria-label="Overview">
        <StatCard
          title="New listings"
          emptyText={NO_LISTINGS}
          value={hasListings ? listings.newListings : undefined}
          detail={`this week, of ${listings.activeListings.toLocaleString("en-US")} active`}
        />
        <StatCard
          title="Changed listings"
          emptyText={NO_LISTINGS}
          value={hasListings ? listings.changedListings : undefined}
          detail="this week"
        />
        <PendingApprovalsCard content={overview.content} />
        <LastRunCard run={listings.lastRun} timeZone={me.timezone} />
      </section>
    </>
  );
}

type ContentOverview = { pendingApprovals: number; drafting: number; failed: number; withMarketing: number };

function PendingApprovalsCard({ content }: { content: ContentOverview }) {
  const empty = content.pendingApprovals + content.drafting + content.failed === 0;
  const details = [
    content.withMarketing > 0 && `${content.withMarketing.toLocaleString("en-US")} with marketing`,
    content.drafting > 0 && `${content.drafting.toLocaleString("en-US")} drafting`,
    content.failed > 0 && `${content.failed.toLocaleString("en-US")} failed`,
  ].filter(Boolean);
  return (
    <StatCard
      title="Pending approvals"
      emptyText="Nothing to approve yet. Drafted posts will wait here."
      value={empty ? undefined : content.pendingApprovals}
      detail={details.length > 0 ? details.join(" · ") : "waiting for your decision"}
    >
      <Link className="stat-link" to="/approvals">
        Review drafts
      </Link>
    </StatCard>
  );
}
