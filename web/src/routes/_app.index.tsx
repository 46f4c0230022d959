import { useSuspenseQuery } from "@tanstack/react-query";
import { createFileRoute, Link } from "@tanstack/react-router";
import type { inferRouterOutputs } from "@trpc/server";
import { lazy, Suspense } from "react";
import type { AppRouter } from "worker/router";
import { PageHeader } from "../components/PageHeader";
import { IngestionResult, RunIngestionButton } from "../components/RunIngestion";
import { useMe } from "../lib/auth";
import { KIND_LABELS } from "../lib/content";
import { formatDateTime } from "../lib/format";
import { PLATFORM_LABELS, POST_STATUS_LABELS, utcToZoned, viewOn } from "../lib/posts";
import { trpc } from "../trpc";
import { LastRunCard } from "./-components/LastRunCard";
import { MetricFigures, RefreshMetricsButton } from "./-components/PostMetrics";
import { StatCard } from "./-components/StatCard";

// uPlot is loaded only when there is something to chart.
const MetricsChart = lazy(() => import("./-components/MetricsChart"));

/** Posts listed per section; the rest are a link to the calendar away. */
const SHOWN = 8;

type Overview = inferRouterOutputs<AppRouter>["dashboard"]["overview"];

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
      <div className="dashboard-sections">
        <PerformanceSection performance={overview.performance} timeZone={me.timezone} />
        <UpcomingSection posts={overview.upcoming} timeZone={me.timezone} />
        <NeedsAttentionSection posts={overview.needsAttention} timeZone={me.timezone} />
        <WithoutContentSection listings={overview.listingsWithoutContent} />
      </div>
    </>
  );
}

const calendarDay = (at: number, timeZone: string) => ({ date: utcToZoned(at, timeZone).date });

