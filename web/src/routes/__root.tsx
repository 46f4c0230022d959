import { createRootRouteWithContext, Outlet } from "@tanstack/react-router";
import { NotFound, RouteError } from "../components/RouteError";
import type { RouterContext } from "../trpc";

export const Route = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  errorComponent: RouteError,
  notFoundComponent: NotFound,
});
