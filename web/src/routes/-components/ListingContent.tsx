import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useId, useMemo, useState } from "react";
import { createForListingInput } from "worker/schemas/content";
import { ChoiceGroupField, FormAlert, SelectField, SubmitButton } from "../../components/Field";
import { CONTENT_KINDS, KIND_LABELS, POST_TYPE_LABELS, POST_TYPES, type PostType } from "../../lib/content";
import { type Schema, useForm } from "../../lib/form";
import type { ListingDetail } from "../../lib/listings";
import { trpc } from "../../trpc";
import { ContentStatusBadge } from "./ContentBadges";
import { invalidateContent, pollWhileDrafting } from "./contentQueries";

const KIND_OPTIONS = CONTENT_KINDS.map((kind) => ({ value: kind, label: KIND_LABELS[kind] }));

/** The post type that fits the listing's latest news. */
function suggestedPostType(listing: ListingDetail): PostType {
  if (listing.status === "sold") return "sold_out";
  if (
    listing.priceChanged &&
    listing.priceCents !== null &&
    listing.previousPriceCents !== null &&
    listing.priceCents < listing.previousPriceCents
  )
    return "price_improvement";
  return "new_listing";
}

type Values = { kinds: string; postType: string };
type CreateInput = { listingId: string; kinds: (typeof CONTENT_KINDS)[number][]; postType: PostType };

/** "Initiate content creation": asks the content agent for drafts, then follows them as they are written. */
export function ListingContent({ listing }: { listing: ListingDetail }) {
  const formId = useId();
  const [open, setOpen] = useState(false);
  const [requested, setRequested] = useState<number | null>(null);
  const queryClient = useQueryClient();
  const pieces = useQuery(
    trpc.content.pendingApprovals.queryOptions(
      { listingId: listing.id },
      { refetchInterval: pollWhileDrafting },
    ),
  );
  const create = useMutation(
    trpc.content.createForListing.mutationOptions({ onSettled: () => invalidateContent(queryClient) }),
  );
  const schema = useMemo<Schema<CreateInput>>(
    () => ({
      safeParse: (input) => {
        const values = input as Values;
        return createForListingInput.safeParse({
          listingId: listing.id,
          kinds: values.kinds.split(",").filter(Boolean),
          postType: values.postType,
        });
      },
    }),
    [listing.id],
  );
  const form = useForm({
    initialValues: { kinds: CONTENT_KINDS.join(","), postType: suggestedPostType(listing) } as Values,
    schema,
    onSubmit: async (input) => {
      const { pieceIds } = await create.mutateAsync(input);
      setRequested(pieceIds.length);
      setOpen(false);
      return undefined;
    },
  });
  const drafts = pieces.data ?? [];

  return (
    <>
      <button
        className="button button-primary button-block"
        type="button"
        aria-expanded={open}
        aria-controls={open ? formId : undefined}
        onClick={() => {
          setRequested(null);
          setOpen((value) => !value);
        }}
      >
        Initiate content creation
      </button>
      {open && (
        <form className="form content-request" id={formId} noValidate onSubmit={form.handleSubmit}>
          <FormAlert message={form.formError} />
          <ChoiceGroupField
            legend="Draft"
            type="checkbox"
            options={KIND_OPTIONS}
            field={form.field("kinds")}
          />
          <SelectField label="Post type" field={form.field("postType")}>
            {POST_TYPES.map((type) => (
              <option key={type} value={type}>
                {POST_TYPE_LABELS[type]}
              </option>
            ))}
          </SelectField>
          <div className="form-actions">
            <SubmitButton pending={form.pending} pendingLabel="Starting…">
              Start drafting
            </SubmitButton>
            <button className="button button-quiet" type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <p className="form-status content-requested" role="status">
        {requested !== null &&
          `The content agent is drafting ${requested === 1 ? "1 piece" : `${requested} pieces`}. They appear on Approvals in a few seconds.`}
      </p>
      {(requested !== null || drafts.length > 0) && (
        <Link className="see-drafts" to="/approvals" search={{ listing: listing.id }}>
          See drafts
        </Link>
      )}
      {drafts.length > 0 && (
        <ul className="content-statuses" aria-label="Open drafts for this listing">
          {drafts.map((piece) => (
            <li key={piece.id}>
              <div>
                <Link to="/approvals/$pieceId" params={{ pieceId: piece.id }} search={{}}>
                  {KIND_LABELS[piece.kind]}
                </Link>
                <p className="content-statuses-type">
                  {POST_TYPE_LABELS[piece.postType]} · v{piece.version}
                </p>
              </div>
              <ContentStatusBadge status={piece.status} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