function PerformanceSection({
  performance,
  timeZone,
}: {
  performance: Overview["performance"];
  timeZone: string;
}) {
  const charted = performance.daily.some((day) => day.reach + day.interactions > 0);
  return (
    <section className="card detail-section dashboard-performance" aria-labelledby="performance-title">
      <h2 className="card-title" id="performance-title">
        Post performance · last {performance.days} days
      </h2>
      {performance.publishedPosts === 0 ? (
        <p className="muted">No published posts in the last {performance.days} days.</p>
      ) : (
        <>
          <p className="muted">
            {performance.publishedPosts.toLocaleString("en-US")} published
            {performance.measuredPosts < performance.publishedPosts &&
              `, ${(performance.publishedPosts - performance.measuredPosts).toLocaleString("en-US")} not read yet`}
            . Figures are each post's latest reading from Meta, read once a day.
          </p>
          <div className="dashboard-platforms">
            {performance.platforms.map((entry) => (
              <div key={entry.platform}>
                <h3 className="metric-heading">
                  {PLATFORM_LABELS[entry.platform]} · {entry.posts.toLocaleString("en-US")}{" "}
                  {entry.posts === 1 ? "post" : "posts"}
                </h3>
                {entry.measured === 0 ? (
                  <p className="muted">No figures yet.</p>
                ) : (
                  <MetricFigures metrics={entry.totals} label={`${PLATFORM_LABELS[entry.platform]} totals`} />
                )}
              </div>
            ))}
          </div>
          {charted && (
            <Suspense fallback={<div className="metrics-chart-frame" />}>
              <MetricsChart daily={performance.daily} />
            </Suspense>
          )}
          <h3 className="metric-heading">Best posts</h3>
          {performance.best.length === 0 ? (
            <p className="muted">No figures yet. Meta's figures are read once a day.</p>
          ) : (
            <ol className="dashboard-list" aria-label="Best posts">
              {performance.best.map((post) => (
                <li key={post.postId}>
                  <p>
                    <strong>{post.listing.addressLine}</strong> · {PLATFORM_LABELS[post.platform]} ·{" "}
                    <span className="muted">{formatDateTime(post.postedAt, timeZone)}</span>
                  </p>
                  <MetricFigures
                    metrics={post.metrics}
                    label={`Figures of the post for ${post.listing.addressLine}`}
                  />
                  <p className="metric-meta">
                    {post.permalink && (
                      <a href={post.permalink} target="_blank" rel="noopener noreferrer">
                        {viewOn(post.platform)}
                      </a>
                    )}
                    <RefreshMetricsButton postId={post.postId} label="Refresh figures" />
                  </p>
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </section>
  );
}

function UpcomingSection({ posts, timeZone }: { posts: Overview["upcoming"]; timeZone: string }) {
  return (
    <section className="card detail-section" aria-labelledby="upcoming-title">
      <h2 className="card-title" id="upcoming-title">
        Next 7 days
      </h2>
      {posts.length === 0 ? (
        <p className="muted">Nothing is scheduled for the next 7 days.</p>
      ) : (
        <ul className="dashboard-list" aria-label="Scheduled posts">
          {posts.slice(0, SHOWN).map((post) => (
            <li key={post.id}>
              <p>
                <strong>{formatDateTime(post.scheduledAt, timeZone)}</strong> ·{" "}
                {PLATFORM_LABELS[post.platform]}
                {post.status === "publishing" && ` · ${POST_STATUS_LABELS.publishing}`}
              </p>
              <p>
                <Link to="/calendar" search={calendarDay(post.scheduledAt, timeZone)}>
                  {KIND_LABELS[post.kind]} for {post.listing.addressLine}
                </Link>
              </p>
            </li>
          ))}
        </ul>
      )}
      <MoreInCalendar count={posts.length} />
    </section>
  );
}

function NeedsAttentionSection({ posts, timeZone }: { posts: Overview["needsAttention"]; timeZone: string }) {
  return (
    <section className="card detail-section" aria-labelledby="attention-title">
      <h2 className="card-title" id="attention-title">
        Needs your attention
      </h2>
      {posts.length === 0 ? (
        <p className="muted">No failed or unconfirmed posts in the last 30 days.</p>
      ) : (
        <ul className="dashboard-list" aria-label="Posts that need you">
          {posts.slice(0, SHOWN).map((post) => (
            <li key={post.id}>
              <p>
                <span className={`post-badge post-badge-${post.status}`}>
                  {POST_STATUS_LABELS[post.status]}
                </span>{" "}
                {PLATFORM_LABELS[post.platform]} · {post.listing.addressLine} ·{" "}
                <span className="muted">{formatDateTime(post.scheduledAt, timeZone)}</span>
              </p>
              <p>{post.reason}</p>
              <p>
                <Link to="/calendar" search={calendarDay(post.scheduledAt, timeZone)}>
                  Open in the calendar
                </Link>
              </p>
            </li>
          ))}
        </ul>
      )}
      <MoreInCalendar count={posts.length} />
    </section>
  );
}

/** The lists show a few posts; the calendar has them all. */
function MoreInCalendar({ count }: { count: number }) {
  if (count <= SHOWN) return null;
  return (
    <p>
      <Link to="/calendar">{(count - SHOWN).toLocaleString("en-US")} more in the calendar</Link>
    </p>
  );
}

function WithoutContentSection({ listings }: { listings: Overview["listingsWithoutContent"] }) {
  return (
    <section className="card detail-section" aria-labelledby="without-content-title">
      <h2 className="card-title" id="without-content-title">
        Listings without content
      </h2>
      {listings.count === 0 ? (
        <p className="muted">Every active listing has content.</p>
      ) : (
        <>
          <p>
            {listings.count.toLocaleString("en-US")} active{" "}
            {listings.count === 1 ? "listing has" : "listings have"} no drafts yet.
          </p>
          <ul className="dashboard-list" aria-label="Listings without content">
            {listings.first.map((listing) => (
              <li key={listing.id}>
                <Link to="/listings/$listingId" params={{ listingId: listing.id }}>
                  {listing.addressLine}
                </Link>
                {listing.city && <span className="muted">, {listing.city}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
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
