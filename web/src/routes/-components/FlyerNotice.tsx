import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { trpc } from "../../trpc";

/**
 * On a flyer_text draft: the link to the printable flyer, and the layout's warning before approval when the
 * text cannot fit one page even at the smallest type (worker/src/agents/content/flyer-layout.ts).
 */
export function FlyerNotice({ pieceId }: { pieceId: string }) {
  const flyer = useQuery(trpc.content.flyer.queryOptions({ id: pieceId }));
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
