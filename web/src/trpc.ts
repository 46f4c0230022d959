import { QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, type TRPCClient } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import { createTRPCOptionsProxy, type TRPCOptionsProxy } from "@trpc/tanstack-react-query";
import type { AppRouter } from "worker/router";
import { isClientError } from "./lib/errors";

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (failureCount, error) => !isClientError(error) && failureCount < 1,
      staleTime: 30_000,
    },
  },
});

// Same origin as the page, so the HttpOnly session cookie travels with every call.
export const trpcClient: TRPCClient<AppRouter> = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: "/api/trpc" })],
});

export const trpc: TRPCOptionsProxy<AppRouter> = createTRPCOptionsProxy<AppRouter>({
  client: trpcClient,
  queryClient,
});

export type RouterContext = { trpc: TRPCOptionsProxy<AppRouter>; queryClient: QueryClient };

type MeOutput = inferRouterOutputs<AppRouter>["auth"]["me"];
// An interface, not an alias, so web's declarations can name it without reaching into worker internals.
/** The signed-in agent as `auth.me` returns it. */
export interface Agent extends MeOutput {}
