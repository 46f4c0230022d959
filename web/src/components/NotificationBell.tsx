import { type QueryClient, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useRouter } from "@tanstack/react-router";
import { useEffect, useId, useRef, useState } from "react";
import { safeRedirect } from "../lib/auth";
import { errorMessage } from "../lib/errors";
import { formatRelative } from "../lib/format";
import { connectNotifications, type HubMessage, type LiveNotification } from "../lib/notifications";
import { NavIcon } from "../routes/-components/NavIcon";
import { trpc } from "../trpc";

/** How many notifications the bell's panel shows; the Notifications page has the rest. */
const PANEL_SIZE = 8;
const panelInput = { limit: PANEL_SIZE, inApp: true };

/** "Notifications, 3 unread"; just "Notifications" when all are read. */
export function bellLabel(unread: number): string {
  return unread > 0 ? `Notifications, ${unread} unread` : "Notifications";
}

/** A notification's link if it is a path in this app; anything else opens the history instead. */
export const notificationHref = (link: string | null) => (link && safeRedirect(link)) || "/notifications";

/** Everything the socket says goes into the query cache, so the bell and the Notifications page agree. */
function applyHubMessage(queryClient: QueryClient, message: HubMessage) {
  queryClient.setQueryData(trpc.notifications.unreadCount.queryKey(), { unreadCount: message.unreadCount });
  if (message.type === "notification") {
    const { notification } = message;
    // Shown at once in an open panel, on top; a notification brought up to date ("12 drafts are ready")
    // replaces its older self. The refetch below confirms it.
    queryClient.setQueryData(trpc.notifications.list.queryKey(panelInput), (page) =>
      page
        ? {
            ...page,
            items: [notification, ...page.items.filter((item) => item.id !== notification.id)].slice(
              0,
              PANEL_SIZE,
            ),
            unreadCount: message.unreadCount,
          }
        : page,
    );
  }
  // New items, or items read in another tab: the lists refetch (only those on screen do right away), once
  // per burst rather than once per message.
  clearTimeout(refetchTimer);
  refetchTimer = setTimeout(
    () => void queryClient.invalidateQueries({ queryKey: trpc.notifications.list.pathKey() }),
    250,
  );
}
let refetchTimer: ReturnType<typeof setTimeout> | undefined;

/** The live socket for as long as the app shell is mounted (signing out unmounts it and closes the socket). */
function useLiveNotifications(onNew: (notification: LiveNotification) => void) {
  const queryClient = useQueryClient();
  const onNewRef = useRef(onNew);
  onNewRef.current = onNew;
  useEffect(
    () =>
      connectNotifications({
        onMessage: (message) => {
          applyHubMessage(queryClient, message);
          if (message.type === "notification") onNewRef.current(message.notification);
        },
        // Whatever happened while the socket was down (a deploy drops every socket) is fetched again.
        onReconnect: () => void queryClient.invalidateQueries({ queryKey: trpc.notifications.pathKey() }),
        // A refused handshake may mean the session ended (signed out in another tab, expired): asking who is
        // signed in lets the app's guard send the visitor to sign in, which unmounts the bell and its socket.
        onRefused: () => void queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() }),
      }),
    [queryClient],
  );
}

/** Marks read and refreshes every notifications query; the worker tells the other tabs. */
export function useMarkRead() {
  const queryClient = useQueryClient();
  const onSuccess = (result: { unreadCount: number }) => {
    queryClient.setQueryData(trpc.notifications.unreadCount.queryKey(), { unreadCount: result.unreadCount });
    void queryClient.invalidateQueries({ queryKey: trpc.notifications.list.pathKey() });
  };
  return {
    markRead: useMutation(trpc.notifications.markRead.mutationOptions({ onSuccess })),
    markAllRead: useMutation(trpc.notifications.markAllRead.mutationOptions({ onSuccess })),
  };
}

