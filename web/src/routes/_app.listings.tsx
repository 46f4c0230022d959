import { createFileRoute } from "@tanstack/react-router";
import { EmptyState, PageHeader } from "../components/PageHeader";

export const Route = createFileRoute("/_app/listings")({
  component: ListingsPage,
});

function ListingsPage() {
  return (
    <>
      <PageHeader documentTitle="Listings" title="Listings" />
      <EmptyState>No listings yet. The listing agent checks the builder's site every 30 minutes.</EmptyState>
    </>
  );
}
