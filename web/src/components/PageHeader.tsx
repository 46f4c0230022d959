import type { ReactNode } from "react";
import { usePageTitle } from "../lib/title";

export function PageHeader({
  title,
  documentTitle,
  description,
  actions,
}: {
  title: ReactNode;
  documentTitle: string;
  description?: ReactNode;
  /** Buttons and links for the page as a whole, beside the title. */
  actions?: ReactNode;
}) {
  usePageTitle(documentTitle);
  return (
    <header className="page-header">
      <div className="page-heading">
        <h1 className="page-title">{title}</h1>
        {description && <p className="page-description">{description}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="empty-state">{children}</p>;
}
