// The live bell's socket client. One WebSocket to the agent's NotificationHub for all of the browser's tabs
// where Web Locks and BroadcastChannel exist: the tab holding the lock (the leader) keeps the socket and relays
// each message to the other tabs; when it closes, the lock passes to another tab, which opens its own socket.
// Without those APIs every tab keeps its own socket. The hub drops sockets on every deploy, so the client
// reconnects with jittered backoff and tells its listener, which refetches what it may have missed.
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "worker/router";

type NotificationOutput = inferRouterOutputs<AppRouter>["notifications"]["list"]["items"][number];
// An interface, not an alias, so web's declarations can name it without reaching into worker internals.
/** One notification as `notifications.list` lists it and the hub pushes it (times in epoch ms). */
export interface LiveNotification extends NotificationOutput {}

export type HubMessage =
  | { type: "notification"; notification: LiveNotification; unreadCount: number }
  | { type: "unread"; unreadCount: number };

export type SocketListener = {
  onMessage: (message: HubMessage) => void;
  /** The socket came back after a drop (here or in the leader tab): anything may have been missed. */
  onReconnect: () => void;
  /** A connection failed before it opened: perhaps the session ended (the handshake answers 401). */
  onRefused: () => void;
};

type Relay = { kind: "hub"; message: HubMessage } | { kind: "reconnected" } | { kind: "refused" };

const LOCK_NAME = "rltr-notifications-socket";
const CHANNEL_NAME = "rltr-notifications";
const PING_MS = 30_000;
// Two pings without any answer (not even "pong"): the connection is dead even if the browser hasn't noticed.
const SILENCE_MS = 2 * PING_MS + 5_000;
const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
/** The hub closes a signed-out session's sockets with this code (worker: SIGNED_OUT_CLOSE_CODE). */
export const SIGNED_OUT_CLOSE_CODE = 4001;

/** Attempt 0, 1, 2… -> a delay between half and all of 1 s, 2 s, 4 s… capped at 30 s ("equal jitter"). */
export function backoffDelay(attempt: number, random = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** A hub message, or null for anything else ("pong", or something this client doesn't know). */
export function parseHubMessage(data: unknown): HubMessage | null {
  if (typeof data !== "string" || data === "pong") return null;
  try {
    const value = JSON.parse(data) as Partial<HubMessage> | null;
    if (!value || typeof value.unreadCount !== "number") return null;
    if (value.type === "unread") return value as HubMessage;
    if (value.type === "notification" && value.notification && typeof value.notification.id === "string") {
      return value as HubMessage;
    }
    return null;
  } catch {
    return null;
  }
}

function socketUrl(): string {
  const url = new URL("/api/notifications/socket", window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

/**
 * Keeps one socket open (reconnecting) until the returned function is called, passing each message to
 * `deliver`; `onReopen` runs after every reconnect but not after the first open.
 */
function runSocket(
  deliver: (message: HubMessage) => void,
  onReopen: () => void,
  onRefused: () => void,
): () => void {
  let socket: WebSocket | null = null;
  let stopped = false;
  let opened = false;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let lastHeard = 0;

  const connect = () => {
    retryTimer = undefined;
    if (stopped) return;
    const current = new WebSocket(socketUrl());
    socket = current;
    let currentOpened = false;
    current.onopen = () => {
      currentOpened = true;
      if (opened) onReopen();
      opened = true;
      attempt = 0;
      lastHeard = Date.now();
      pingTimer = setInterval(() => {
        if (Date.now() - lastHeard > SILENCE_MS) current.close();
        else if (current.readyState === WebSocket.OPEN) current.send("ping");
      }, PING_MS);
    };
    current.onmessage = (event) => {
      lastHeard = Date.now();
      const message = parseHubMessage(event.data);
      if (message) deliver(message);
    };
    current.onclose = (event) => {
      clearInterval(pingTimer);
      if (socket !== current || stopped) return;
      socket = null;
      // Signed out (perhaps in another tab): reconnecting is pointless; asking who is signed in sends the
      // visitor to sign in, which stops this socket's runner.
      if (event.code === SIGNED_OUT_CLOSE_CODE) return onRefused();
      retryTimer = setTimeout(connect, backoffDelay(attempt++));
      if (!currentOpened) onRefused();
    };
  };

  // Back online, or the tab shown again after a long sleep: try now instead of at the end of the backoff.
  const retryNow = () => {
    if (stopped || retryTimer === undefined) return;
    clearTimeout(retryTimer);
    connect();
  };
  window.addEventListener("online", retryNow);
  document.addEventListener("visibilitychange", retryNow);
  connect();

  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    clearInterval(pingTimer);
    window.removeEventListener("online", retryNow);
    document.removeEventListener("visibilitychange", retryNow);
    socket?.close(1000, "closing");
    socket = null;
  };
}

/**
 * Subscribes this tab to the agent's live notifications until the returned function is called (the app
 * shell unmounting, as on sign-out), which also closes this tab's socket if it holds one.
 */
export function connectNotifications(listener: SocketListener): () => void {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  if (!locks || typeof BroadcastChannel === "undefined") {
    return runSocket(listener.onMessage, listener.onReconnect, listener.onRefused);
  }

  const channel = new BroadcastChannel(CHANNEL_NAME);
  const post = (relay: Relay) => channel.postMessage(relay);
  // Messages from the leader tab (a channel never delivers a tab's own messages back to it).
  channel.onmessage = (event: MessageEvent<Relay>) => {
    if (event.data?.kind === "hub") listener.onMessage(event.data.message);
    else if (event.data?.kind === "reconnected") listener.onReconnect();
    else if (event.data?.kind === "refused") listener.onRefused();
  };

  const abort = new AbortController();
  let release: (() => void) | undefined;
  let stopSocket: (() => void) | undefined;
  const lead = (tookOver: boolean) => {
    if (abort.signal.aborted) return;
    // A follower that becomes the leader had no socket of its own for a moment: catch up as on a reconnect.
    if (tookOver) listener.onReconnect();
    stopSocket = runSocket(
      (message) => {
        listener.onMessage(message);
        post({ kind: "hub", message });
      },
      () => {
        listener.onReconnect();
        post({ kind: "reconnected" });
      },
      () => {
        listener.onRefused();
        post({ kind: "refused" });
      },
    );
    // Held until this tab stops; closing the tab releases it too.
    return new Promise<void>((resolve) => {
      release = resolve;
    });
  };
  // First without waiting (to know whether this tab leads from the start), then in the queue for the lock.
  locks
    .request(LOCK_NAME, { ifAvailable: true }, (lock) =>
      lock ? lead(false) : locks.request(LOCK_NAME, { signal: abort.signal }, () => lead(true)),
    )
    .catch(() => {
      // Aborted while waiting for the lock: this tab stopped before it became the leader.
    });

  return () => {
    abort.abort();
    stopSocket?.();
    release?.();
    channel.close();
  };
}
