import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ContentKind } from "db/rules";
import { useId } from "react";
import { FormAlert } from "../../components/Field";
import { errorMessage } from "../../lib/errors";
import { trpc } from "../../trpc";
import { invalidateContent } from "./contentActions";

const PREVIEW = { width: 270, height: 338 } as const;
const POSTABLE = new Set([
  "pending_approval",
  "revision_requested",
  "sent_to_marketing",
  "approved",
  "scheduled",
]);

function FlyerPicture({ url, alt }: { url: string; alt: string }) {
  return (
    <img
      src={url}
      alt={alt}
      width={PREVIEW.width}
      height={PREVIEW.height}
      style={{
        maxWidth: "100%",
        height: "auto",
        borderRadius: 6,
        border: "1px solid var(--color-input-border)",
      }}
    />
  );
}

/** On a flyer piece: makes (or shows) its 1080×1350 JPEG for Facebook and Instagram posts. */
function FlyerImageMaker({ pieceId, imageUrl }: { pieceId: string; imageUrl: string | null }) {
  const queryClient = useQueryClient();
  const render = useMutation(
    trpc.content.renderFlyerImage.mutationOptions({ onSettled: () => invalidateContent(queryClient) }),
  );
  const url = render.data?.url ?? imageUrl;
  return (
    <section className="card detail-section" aria-labelledby="flyer-image-title">
      <h2 className="card-title" id="flyer-image-title">
        Image for posts
      </h2>
      <p className="muted">
        The flyer as a 1080×1350 picture, to post on Facebook or Instagram instead of the builder's photo.
      </p>
      {url && <FlyerPicture url={url} alt="The flyer as an image for posts" />}
      <FormAlert message={render.error ? errorMessage(render.error) : null} />
      <p>
        <button
          type="button"
          className="button button-quiet"
          disabled={render.isPending}
          onClick={() => render.mutate({ id: pieceId })}
        >
          {render.isPending ? "Making the image…" : url ? "Make the image again" : "Make image for posts"}
        </button>
      </p>
    </section>
  );
}

/** On a Facebook post or Instagram caption: post it with the listing's flyer image instead of its photos. */
function FlyerAttachment({ pieceId, status }: { pieceId: string; status: string }) {
  const queryClient = useQueryClient();
  const switchId = useId();
  const choices = useQuery(trpc.content.flyerChoices.queryOptions({ id: pieceId }));
  const attach = useMutation(
    trpc.content.attachFlyer.mutationOptions({ onSettled: () => invalidateContent(queryClient) }),
  );
  const data = choices.data;
  if (!data) return null;
  // The newest flyer with an image is the one to attach; the attached one stays shown while attached.
  const attached = data.flyers.find((f) => f.id === data.attachedFlyerId) ?? null;
  const candidate = attached ?? data.flyers.find((f) => f.imageUrl) ?? null;
  const editable = POSTABLE.has(status);
  if (!candidate && !data.attachedFlyerId) {
    if (data.flyers.length === 0) return null;
    return (
      <section className="card detail-section">
        <p className="muted">
          Make the flyer's image on the flyer's page to post it here instead of the builder's photo.
        </p>
      </section>
    );
  }
  const on = data.attachedFlyerId !== null;
  return (
    <section className="card detail-section" aria-labelledby="flyer-attach-title">
      <h2 className="card-title" id="flyer-attach-title">
        Picture
      </h2>
      <label htmlFor={switchId} style={{ display: "flex", gap: "0.6rem", alignItems: "flex-start" }}>
        <input
          id={switchId}
          type="checkbox"
          role="switch"
          className="switch"
          checked={on}
          aria-checked={on}
          disabled={!editable || attach.isPending || (!on && !candidate?.imageUrl)}
          onChange={(event) =>
            attach.mutate({ id: pieceId, flyerId: event.target.checked ? (candidate?.id ?? null) : null })
          }
        />
        <span>Post with the flyer image instead of the builder's photo</span>
      </label>
      {on && attached?.imageUrl && (
        <FlyerPicture url={attached.imageUrl} alt="The flyer image this post will carry" />
      )}
      {on && !attached && (
        <p className="muted">The attached flyer was replaced; switch off and on to use the current one.</p>
      )}
      <FormAlert message={attach.error ? errorMessage(attach.error) : null} />
    </section>
  );
}

export function FlyerImage({
  piece,
}: {
  piece: { id: string; kind: ContentKind; status: string; flyerAssetId: string | null };
}) {
  if (piece.kind === "flyer_text")
    return (
      <FlyerImageMaker
        pieceId={piece.id}
        imageUrl={piece.flyerAssetId && `/media/${piece.flyerAssetId}.jpg`}
      />
    );
  return <FlyerAttachment pieceId={piece.id} status={piece.status} />;
}
