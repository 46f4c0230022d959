import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { type Agent, type RouterContext, trpc } from "../trpc";

/** Accepts only a path on this site ("/settings?tab=1"), never "//host" or an absolute URL. */
export function safeRedirect(value: unknown): string | undefined {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) {
    return undefined;
  }
  try {
    const url = new URL(value, window.location.origin);
    if (url.origin !== window.location.origin) return undefined;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return undefined;
  }
}

export async function isSignedIn(context: RouterContext): Promise<boolean> {
  try {
    await context.queryClient.ensureQueryData(context.trpc.auth.me.queryOptions());
    return true;
  } catch {
    return false;
  }
}

const appRoute = getRouteApi("/_app");

/** The signed-in agent: loaded by the `_app` layout before any page renders, kept fresh by the cache. */
export function useMe(): Agent {
  const { me } = appRoute.useRouteContext();
  const { data } = useQuery(trpc.auth.me.queryOptions());
  return data ?? me;
}
