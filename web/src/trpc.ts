import { QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpLink, splitLink, type TRPCClient } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import { createTRPCOptionsProxy, type TRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { TRPC_MAX_BATCH } from "db/rules";
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

// Same origin as the page, so the HttpOnly session cookie travels with every call. The worker refuses
// batches that hold an `auth.*` call or more than TRPC_MAX_BATCH calls.
export const trpcClient: TRPCClient<AppRouter> = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.path.startsWith("auth."),
      true: httpLink({ url: "/api/trpc" }),
      false: httpBatchLink({ url: "/api/trpc", maxItems: TRPC_MAX_BATCH }),
    }),
  ],
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
