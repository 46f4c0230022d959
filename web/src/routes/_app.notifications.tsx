import { createFileRoute } from "@tanstack/react-router";
import { EmptyState, PageHeader } from "../components/PageHeader";

export const Route = createFileRoute("/_app/notifications")({
  component: NotificationsPage,
});

function NotificationsPage() {
  return (
    <>
      <PageHeader documentTitle="Notifications" title="Notifications" />
      <EmptyState>No notifications yet.</EmptyState>
    </>
  );
}
