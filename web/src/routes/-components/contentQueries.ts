import { IN_PROGRESS_CONTENT_STATUSES } from "db/rules";
import type { ContentStatus, OpenPiece, PieceDetail } from "../../lib/content";

// How often content queries refetch. The routes' loaders use these, so this module is in the entry: the
// writes that change pieces are in ./contentActions, which loads with the pages that write.

/** While the content agent writes, lists refresh often enough to show the drafts as they land. */
const POLL_MS = 1500;

/** The content agent is still working on it; nothing else changes a piece without Chris. */
function inProgress(status: ContentStatus): boolean {
  return (IN_PROGRESS_CONTENT_STATUSES as readonly ContentStatus[]).includes(status);
}

/** `refetchInterval` for lists of pieces: often while one is in progress, never while all are idle. */
export function pollWhileDrafting(query: { state: { data?: OpenPiece[] } }): number | false {
  return query.state.data?.some((piece) => inProgress(piece.status)) ? POLL_MS : false;
}

/**
 * `refetchInterval` for one piece: often while it is drafted or its post is going out, and for a scheduled
 * post a refetch at its time (at most a minute apart, so a reschedule elsewhere is seen), so the page turns
 * to "Published" without a reload. `false` stops the timer, so a later time must be asked for here.
 */
export function pollWhileSettling(query: { state: { data?: PieceDetail } }): number | false {
  const piece = query.state.data;
  if (!piece) return false;
  if (inProgress(piece.status)) return POLL_MS;
  const now = Date.now();
  let next: number | false = false;
  for (const post of piece.posts) {
    if (post.status === "publishing") return POLL_MS;
    if (post.status !== "scheduled") continue;
    const wait = post.scheduledAt - now;
    // Long overdue and still not started: the sweeper's business, not worth polling for.
    if (wait < -600_000) continue;
    const interval = wait <= 5_000 ? POLL_MS : Math.min(wait, 60_000);
    next = next === false ? interval : Math.min(next, interval);
  }
  return next;
}
