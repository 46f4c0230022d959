import { useQuery } from "@tanstack/react-query";
import { createFileRoute, Link } from "@tanstack/react-router";
import { useState } from "react";
import { EmptyState, PageHeader } from "../components/PageHeader";
import { Spinner } from "../components/Spinner";
import { useMe } from "../lib/auth";
import { isDay } from "../lib/days";
import { errorMessage } from "../lib/errors";
import {
  addDays,
  addMonths,
  type CalendarView,
  daysRange,
  formatDay,
  monthStart,
  type PostItem,
  todayIn,
  viewDays,
} from "../lib/posts";
import { trpc } from "../trpc";
import { CalendarGrid, CalendarList } from "./-components/CalendarGrid";
import { CalendarPostDialog } from "./-components/CalendarPostDialog";

type CalendarSearch = { view?: CalendarView; date?: string };

export const Route = createFileRoute("/_app/calendar")({
  validateSearch: (search: Record<string, unknown>): CalendarSearch => ({
    view: search.view === "month" ? "month" : search.view === "week" ? "week" : undefined,
    date: isDay(search.date) ? search.date : undefined,
  }),
  component: CalendarPage,
});

/**
 * While a post is about to go out or is going out, the calendar follows it (every 3 s); a later scheduled
 * post sets a timer to wake shortly before its time (at most 5 minutes apart), since `false` stops polling.
 */
function pollWhileDue(query: { state: { data?: { items: PostItem[] } } }): number | false {
  const now = Date.now();
  let next: number | false = false;
  for (const post of query.state.data?.items ?? []) {
    if (post.status === "publishing") return 3000;
    if (post.status !== "scheduled") continue;
    const wait = post.scheduledAt - now;
    // Long overdue and still not started: the sweeper's business, not worth polling for.
    if (wait < -600_000) continue;
    const interval = wait <= 60_000 ? 3000 : Math.min(wait - 50_000, 300_000);
    next = next === false ? interval : Math.min(next, interval);
  }
  return next;
}

function CalendarPage() {
  const me = useMe();
  const timeZone = me.timezone;
  const search = Route.useSearch();
  const view = search.view ?? "week";
  const today = todayIn(timeZone);
  const anchor = search.date ?? today;
  const days = viewDays(view, anchor);
  const range = daysRange(days, timeZone);
  const posts = useQuery({ ...trpc.posts.list.queryOptions(range), refetchInterval: pollWhileDue });
  const [open, setOpen] = useState<PostItem | null>(null);

  const step = (direction: 1 | -1) =>
    view === "week" ? addDays(anchor, 7 * direction) : addMonths(anchor, direction);
  const first = days[0] ?? anchor;
  const last = days.at(-1) ?? anchor;
  const heading =
    view === "month"
      ? formatDay(monthStart(anchor), { month: "long", year: "numeric" })
      : `${formatDay(first, { month: "short", day: "numeric" })} – ${formatDay(last, { month: "short", day: "numeric", year: "numeric" })}`;
  const items = posts.data?.items ?? [];

  return (
    <>
      <PageHeader
        documentTitle="Calendar"
        title="Calendar"
        description={`Scheduled and published posts, in your time zone (${timeZone.replaceAll("_", " ")}).`}
      />
      <div className="calendar-toolbar">
        <nav className="calendar-nav" aria-label="Calendar dates">
          <Link className="button button-quiet" to="/calendar" search={{ view, date: step(-1) }}>
            <span aria-hidden="true">←</span> Previous {view}
          </Link>
          <Link className="button button-quiet" to="/calendar" search={{ view }}>
            Today
          </Link>
          <Link className="button button-quiet" to="/calendar" search={{ view, date: step(1) }}>
            Next {view} <span aria-hidden="true">→</span>
          </Link>
        </nav>
        <h2 className="calendar-heading" aria-live="polite">
          {heading}
        </h2>
        <nav className="calendar-views" aria-label="Calendar view">
          {(["week", "month"] as const).map((option) => (
            <Link
              key={option}
              className={`button ${option === view ? "button-primary" : "button-quiet"}`}
              to="/calendar"
              search={{ view: option, date: search.date }}
              aria-current={option === view ? "page" : undefined}
            >
              {option === "week" ? "Week" : "Month"}
            </Link>
          ))}
        </nav>
      </div>
      {posts.isError ? (
        <p className="alert alert-error" role="alert">
          {errorMessage(posts.error)}
        </p>
      ) : posts.isPending ? (
        <p className="muted" role="status">
          <Spinner /> Loading posts…
        </p>
      ) : (
        <>
          <ul className="calendar-legend" aria-label="Status colours">
            {(["scheduled", "publishing", "published", "failed", "unconfirmed", "cancelled"] as const).map(
              (status) => (
                <li className={`calendar-legend-${status}`} key={status}>
                  {status.charAt(0).toUpperCase() + status.slice(1)}
                </li>
              ),
            )}
          </ul>
          {items.length === 0 && (
            <EmptyState>No posts this {view}. Approve a draft and choose “Schedule…” to plan one.</EmptyState>
          )}
          <CalendarGrid
            view={view}
            days={days}
            month={anchor.slice(0, 7)}
            today={today}
            posts={items}
            timeZone={timeZone}
            onOpen={setOpen}
          />
          <div className="calendar-narrow">
            <CalendarList days={days} posts={items} timeZone={timeZone} onOpen={setOpen} />
          </div>
        </>
      )}
      {open && (
        <CalendarPostDialog key={open.id} post={open} timeZone={timeZone} onClose={() => setOpen(null)} />
      )}
    </>
  );
}
