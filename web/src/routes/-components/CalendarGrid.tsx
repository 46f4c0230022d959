import type { CalendarView, PostItem } from "../../lib/posts";
import { formatDay, formatTime, PLATFORM_LABELS, POST_STATUS_LABELS, utcToZoned } from "../../lib/posts";

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

type Props = {
  view: CalendarView;
  days: string[];
  /** The month shown (its days are not dimmed), "YYYY-MM". */
  month: string;
  today: string;
  posts: PostItem[];
  timeZone: string;
  onOpen: (post: PostItem) => void;
};

/** Posts by the day they are due on, in the agent's zone. */
export function postsByDay(posts: PostItem[], timeZone: string): Map<string, PostItem[]> {
  const byDay = new Map<string, PostItem[]>();
  for (const post of posts) {
    const day = utcToZoned(post.scheduledAt, timeZone).date;
    byDay.set(day, [...(byDay.get(day) ?? []), post]);
  }
  return byDay;
}

const place = (post: PostItem) => post.listing.addressLine;

/** One post as a button: its time, platform, listing and status in words (the colour only repeats it). */
function PostChip({ post, timeZone, onOpen }: { post: PostItem; timeZone: string; onOpen: Props["onOpen"] }) {
  const time = formatTime(post.scheduledAt, timeZone);
  return (
    <button
      className={`calendar-post calendar-post-${post.status}`}
      type="button"
      aria-haspopup="dialog"
      aria-label={`${time}, ${PLATFORM_LABELS[post.platform]}, ${place(post)}: ${POST_STATUS_LABELS[post.status]}`}
      onClick={() => onOpen(post)}
    >
      <span className="calendar-post-time">{time}</span>{" "}
      <span className="calendar-post-platform">{PLATFORM_LABELS[post.platform]}</span>
      <span className="calendar-post-place">{place(post)}</span>
      <span className="calendar-post-status">{POST_STATUS_LABELS[post.status]}</span>
    </button>
  );
}

/** The week or month as a table of days (wide screens). */
export function CalendarGrid({ view, days, month, today, posts, timeZone, onOpen }: Props) {
  const byDay = postsByDay(posts, timeZone);
  const weeks = Array.from({ length: days.length / 7 }, (_, week) => days.slice(week * 7, week * 7 + 7));
  return (
    <table className={`calendar-grid calendar-grid-${view}`} aria-label="Posts by day">
      <thead>
        <tr>
          {WEEKDAYS.map((weekday) => (
            <th className="calendar-weekday" scope="col" key={weekday}>
              {weekday}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {weeks.map((row) => (
          <tr key={row[0]}>
            {row.map((day) => {
              const outside = view === "month" && !day.startsWith(month);
              return (
                <td
                  className={`calendar-day${day === today ? " calendar-today" : ""}${outside ? " calendar-outside" : ""}`}
                  key={day}
                  aria-current={day === today ? "date" : undefined}
                >
                  <span className="calendar-day-number">
                    <span className="visually-hidden">
                      {formatDay(day, { weekday: "long", month: "long" })}{" "}
                    </span>
                    {Number(day.slice(8))}
                  </span>
                  <ul className="calendar-day-posts">
                    {(byDay.get(day) ?? []).map((post) => (
                      <li key={post.id}>
                        <PostChip post={post} timeZone={timeZone} onOpen={onOpen} />
                      </li>
                    ))}
                  </ul>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The same posts as a list by day (narrow screens): days without posts are left out. */
export function CalendarList({ days, posts, timeZone, onOpen }: Omit<Props, "view" | "month" | "today">) {
  const byDay = postsByDay(posts, timeZone);
  const shown = days.filter((day) => byDay.has(day));
  if (shown.length === 0) return null;
  return (
    <ol className="calendar-list" aria-label="Posts by day">
      {shown.map((day) => (
        <li key={day}>
          <h3 className="calendar-list-day">
            {formatDay(day, { weekday: "long", month: "long", day: "numeric" })}
          </h3>
          <ul className="calendar-day-posts">
            {(byDay.get(day) ?? []).map((post) => (
              <li key={post.id}>
                <PostChip post={post} timeZone={timeZone} onOpen={onOpen} />
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}
