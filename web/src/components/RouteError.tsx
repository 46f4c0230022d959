import { type ErrorComponentProps, Link, useRouter } from "@tanstack/react-router";
import { errorMessage } from "../lib/errors";
import { usePageTitle } from "../lib/title";

export function RouteError({ error }: ErrorComponentProps) {
  const router = useRouter();
  usePageTitle("Something went wrong");
  return (
    <div className="status-page">
      <h1>Something went wrong</h1>
      <p role="alert">{errorMessage(error)}</p>
      <button className="button button-primary" type="button" onClick={() => void router.invalidate()}>
        Try again
      </button>
    </div>
  );
}

export function NotFound() {
  usePageTitle("Page not found");
  return (
    <div className="status-page">
      <h1>Page not found</h1>
      <p>The page you are looking for does not exist or has moved.</p>
      <Link className="button button-primary" to="/">
        Go to the dashboard
      </Link>
    </div>
  );
}
