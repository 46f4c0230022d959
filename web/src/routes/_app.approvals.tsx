import { createFileRoute, Outlet } from "@tanstack/react-router";
import { parseApprovalsSearch } from "../lib/content";

// The list's filters live on the layout so a draft's page carries them back to the list.
export const Route = createFileRoute("/_app/approvals")({
  validateSearch: parseApprovalsSearch,
  component: Outlet,
});
