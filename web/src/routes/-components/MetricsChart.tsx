// The dashboard's daily chart. uPlot and its CSS are imported here only; the dashboard loads this module
// with React.lazy, so the chart library stays out of the entry chunk and off the pages that do not chart.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export type DailyFigures = { date: string; posts: number; reach: number; interactions: number };

const HEIGHT = 200;
const dayLabel = (date: string) =>
  new Date(`${date}T12:00:00Z`).toLocaleDateString("en-US", {
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  });

/** Reach and interactions of the posts that went out each day, from each post's latest reading. */
export default function MetricsChart({ daily }: { daily: readonly DailyFigures[] }) {
  const frame = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const target = frame.current;
    if (!target) return;
    // Noon UTC of each day: the axis labels then show the same day in every zone.
    const xs = daily.map((day) => Date.parse(`${day.date}T12:00:00Z`) / 1000);
    const data: uPlot.AlignedData = [xs, daily.map((day) => day.reach), daily.map((day) => day.interactions)];
    const options: uPlot.Options = {
      width: Math.max(target.clientWidth, 280),
      height: HEIGHT,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "UTC"),
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, reach: { auto: true }, interactions: { auto: true } },
      axes: [
        {
          values: (_chart, ticks) =>
            ticks.map((tick) => dayLabel(new Date(tick * 1000).toISOString().slice(0, 10))),
        },
        { scale: "reach", label: "Reach" },
        { scale: "interactions", side: 1, label: "Interactions", grid: { show: false } },
      ],
      series: [
        {
          label: "Day",
          value: (_chart, ts) => (ts == null ? "" : dayLabel(new Date(ts * 1000).toISOString().slice(0, 10))),
        },
        { label: "Reach", scale: "reach", stroke: "#1f5f8b", width: 2, points: { show: true } },
        { label: "Interactions", scale: "interactions", stroke: "#067647", width: 2, points: { show: true } },
      ],
    };
    const chart = new uPlot(options, data, target);
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(target.clientWidth, 280), height: HEIGHT }),
    );
    resize.observe(target);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [daily]);
  const withPosts = daily.filter((day) => day.posts > 0);
  return (
    <figure className="metrics-chart">
      <div ref={frame} className="metrics-chart-frame" aria-hidden="true" />
      <figcaption>People reached and interactions of the posts published each day.</figcaption>
      <table className="visually-hidden">
        <caption>Posts by the day they were published</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Posts</th>
            <th scope="col">Reach</th>
            <th scope="col">Interactions</th>
          </tr>
        </thead>
        <tbody>
          {withPosts.map((day) => (
            <tr key={day.date}>
              <th scope="row">{dayLabel(day.date)}</th>
              <td>{day.posts}</td>
              <td>{day.reach}</td>
              <td>{day.interactions}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
