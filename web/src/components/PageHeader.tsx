import type { ReactNode } from "react";
import { usePageTitle } from "../lib/title";

export function PageHeader({
  title,
  documentTitle,
  description,
}: {
  title: ReactNode;
  documentTitle: string;
  description?: ReactNode;
}) {
  usePageTitle(documentTitle);
  return (
    <header className="page-header">
      <h1 className="page-title">{title}</h1>
      {description && <p className="page-description">{description}</p>}
    </header>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="empty-state">{children}</p>;
}
