import { createFileRoute } from "@tanstack/react-router";
import { EmptyState, PageHeader } from "../components/PageHeader";

export const Route = createFileRoute("/_app/approvals")({
  component: ApprovalsPage,
});

function ApprovalsPage() {
  return (
    <>
      <PageHeader documentTitle="Approvals" title="Approvals" />
      <EmptyState>Nothing waiting for approval. Drafted posts will appear here for you to review.</EmptyState>
    </>
  );
}
