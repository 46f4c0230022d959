import { createFileRoute, Link } from "@tanstack/react-router";
import { PageHeader } from "../components/PageHeader";
import { useMe } from "../lib/auth";
import { StatCard } from "./-components/StatCard";

export const Route = createFileRoute("/_app/")({
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
      <section className="stat-grid" aria-label="Overview">
        <StatCard title="New listings" emptyText={NO_LISTINGS} />
        <StatCard title="Changed listings" emptyText={NO_LISTINGS} />
        <StatCard
          title="Pending approvals"
          emptyText="Nothing to approve yet. Drafted posts will wait here."
        />
        <StatCard
          title="Last ingestion run"
          emptyText="The listing agent has not run yet. It runs every 30 minutes."
        />
      </section>
    </>
  );
}
