import { createRouter } from "@tanstack/react-router";
import { NotFound, RouteError } from "./components/RouteError";
import { Loading } from "./components/Spinner";
import { isUnauthorized } from "./lib/errors";
import { routeTree } from "./routeTree.gen";
import { queryClient, trpc } from "./trpc";

export const router = createRouter({
  routeTree,
  context: { trpc, queryClient },
  defaultPreload: "intent",
  // React Query decides freshness; the router always asks it.
  defaultPreloadStaleTime: 0,
  scrollRestoration: true,
  defaultPendingComponent: () => <Loading />,
  defaultErrorComponent: RouteError,
  defaultNotFoundComponent: NotFound,
});

// A session that ends while the app is open (expired, signed out elsewhere): drop everything cached for
// that agent and re-run the route guards, which send the visitor to /login and back here afterwards.
queryClient.getQueryCache().subscribe((event) => {
  if (event.type !== "updated" || event.action.type !== "error" || !isUnauthorized(event.action.error))
    return;
  if (queryClient.getQueryData(trpc.auth.me.queryKey()) === undefined) return;
  queryClient.clear();
  void router.invalidate();
});

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
