import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createFileRoute, Link, Outlet, redirect, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { NotificationBell } from "../components/NotificationBell";
import { useMe } from "../lib/auth";
import { errorMessage, isUnauthorized } from "../lib/errors";
import { type Agent, trpc } from "../trpc";
import { BrandMark } from "./-components/BrandMark";
import { NavIcon, type NavIconName } from "./-components/NavIcon";

export const Route = createFileRoute("/_app")({
  beforeLoad: async ({ context, location }) => {
    try {
      const me: Agent = await context.queryClient.ensureQueryData(context.trpc.auth.me.queryOptions());
      return { me };
    } catch (error) {
      if (isUnauthorized(error)) throw redirect({ to: "/login", search: { redirect: location.href } });
      throw error;
    }
  },
  component: AppLayout,
});

const NAV_ITEMS = [
  { to: "/", label: "Dashboard", icon: "dashboard" },
  { to: "/listings", label: "Listings", icon: "listings" },
  { to: "/approvals", label: "Approvals", icon: "approvals" },
  { to: "/calendar", label: "Calendar", icon: "calendar" },
  { to: "/notifications", label: "Notifications", icon: "notifications" },
  { to: "/settings", label: "Settings", icon: "settings" },
] as const satisfies ReadonlyArray<{ to: string; label: string; icon: NavIconName }>;

function AppLayout() {
  const me = useMe();
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        {/* Not a link: a Link to "/" would be marked as the current page everywhere. */}
        <div className="brand">
          <BrandMark />
          <span>Realtor Marketing</span>
        </div>
        <div className="app-user">
          <NotificationBell />
          <span className="app-user-name">{me.name}</span>
          <SignOutButton />
        </div>
      </header>
      <div className="app-body">
        <nav className="app-nav" aria-label="Main">
          <ul>
            {NAV_ITEMS.map((item) => (
              <li key={item.to}>
                <Link className="app-nav-link" to={item.to} activeOptions={{ exact: item.to === "/" }}>
                  <NavIcon name={item.icon} />
                  <span>{item.label}</span>
                </Link>
              </li>
            ))}
          </ul>
          <DevOutboxLink />
        </nav>
        <main className="app-main" id="main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}

/** Shown only where the worker has the outbox (it answers NOT_FOUND in production). */
function DevOutboxLink() {
  const tools = useQuery({
    ...trpc.dev.tools.queryOptions(),
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
  });
  if (!tools.isSuccess) return null;
  return (
    <p className="app-nav-dev">
      <Link to="/dev/outbox">Outbox (dev)</Link>
      {tools.data.graphFakeUrl && (
        <>
          {" · "}
          <a href={tools.data.graphFakeUrl} target="_blank" rel="noreferrer">
            Published posts (Graph fake)
          </a>
        </>
      )}
    </p>
  );
}

function SignOutButton() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const logout = useMutation(trpc.auth.logout.mutationOptions());

  async function signOut() {
    setError(null);
    try {
      await logout.mutateAsync();
    } catch (cause) {
      // Already signed out on the server: carry on to the sign-in page.
      if (!isUnauthorized(cause)) {
        setError(errorMessage(cause));
        return;
      }
    }
    queryClient.clear();
    await navigate({ to: "/login" });
  }

  return (
    <>
      <button className="button button-quiet" type="button" onClick={signOut} disabled={logout.isPending}>
        {logout.isPending ? "Signing out…" : "Sign out"}
      </button>
      {error && (
        <p className="app-user-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
