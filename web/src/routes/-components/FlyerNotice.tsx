import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useMemo } from "react";
// The worker's package exports only the router and schemas; the layout model is pure and shared as is.
import { flyerCopy, layoutFlyer } from "../../../../worker/src/agents/content/flyer-layout";
import { trpc } from "../../trpc";

const flyerQuery = (id: string) => trpc.content.flyer.queryOptions({ id });

/**
 * On a flyer_text draft: the link to the printable flyer, and the layout's warning before approval when the
 * text cannot fit one page even at the smallest type (worker/src/agents/content/flyer-layout.ts).
 */
export function FlyerNotice({ pieceId }: { pieceId: string }) {
  const flyer = useQuery(flyerQuery(pieceId));
  // The worse of the two paper sizes: the flyer may be printed on either.
  const overflow = flyer.data && (flyer.data.layout.letter.overflow ?? flyer.data.layout.a4.overflow);
  return (
    <div>
      {overflow && (
        <p className="alert alert-error" role="alert">
          {overflow.message}
        </p>
      )}
      <p>
        <Link className="button button-quiet" to="/flyers/$pieceId" params={{ pieceId }} search={{}}>
          Preview flyer
        </Link>
      </p>
    </div>
  );
}

/** While editing a flyer: the same verdict for the text being typed, so it is shortened before saving. */
export function FlyerFitHint({ pieceId, body }: { pieceId: string; body: string }) {
  const flyer = useQuery(flyerQuery(pieceId));
  const message = useMemo(() => {
    if (!flyer.data) return null;
    const copy = flyerCopy(null, body);
    const fixed = { facts: flyer.data.listing.facts, hasPhotos: flyer.data.listing.photos.length > 0 };
    const verdict = layoutFlyer(copy, fixed, "letter").overflow ?? layoutFlyer(copy, fixed, "a4").overflow;
    return verdict?.message ?? null;
  }, [flyer.data, body]);
  return message ? <p className="alert alert-warning">{message}</p> : null;
}
