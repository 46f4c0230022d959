import type { ReactNode } from "react";

export type StatTone = "neutral" | "success" | "warning" | "danger";

/**
 * One overview figure. Without a `value` it shows `emptyText`; with one, a count (`value={3}`) or a status
 * (`value="Succeeded" tone="success" detail="12 minutes ago"`). `children` add more below (a danger card is
 * outlined so a failure stands out).
 */
export function StatCard({
  title,
  value,
  detail,
  emptyText,
  tone = "neutral",
  children,
}: {
  title: string;
  value?: number | string;
  detail?: ReactNode;
  emptyText: string;
  tone?: StatTone;
  children?: ReactNode;
}) {
  return (
    <article className={`card stat-card stat-card-${tone}`}>
      <h2 className="stat-title">{title}</h2>
      {value === undefined ? (
        <p className="stat-empty">{emptyText}</p>
      ) : (
        <>
          <p className={`stat-value stat-${tone}`}>
            {typeof value === "number" ? value.toLocaleString("en-US") : value}
          </p>
          {detail && <p className="stat-detail">{detail}</p>}
          {children}
        </>
      )}
    </article>
  );
}