/**
 * One announcement per burst (a run's drafts arrive together): "New notification: …", or "5 new
 * notifications. Newest: …", said once the burst has been quiet for a moment.
 */
function useAnnouncer(announce: (text: string) => void) {
  const burst = useRef<{ count: number; title: string; timer?: ReturnType<typeof setTimeout> }>({
    count: 0,
    title: "",
  });
  useEffect(() => () => clearTimeout(burst.current.timer), []);
  return (notification: LiveNotification) => {
    const current = burst.current;
    current.count++;
    current.title = notification.title;
    clearTimeout(current.timer);
    current.timer = setTimeout(() => {
      announce(
        current.count === 1
          ? `New notification: ${current.title}`
          : `${current.count} new notifications. Newest: ${current.title}`,
      );
      current.count = 0;
    }, 800);
  };
}

export function NotificationBell() {
  const router = useRouter();
  const panelId = useId();
  const [open, setOpen] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  const wrapper = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useLiveNotifications(useAnnouncer(setAnnouncement));
  const count = useQuery(trpc.notifications.unreadCount.queryOptions());
  const unread = count.data?.unreadCount ?? 0;
  const latest = useQuery({ ...trpc.notifications.list.queryOptions(panelInput), enabled: open });
  const { markRead, markAllRead } = useMarkRead();

  // Escape or a click elsewhere closes the panel.
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpen(false);
      button.current?.focus();
    };
    const onPointer = (event: PointerEvent) => {
      if (!wrapper.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [open]);

  function openNotification(event: React.MouseEvent, notification: LiveNotification) {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    setOpen(false);
    if (notification.readAt === null) markRead.mutate({ ids: [notification.id] });
    void router.navigate({ href: notificationHref(notification.link) });
  }

  const items = latest.data?.items ?? [];
  const now = Date.now();
  return (
    <div className="bell" ref={wrapper}>
      <button
        ref={button}
        className="bell-button"
        type="button"
        aria-label={bellLabel(unread)}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((value) => !value)}
      >
        <NavIcon name="notifications" />
        {unread > 0 && (
          <span className="bell-count" aria-hidden="true">
            {unread > 99 ? "99+" : unread}
          </span>
        )}
      </button>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      <section className="bell-panel" id={panelId} hidden={!open} aria-label="Latest notifications">
        <div className="bell-panel-head">
          <h2 className="bell-panel-title">Notifications</h2>
          <button
            className="link-button"
            type="button"
            disabled={unread === 0 || markAllRead.isPending}
            onClick={() => markAllRead.mutate()}
          >
            Mark all read
          </button>
        </div>
        {latest.isPending ? (
          <p className="bell-panel-note muted">Loading…</p>
        ) : latest.isError ? (
          <p className="bell-panel-note alert alert-error" role="alert">
            Could not load notifications. {errorMessage(latest.error)}
          </p>
        ) : items.length === 0 ? (
          <p className="bell-panel-note muted">No notifications yet.</p>
        ) : (
          <ul className="bell-list">
            {items.map((item) => (
              <li key={item.id} className={item.readAt === null ? "bell-item bell-item-unread" : "bell-item"}>
                <a href={notificationHref(item.link)} onClick={(event) => openNotification(event, item)}>
                  <span className="bell-item-title">
                    {item.readAt === null && <span className="visually-hidden">Unread: </span>}
                    {item.title}
                  </span>
                  {item.body && <span className="bell-item-body">{item.body}</span>}
                  <span className="bell-item-time">{formatRelative(item.createdAt, now)}</span>
                </a>
              </li>
            ))}
          </ul>
        )}
        {(markAllRead.isError || markRead.isError) && (
          <p className="bell-panel-note alert alert-error" role="alert">
            {errorMessage(markAllRead.error ?? markRead.error)}
          </p>
        )}
        <Link className="bell-see-all" to="/notifications" onClick={() => setOpen(false)}>
          See all
        </Link>
      </section>
    </div>
  );
}
