import { useMutation, useQueryClient } from "@tanstack/react-query";
import { createFileRoute, Link, useNavigate } from "@tanstack/react-router";
import { FormAlert, SelectField, SubmitButton, TextAreaField, TextField } from "../components/Field";
import { PageHeader } from "../components/PageHeader";
import { useForm } from "../lib/form";
import { SITE_LISTING_STATUSES, STATUS_LABELS } from "../lib/listings";
import { trpc } from "../trpc";
import { EMPTY_LISTING_FORM, formFieldOf, listingFormSchema } from "./-components/manualListingForm";

export const Route = createFileRoute("/_app/listings/new")({
  component: NewListingPage,
});

function NewListingPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const upload = useMutation(trpc.listings.manualUpload.mutationOptions());
  const form = useForm({
    initialValues: EMPTY_LISTING_FORM,
    schema: listingFormSchema,
    fieldOfServerError: formFieldOf,
    onSubmit: async (data) => {
      const { id } = await upload.mutateAsync(data);
      await Promise.all([
        queryClient.invalidateQueries(trpc.listings.pathFilter()),
        queryClient.invalidateQueries(trpc.dashboard.pathFilter()),
      ]);
      await navigate({ to: "/listings/$listingId", params: { listingId: id }, search: true });
      return undefined;
    },
  });

  return (
    <>
      <Link className="back-link" to="/listings" search={true}>
        <span aria-hidden="true">←</span> All listings
      </Link>
      <PageHeader
        documentTitle="Add a listing"
        title="Add a listing"
        description="For a home that is not on the builder's site yet. It is marketed exactly like a scraped one."
      />
      <form className="form form-card card listing-form" noValidate onSubmit={form.handleSubmit}>
        <FormAlert message={form.formError} />
        <fieldset className="form-section">
          <legend className="form-section-title">Address</legend>
          <div className="form-grid">
            <TextField label="Street address" autoComplete="off" field={form.field("addressLine")} />
            <TextField label="City" autoComplete="off" field={form.field("city")} />
            <TextField
              label="State"
              autoComplete="off"
              maxLength={2}
              hint="Two letters, like FL."
              field={form.field("state")}
            />
            <TextField label="ZIP code" inputMode="numeric" autoComplete="off" field={form.field("zip")} />
          </div>
        </fieldset>
        <fieldset className="form-section">
          <legend className="form-section-title">Details</legend>
          <div className="form-grid">
            <TextField label="Community" optional autoComplete="off" field={form.field("community")} />
            <TextField label="Plan name" optional autoComplete="off" field={form.field("planName")} />
            <TextField label="Beds" optional inputMode="numeric" field={form.field("beds")} />
            <TextField
              label="Baths"
              optional
              inputMode="decimal"
              hint="Count a half bath as .5, like 2.5."
              field={form.field("baths")}
            />
            <TextField label="Square feet" optional inputMode="numeric" field={form.field("sqft")} />
            <TextField
              label="Garage"
              optional
              inputMode="numeric"
              hint="Number of cars."
              field={form.field("garage")}
            />
          </div>
        </fieldset>
        <fieldset className="form-section">
          <legend className="form-section-title">Price & status</legend>
          <div className="form-grid">
            <TextField
              label="Price"
              optional
              inputMode="decimal"
              hint="In dollars, like 389,990. Leave empty for “Call for pricing”."
              field={form.field("price")}
            />
            <SelectField label="Status" field={form.field("status")}>
              {SITE_LISTING_STATUSES.map((status) => (
                <option key={status} value={status}>
                  {STATUS_LABELS[status]}
                </option>
              ))}
            </SelectField>
            <TextField
              label="Move-in date"
              optional
              type="date"
              hint="Leave empty if it is move-in ready."
              field={form.field("moveInDate")}
            />
          </div>
        </fieldset>
        <fieldset className="form-section">
          <legend className="form-section-title">Marketing</legend>
          <div className="form-stack">
            <TextAreaField
              label="Incentives"
              optional
              rows={2}
              hint="For example: $10,000 toward closing costs with the preferred lender."
              field={form.field("incentives")}
            />
            <TextAreaField
              label="Description"
              optional
              rows={6}
              hint="Plain text, up to 20,000 characters."
              field={form.field("description")}
            />
            <TextAreaField
              label="Image URLs"
              optional
              rows={4}
              spellCheck={false}
              hint="One per line, each starting with https:// (up to 20). The first is the main photo."
              field={form.field("imageUrls")}
            />
          </div>
        </fieldset>
        <div className="form-actions">
          <SubmitButton pending={form.pending} pendingLabel="Saving listing…">
            Save listing
          </SubmitButton>
          <Link className="button button-quiet" to="/listings" search={true}>
            Cancel
          </Link>
        </div>
      </form>
    </>
  );
}
