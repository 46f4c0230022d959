import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import {
  foldReadings,
  METRIC_KEYS,
  type MetricKey,
  type PostMetricValues,
} from "worker/schemas/post-metrics";
import { FormAlert } from "../../components/Field";
import { KIND_LABELS } from "../../lib/content";
import { errorMessage } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import {
  PLATFORM_LABELS,
  POST_STATUS_LABELS,
  type PostStatus,
  type SocialPlatform,
  viewOn,
} from "../../lib/posts";
import { trpc } from "../../trpc";
import "./metrics.css";

export type { PostMetricValues };

const METRIC_LABELS: Record<MetricKey, string> = {
  views: "Views",
  reach: "Reach",
  reactions: "Reactions",
  comments: "Comments",
  shares: "Shares",
  saves: "Saves",
  clicks: "Clicks",
  interactions: "Interactions",
};

const NOT_READ_AGAIN = "Not read again: figures are read at most every 5 minutes, for 30 days after posting.";

const UNAVAILABLE_HINT = "Meta shows this figure only once a post has enough viewers.";

/** A post's (or a platform's) figures; a figure Meta refused reads "Not available". */
export function MetricFigures({ metrics, label }: { metrics: PostMetricValues; label: string }) {
  const keys = METRIC_KEYS.filter((key) => metrics[key] !== undefined);
  if (keys.length === 0) return <p className="muted">No figures yet.</p>;
  return (
    <dl className="metric-figures" aria-label={label}>
      {keys.map((key) => {
        const value = metrics[key];
        return (
          <div key={key} className="metric-figure">
            <dt>{METRIC_LABELS[key]}</dt>
            {value === "unavailable" ? (
              <dd className="metric-unavailable" title={UNAVAILABLE_HINT}>
                Not available
              </dd>
            ) : (
              <dd>{(value ?? 0).toLocaleString("en-US")}</dd>
            )}
          </div>
        );
      })}
    </dl>
  );
}

/** After a refresh, everything that shows this post's figures reads them again. */
function useRefreshInsights(postId: string) {
  const queryClient = useQueryClient();
  return useMutation(
    trpc.posts.refreshInsights.mutationOptions({
      onSuccess: (view) => {
        const { refreshed, ...rest } = view;
        queryClient.setQueryData(trpc.posts.insights.queryKey({ id: postId }), (old) =>
          old ? { ...old, ...rest } : old,
        );
      },
      onSettled: () =>
        Promise.all([
          queryClient.invalidateQueries(trpc.posts.insights.queryFilter({ id: postId })),
          queryClient.invalidateQueries(trpc.posts.byListing.pathFilter()),
          queryClient.invalidateQueries(trpc.dashboard.pathFilter()),
        ]),
    }),
  );
}

/** "Refresh" on a post: reads its figures from Meta now (at most every 5 minutes). */
export function RefreshMetricsButton({ postId, label = "Refresh" }: { postId: string; label?: string }) {
  const refresh = useRefreshInsights(postId);
  return (
    <>
      <button
        className="button button-quiet metric-refresh"
        type="button"
        disabled={refresh.isPending}
        onClick={() => refresh.mutate({ id: postId })}
      >
        {refresh.isPending ? "Refreshing…" : label}
      </button>
      {refresh.data && !refresh.data.refreshed && !refresh.data.insightsError && (
        <span className="muted" role="status">
          {NOT_READ_AGAIN}
        </span>
      )}
      {refresh.error && <FormAlert message={errorMessage(refresh.error)} />}
    </>
  );
}

/** One published post's latest figures, when they were read, and "Refresh". */
export function PostMetrics({ postId, timeZone }: { postId: string; timeZone: string }) {
  const insights = useQuery(trpc.posts.insights.queryOptions({ id: postId }));
  if (insights.isPending) return <p className="muted">Loading figures…</p>;
  if (insights.error) return <FormAlert message={errorMessage(insights.error)} />;
  const view = insights.data;
  const metrics = foldReadings(view.latest.map((reading) => ({ ...reading, postId }))).get(postId)?.metrics;
  return (
    <section className="post-metrics" aria-label="Performance">
      {metrics ? (
        <MetricFigures metrics={metrics} label="Post figures" />
      ) : (
        <p className="muted">No figures yet. Meta's figures are read once a day; Refresh reads them now.</p>
      )}
      <div className="metric-meta">
        {view.insightsAt !== null && (
          <span className="muted">Read {formatDateTime(view.insightsAt, timeZone)}</span>
        )}
        <RefreshMetricsButton postId={postId} />
      </div>
      {view.insightsError && <p className="alert alert-warning">{view.insightsError}</p>}
    </section>
  );
}

/** The draft page: the figures of each of the piece's published posts. */
export function PiecePostMetrics({
  posts,
  timeZone,
}: {
  posts: readonly { id: string; platform: SocialPlatform; status: PostStatus }[];
  timeZone: string;
}) {
  const published = posts.filter((post) => post.status === "published");
  if (published.length === 0) return null;
  return (
    <div className="piece-metrics">
      <h3 className="metric-heading">Performance</h3>
      {published.map((post) => (
        <div key={post.id}>
          {published.length > 1 && <p className="metric-platform">{PLATFORM_LABELS[post.platform]}</p>}
          <PostMetrics postId={post.id} timeZone={timeZone} />
        </div>
      ))}
    </div>
  );
}

/** The listing page: every post of the listing with its figures. */
export function ListingPostsPerformance({ listingId, timeZone }: { listingId: string; timeZone: string }) {
  const posts = useQuery(trpc.posts.byListing.queryOptions({ listingId }));
  if (posts.isPending) return <p className="muted">Loading posts…</p>;
  if (posts.error) return <FormAlert message={errorMessage(posts.error)} />;
  if (posts.data.items.length === 0) {
    return <p className="muted">No posts for this home yet. Approve a draft to post it.</p>;
  }
  return (
    <ul className="listing-posts">
      {posts.data.items.map((post) => (
        <li key={post.id} className="listing-post">
          <p>
            <strong>{PLATFORM_LABELS[post.platform]}</strong>{" "}
            <span className={`post-badge post-badge-${post.status}`}>{POST_STATUS_LABELS[post.status]}</span>{" "}
            <span className="muted">{formatDateTime(post.postedAt ?? post.scheduledAt, timeZone)}</span>
          </p>
          <p>
            <Link to="/approvals/$pieceId" params={{ pieceId: post.contentId }} search={{}}>
              {KIND_LABELS[post.kind]}
            </Link>
            {post.status === "published" && post.permalink && (
              <>
                {" · "}
                <a href={post.permalink} target="_blank" rel="noopener noreferrer">
                  {viewOn(post.platform)}
                </a>
              </>
            )}
          </p>
          {post.status === "published" &&
            (post.metrics ? (
              <MetricFigures
                metrics={post.metrics}
                label={`${PLATFORM_LABELS[post.platform]} post figures`}
              />
            ) : (
              <p className="muted">No figures yet.</p>
            ))}
          {post.status === "published" && (
            <div className="metric-meta">
              <RefreshMetricsButton postId={post.id} />
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}
