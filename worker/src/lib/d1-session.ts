// D1 read replication through the Sessions API. With replicas enabled (README › Deploying), a request's
// reads may be served by a nearby read-only copy; a session keeps them sequentially consistent, and the
// bookmark it ends on, carried in a cookie, makes the browser's next request start at least there. So a
// read after Chris's own write always sees that write, in whichever tab and region it lands.

/** Carries the last D1 bookmark a browser session saw. Not a secret: a D1 position, no data. */
export const BOOKMARK_COOKIE = "rltr_d1b";

// D1 bookmarks are hyphenated hex fields (e.g. "0000000a-00000002-00004fc8-1b58…"); anything else in the
// cookie is ignored rather than passed to D1, which would fail the request.
const BOOKMARK = /^[0-9a-f]{8}(?:-[0-9a-f]{1,64}){1,4}$/i;

/** The bookmark a request carries, or null when it has none (or a malformed one). */
export function readBookmark(cookieHeader: string | null): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const [name, value] = part.trim().split("=");
    if (name === BOOKMARK_COOKIE) return value && value.length <= 300 && BOOKMARK.test(value) ? value : null;
  }
  return null;
}

export type RequestSession = {
  session: D1DatabaseSession;
  /** The Set-Cookie line for the bookmark this session reached, or null when the cookie is already current. */
  cookie(): string | null;
};

/**
 * The D1 session for one API request. A mutation starts on the primary ("first-primary"): its reads decide
 * what it writes, so they must be the latest. A query starts from the browser's bookmark, or anywhere when
 * it has none (a first visit has nothing of its own to see yet).
 */
export function openRequestSession(db: D1Database, request: Request): RequestSession {
  const carried = readBookmark(request.headers.get("Cookie"));
  const write = request.method !== "GET" && request.method !== "HEAD";
  const session = db.withSession(write ? "first-primary" : (carried ?? "first-unconstrained"));
  return {
    session,
    cookie() {
      const reached = session.getBookmark();
      // Only a write moves the browser's bookmark on (a first visit gets one to start from). A read may
      // have been served before a write that answered first: its later answer must not move the
      // browser back before that write. Bookmarks sort oldest to newest.
      if (!reached || (carried && (!write || reached <= carried))) return null;
      return `${BOOKMARK_COOKIE}=${reached}; HttpOnly; Secure; SameSite=Lax; Path=/api`;
    },
  };
}
