import { describe, expect, it } from "vitest";
import { foldReadings, type MetricReading } from "../src/schemas/post-metrics";

const reading = (metric: string, value: number | null, postId = "p1"): MetricReading => ({
  postId,
  metric,
  value,
  status: value === null ? "unavailable" : "ok",
  capturedAt: 1_000,
});

describe("foldReadings", () => {
  it("names Facebook's figures as shown and adds interactions from their parts", () => {
    const folded = foldReadings([
      reading("views_unique", 300),
      reading("reactions", 12),
      reading("reactions_like", 10),
      reading("reactions_love", 2),
      reading("comments", 3),
      reading("shares", 1),
      reading("clicks", 9),
    ]);
    expect(folded.get("p1")?.metrics).toEqual({
      reach: 300,
      reactions: 12,
      comments: 3,
      shares: 1,
      clicks: 9,
      interactions: 16,
    });
  });

  it("keeps Instagram's own total and marks refused figures unavailable", () => {
    const folded = foldReadings([
      reading("views", null),
      reading("reach", null),
      reading("likes", 4),
      reading("saved", 2),
      reading("total_interactions", 7),
      reading("follows", 1),
    ]);
    expect(folded.get("p1")?.metrics).toEqual({
      views: "unavailable",
      reach: "unavailable",
      reactions: 4,
      saves: 2,
      interactions: 7,
    });
  });

  it("computes interactions when Instagram's total was refused, and keeps posts apart", () => {
    const folded = foldReadings([
      reading("total_interactions", null),
      reading("likes", 5),
      reading("comments", 1),
      reading("likes", 8, "p2"),
    ]);
    expect(folded.get("p1")?.metrics.interactions).toBe(6);
    expect(folded.get("p2")?.metrics).toEqual({ reactions: 8, interactions: 8 });
    expect(folded.get("p1")?.readAt).toBe(1_000);
  });
});
