import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { createForListingInput } from "worker/schemas/content";
import { ChoiceGroupField, FormAlert, SelectField, SubmitButton } from "../../components/Field";
import { CONTENT_KINDS, KIND_LABELS, POST_TYPE_LABELS, POST_TYPES, type PostType } from "../../lib/content";
import { type Schema, useForm } from "../../lib/form";
import type { ListingDetail } from "../../lib/listings";
import { trpc } from "../../trpc";
import { invalidateContent } from "./contentActions";

// The listing page's "Initiate content creation" form; ListingContent loads it with React.lazy.

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

/** Asks the content agent for drafts. Mounted from the first opening on; renders nothing while closed. */
export default function ContentRequestForm({
  listing,
  formId,
  open,
  onRequested,
  onCancel,
}: {
  listing: ListingDetail;
  formId: string;
  open: boolean;
  onRequested: (count: number) => void;
  onCancel: () => void;
}) {
  const queryClient = useQueryClient();
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
      onRequested(pieceIds.length);
      return undefined;
    },
  });
  if (!open) return null;
  return (
    <form className="form content-request" id={formId} noValidate onSubmit={form.handleSubmit}>
      <FormAlert message={form.formError} />
      <ChoiceGroupField legend="Draft" type="checkbox" options={KIND_OPTIONS} field={form.field("kinds")} />
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
        <button className="button button-quiet" type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
