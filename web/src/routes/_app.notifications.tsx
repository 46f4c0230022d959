import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { createFileRoute, Link, useNavigate, useRouter } from "@tanstack/react-router";
import { NOTIFICATION_EVENTS, type NotificationEvent } from "db/rules";
import { notificationHref, useMarkRead } from "../components/NotificationBell";
import { PageHeader } from "../components/PageHeader";
import { Spinner } from "../components/Spinner";
import { useMe } from "../lib/auth";
import { errorMessage } from "../lib/errors";
import { formatDateTime, formatRelative } from "../lib/format";
import type { LiveNotification } from "../lib/notifications";
import { useNow } from "../lib/useNow";
import { trpc } from "../trpc";

type NotificationsSearch = { unread?: true; event?: NotificationEvent };

export const Route = createFileRoute("/_app/notifications")({
  validateSearch: (search: Record<string, unknown>): NotificationsSearch => ({
    unread: search.unread === true || search.unread === "true" || search.unread === "1" ? true : undefined,
    event: NOTIFICATION_EVENTS.find((event) => event === search.event),
  }),
  component: NotificationsPage,
});

const EVENT_LABELS: Record<NotificationEvent, string> = {
  listing_new: "New listings",
  listing_changed: "Listing changes",
  ingestion_failed: "Ingestion failed",
  content_ready: "Drafts ready",
  content_failed: "Drafting failed",
  content_approved: "Content approved",
  marketing_sent: "Sent to marketing",
  marketing_response: "Marketing answered",
  marketing_reminder: "Marketing reminders",
  post_scheduled: "Posts scheduled",
  post_succeeded: "Posts published",
  post_failed: "Posts failed",
  post_unconfirmed: "Posts unconfirmed",
  account_needs_reconnect: "Account needs reconnecting",
  preflight_warning: "Preflight warnings",
};

const PAGE_SIZE = 20;

function NotificationsPage() {
  const search = Route.useSearch();
  const navigate = useNavigate({ from: Route.fullPath });
  const router = useRouter();
  const me = useMe();
  const now = useNow();
  const filtered = search.unread !== undefined || search.event !== undefined;
  const list = useInfiniteQuery({
    ...trpc.notifications.list.infiniteQueryOptions(
      { limit: PAGE_SIZE, unreadOnly: search.unread, event: search.event },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
    placeholderData: keepPreviousData,
  });
  // The bell's count, kept live by the socket.
  const count = useQuery(trpc.notifications.unreadCount.queryOptions());
  const unread = count.data?.unreadCount ?? list.data?.pages[0]?.unreadCount ?? 0;
  const { markRead, markAllRead } = useMarkRead();
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];

  function open(event: React.MouseEvent, item: LiveNotification) {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    if (item.readAt === null) markRead.mutate({ ids: [item.id] });
    void router.navigate({ href: notificationHref(item.link) });
  }

  return (
    <>
      <PageHeader
        documentTitle="Notifications"
        title="Notifications"
        description="What your agents did and what needs you: new listings, drafts, approvals and posts."
        actions={
          <button
            className="button button-quiet"
            type="button"
            disabled={unread === 0 || markAllRead.isPending}
            onClick={() => markAllRead.mutate()}
          >
            Mark all read
          </button>
        }
      />
      <div className="filters notification-filters">
        <label className="check">
          <input
            type="checkbox"
            checked={search.unread === true}
            onChange={(event) =>
              void navigate({ search: (prev) => ({ ...prev, unread: event.target.checked || undefined }) })
            }
          />
          Unread only
        </label>
        <label className="filter filter-wide">
          <span className="filter-label">Event</span>
          <select
            className="input select"
            value={search.event ?? ""}
            onChange={(event) =>
              void navigate({
                search: (prev) => ({
                  ...prev,
                  event: NOTIFICATION_EVENTS.find((value) => value === event.target.value),
                }),
              })
            }
          >
            <option value="">All events</option>
            {NOTIFICATION_EVENTS.map((event) => (
              <option key={event} value={event}>
                {EVENT_LABELS[event]}
              </option>
            ))}
          </select>
        </label>
        {filtered && (
          <Link className="filters-clear" to="/notifications">
            Clear filters
          </Link>
        )}
      </div>
      {(markRead.isError || markAllRead.isError) && (
        <p className="alert alert-error" role="alert">
          {errorMessage(markAllRead.error ?? markRead.error)}
        </p>
      )}

      {list.isPending ? (
        <p className="loading" role="status">
          <Spinner /> Loading notifications…
        </p>
      ) : list.isError && items.length === 0 ? (
        <div className="alert alert-error listing-error" role="alert">
          <p>Could not load notifications. {errorMessage(list.error)}</p>
          <button className="button button-quiet" type="button" onClick={() => void list.refetch()}>
            Try again
          </button>
        </div>
      ) : items.length === 0 ? (
        <p className="empty-state">
          {filtered ? "No notifications match these filters." : "No notifications yet."}
        </p>
      ) : (
        <>
          <ul
            className="notification-list"
            aria-label="Notifications"
            aria-busy={list.isPlaceholderData || undefined}
          >
            {items.map((item) => (
              <li
                key={item.id}
                className={item.readAt === null ? "notification notification-unread" : "notification"}
              >
                <div className="notification-main">
                  <a
                    className="notification-title"
                    href={notificationHref(item.link)}
                    onClick={(event) => open(event, item)}
                  >
                    {item.readAt === null && <span className="visually-hidden">Unread: </span>}
                    {item.title}
                  </a>
                  {item.body && <p className="notification-body">{item.body}</p>}
                  <p className="notification-meta muted">
                    <span className="tag">{EVENT_LABELS[item.event]}</span>{" "}
                    <time
                      dateTime={new Date(item.createdAt).toISOString()}
                      title={formatDateTime(item.createdAt, me.timezone)}
                    >
                      {formatRelative(item.createdAt, now)}
                    </time>
                  </p>
                </div>
                {item.readAt === null && (
                  <button
                    className="button button-quiet notification-read"
                    type="button"
                    disabled={markRead.isPending}
                    onClick={() => markRead.mutate({ ids: [item.id] })}
                  >
                    Mark read<span className="visually-hidden">: {item.title}</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
          {list.hasNextPage && (
            <div className="load-more">
              <button
                className="button button-quiet"
                type="button"
                disabled={list.isFetchingNextPage}
                onClick={() => void list.fetchNextPage()}
              >
                {list.isFetchingNextPage ? (
                  <>
                    <Spinner /> Loading more…
                  </>
                ) : (
                  "Load more"
                )}
              </button>
            </div>
          )}
          {list.isFetchNextPageError && (
            <p className="alert alert-error" role="alert">
              Could not load more notifications. {errorMessage(list.error)}
            </p>
          )}
        </>
      )}
    </>
  );
}
