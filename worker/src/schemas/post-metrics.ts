// The figures a post's metrics are shown as, folded from the rows the insights job stores. Pure, so the
// web app folds a post's readings (posts.insights) the same way the dashboard does.

/** The figures shown, whatever Graph calls them on each platform. */
export const METRIC_KEYS = [
  "views",
  "reach",
  "reactions",
  "comments",
  "shares",
  "saves",
  "clicks",
  "interactions",
] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];

// The names the insights job stores (agents/social/insights.ts METRICS) onto the figures shown. Facebook's
// reactions by type ("reactions_like", ...) are left out: their total is stored as "reactions".
const METRIC_ALIASES: Record<string, MetricKey> = {
  views: "views",
  views_unique: "reach",
  reach: "reach",
  reactions: "reactions",
  likes: "reactions",
  comments: "comments",
  shares: "shares",
  saved: "saves",
  clicks: "clicks",
  total_interactions: "interactions",
};

/** A figure is a number, or "unavailable" when Meta refused it for the post (a small audience). */
export type MetricValue = number | "unavailable";
export type PostMetricValues = Partial<Record<MetricKey, MetricValue>>;

export type MetricReading = {
  postId: string;
  metric: string;
  value: number | null;
  status: "ok" | "unavailable";
  capturedAt: Date | number;
};

/**
 * Folds each post's latest readings into the figures shown. Interactions are
 * Instagram's own total, or reactions + comments + shares + saves where Graph gives none.
 */
export function foldReadings(readings: readonly MetricReading[]) {
  const byPost = new Map<string, { metrics: PostMetricValues; readAt: number }>();
  for (const reading of readings) {
    const metric = METRIC_ALIASES[reading.metric];
    if (!metric) continue;
    const entry = byPost.get(reading.postId) ?? { metrics: {}, readAt: 0 };
    entry.readAt = Math.max(entry.readAt, new Date(reading.capturedAt).getTime());
    const current = entry.metrics[metric];
    if (reading.status === "ok" && reading.value !== null) {
      entry.metrics[metric] = (typeof current === "number" ? current : 0) + reading.value;
    } else if (current === undefined) {
      entry.metrics[metric] = "unavailable";
    }
    byPost.set(reading.postId, entry);
  }
  for (const { metrics } of byPost.values()) {
    if (metrics.interactions === undefined || metrics.interactions === "unavailable") {
      const parts = (["reactions", "comments", "shares", "saves"] as const)
        .map((key) => metrics[key])
        .filter((value): value is number => typeof value === "number");
      if (parts.length > 0) metrics.interactions = parts.reduce((sum, value) => sum + value, 0);
    }
  }
  return byPost;
}
