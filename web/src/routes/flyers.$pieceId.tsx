import { useSuspenseQuery } from "@tanstack/react-query";
import { createFileRoute, Link, notFound, redirect, useNavigate } from "@tanstack/react-router";
import { errorCode, isUnauthorized } from "../lib/errors";
import { usePageTitle } from "../lib/title";
import { trpc } from "../trpc";
import { FLYER_SIZES, type FlyerPageSize, FlyerSheet } from "./-components/FlyerSheet";

const flyerQueryOptions = (id: string) => trpc.content.flyer.queryOptions({ id });

type FlyerSearch = { size?: FlyerPageSize };

// Outside the app shell (the page is what prints), signed in by the same check as the _app layout.
export const Route = createFileRoute("/flyers/$pieceId")({
  validateSearch: (search: Record<string, unknown>): FlyerSearch =>
    search.size === "a4" || search.size === "letter" ? { size: search.size } : {},
  beforeLoad: async ({ context, location }) => {
    try {
      await context.queryClient.ensureQueryData(context.trpc.auth.me.queryOptions());
    } catch (error) {
      if (isUnauthorized(error)) throw redirect({ to: "/login", search: { redirect: location.href } });
      throw error;
    }
  },
  loader: async ({ context, params }) => {
    try {
      await context.queryClient.ensureQueryData(flyerQueryOptions(params.pieceId));
    } catch (error) {
      if (errorCode(error) === "NOT_FOUND" || errorCode(error) === "BAD_REQUEST") throw notFound();
      throw error;
    }
  },
  component: FlyerPage,
  notFoundComponent: FlyerNotFound,
});

function FlyerPage() {
  const { pieceId } = Route.useParams();
  const size = Route.useSearch().size ?? "letter";
  const navigate = useNavigate({ from: Route.fullPath });
  const { data: flyer } = useSuspenseQuery(flyerQueryOptions(pieceId));
  usePageTitle(`Flyer · ${flyer.listing.addressLine}`);
  const overflow = flyer.layout[size].overflow;
  return (
    <div className="pf-page">
      <div className="pf-toolbar">
        <Link className="back-link" to="/approvals/$pieceId" params={{ pieceId }} search={true}>
          <span aria-hidden="true">←</span> Back to the draft
        </Link>
        <fieldset>
          <legend>Paper</legend>
          {(Object.keys(FLYER_SIZES) as FlyerPageSize[]).map((option) => (
            <label key={option}>
              <input
                type="radio"
                name="paper"
                value={option}
                checked={size === option}
                onChange={() => navigate({ search: { size: option }, replace: true })}
              />{" "}
              {FLYER_SIZES[option]}
            </label>
          ))}
        </fieldset>
        <button className="button" type="button" onClick={() => window.print()}>
          Print / Save as PDF
        </button>
      </div>
      {overflow && (
        <p className="alert alert-error pf-notice" role="alert">
          {overflow.message} Edit the draft, then print.
        </p>
      )}
      <div className="pf-paper">
        <FlyerSheet flyer={flyer} size={size} />
      </div>
    </div>
  );
}

function FlyerNotFound() {
  usePageTitle("Flyer not found");
  return (
    <div className="status-page">
      <h1>Flyer not found</h1>
      <p>This flyer does not exist or is not one of yours.</p>
      <Link to="/approvals" search={{}}>
        All drafts
      </Link>
    </div>
  );
}
