import type { ReactNode } from "react";

export type StatTone = "neutral" | "success" | "warning" | "danger";

/**
 * One overview figure. Without a `value` it shows `emptyText`; later pages pass a count
 * (`value={3}`) or a status (`value="Succeeded" tone="success" detail="12 minutes ago"`).
 */
export function StatCard({
  title,
  value,
  detail,
  emptyText,
  tone = "neutral",
}: {
  title: string;
  value?: number | string;
  detail?: ReactNode;
  emptyText: string;
  tone?: StatTone;
}) {
  return (
    <article className="card stat-card">
      <h2 className="stat-title">{title}</h2>
      {value === undefined ? (
        <p className="stat-empty">{emptyText}</p>
      ) : (
        <>
          <p className={`stat-value stat-${tone}`}>
            {typeof value === "number" ? value.toLocaleString("en-US") : value}
          </p>
          {detail && <p className="stat-detail">{detail}</p>}
        </>
      )}
    </article>
  );
}
