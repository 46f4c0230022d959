import { createFileRoute, Outlet } from "@tanstack/react-router";
import { parseListingsSearch } from "../lib/listings";

// The list's filters live on the layout so the detail and upload pages carry them back to the list.
export const Route = createFileRoute("/_app/listings")({
  validateSearch: parseListingsSearch,
  component: Outlet,
});
