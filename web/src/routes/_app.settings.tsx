import { useMutation, useQueryClient } from "@tanstack/react-query";
import { createFileRoute } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { type ProfileInput, profileInput } from "worker/schemas/agent";
import { FormAlert, SelectField, SubmitButton, TextField } from "../components/Field";
import { PageHeader } from "../components/PageHeader";
import { useMe } from "../lib/auth";
import { type Schema, useForm } from "../lib/form";
import { parseSettingsSearch } from "../lib/settingsSearch";
import { type Agent, trpc } from "../trpc";
import { BrandKit } from "./-components/BrandKit";
import { NotificationSettings } from "./-components/NotificationSettings";
import { SocialAccounts } from "./-components/SocialAccounts";
import { otherTimeZones, US_TIME_ZONES } from "./-components/timezones";

export const Route = createFileRoute("/_app/settings")({
  // The Facebook callback comes back here with `?social=connected|choose|error&reason=…#social`.
  validateSearch: parseSettingsSearch,
  component: SettingsPage,
});

function formValues(agent: Agent) {
  return {
    name: agent.name,
    brokerageName: agent.brokerageName,
    licenseNumber: agent.licenseNumber,
    phone: agent.phone,
    timezone: agent.timezone,
    marketingEmail: agent.marketingEmail ?? "",
    marketingReminderDays: String(agent.marketingReminderDays),
  };
}

/** The profile schema, with the reminder days typed as text in the form. */
const profileFormSchema: Schema<ProfileInput> = {
  safeParse(input) {
    const values = input as ReturnType<typeof formValues>;
    const days = values.marketingReminderDays.trim();
    // Not a whole number: passed on as text, so the schema's own "whole number" message shows.
    return profileInput.safeParse({
      ...values,
      marketingReminderDays: /^\d+$/.test(days) ? Number(days) : days,
    });
  },
};

function SettingsPage() {
  const me = useMe();
  const search = Route.useSearch();
  const queryClient = useQueryClient();
  const updateProfile = useMutation(trpc.agent.updateProfile.mutationOptions());
  const form = useForm({
    initialValues: formValues(me),
    schema: profileFormSchema,
    onSubmit: async (data) => {
      const saved = await updateProfile.mutateAsync(data);
      queryClient.setQueryData(trpc.auth.me.queryKey(), saved);
      // Quiet hours and the digest are shown in the profile's time zone.
      void queryClient.invalidateQueries({ queryKey: trpc.agent.getNotificationPreferences.queryKey() });
      return formValues(saved);
    },
  });
  const timezone = form.values.timezone;
  const otherZones = useMemo(() => otherTimeZones(timezone), [timezone]);

  return (
    <>
      <PageHeader
        documentTitle="Settings"
        title="Settings"
        description="Drafted posts use these details. Florida advertising rules require your brokerage name in every ad."
      />
      <section className="card form-card" aria-labelledby="profile-heading">
        <h2 className="card-title" id="profile-heading">
          Profile
        </h2>
        <form className="form" noValidate onSubmit={form.handleSubmit}>
          <FormAlert message={form.formError} />
          <div className="form-grid">
            <TextField label="Full name" autoComplete="name" field={form.field("name")} />
            <TextField
              label="Brokerage name"
              autoComplete="organization"
              hint="Shown in every ad."
              field={form.field("brokerageName")}
            />
            <TextField
              label="License number"
              autoComplete="off"
              hint="Your Florida real estate license, e.g. SL3456789."
              field={form.field("licenseNumber")}
            />
            <TextField
              label="Phone"
              type="tel"
              autoComplete="tel"
              hint="Buyers use it to reach you."
              field={form.field("phone")}
            />
            <SelectField label="Time zone" field={form.field("timezone")}>
              <optgroup label="United States">
                {US_TIME_ZONES.map((zone) => (
                  <option key={zone.value} value={zone.value}>
                    {zone.label}
                  </option>
                ))}
              </optgroup>
              <optgroup label="All time zones">
                {otherZones.map((zone) => (
                  <option key={zone} value={zone}>
                    {zone.replaceAll("_", " ")}
                  </option>
                ))}
              </optgroup>
            </SelectField>
            <TextField
              label="Marketing department email"
              type="email"
              optional
              autoComplete="off"
              field={form.field("marketingEmail")}
            />
            <TextField
              label="Remind marketing after (days)"
              type="number"
              inputMode="numeric"
              min={1}
              max={30}
              step={1}
              hint="A draft your marketing department has not answered after this many days: they get one reminder, and so do you."
              field={form.field("marketingReminderDays")}
            />
          </div>
          <div className="form-actions">
            <SubmitButton pending={form.pending} pendingLabel="Saving…">
              Save changes
            </SubmitButton>
            <p className="form-status" role="status">
              {form.succeeded ? "Profile saved." : ""}
            </p>
          </div>
        </form>
      </section>
      <BrandKit />
      <DraftingSettings agent={me} />
      {/* Before the social accounts, whose list loads later: /settings#notifications lands in place. */}
      <NotificationSettings />
      <SocialAccounts search={search} />
    </>
  );
}

/** Automatic drafting: saved as soon as it is switched, with the profile as it is saved now. */
function DraftingSettings({ agent }: { agent: Agent }) {
  const queryClient = useQueryClient();
  const save = useMutation(
    trpc.agent.updateProfile.mutationOptions({
      onSuccess: (saved) => queryClient.setQueryData(trpc.auth.me.queryKey(), saved),
    }),
  );
  // Local state so the box follows the click at once; an error puts it back.
  const [checked, setChecked] = useState(agent.autoDraftNewListings);
  return (
    <section className="card form-card" aria-labelledby="drafting-heading">
      <h2 className="card-title" id="drafting-heading">
        Content drafting
      </h2>
      <div className="field field-check">
        <label className="check">
          <input
            type="checkbox"
            checked={checked}
            disabled={save.isPending}
            aria-describedby="drafting-hint"
            onChange={(event) => {
              const next = event.target.checked;
              setChecked(next);
              save.mutate(
                {
                  name: agent.name,
                  brokerageName: agent.brokerageName,
                  licenseNumber: agent.licenseNumber,
                  phone: agent.phone,
                  timezone: agent.timezone,
                  autoDraftNewListings: next,
                },
                { onError: () => setChecked(!next) },
              );
            }}
          />
          <span>Draft posts automatically for new and changed listings</span>
        </label>
        <p className="field-hint" id="drafting-hint">
          When this is off, drafts are made only when you choose “Initiate content creation” on a listing.
        </p>
      </div>
      <p className="form-status" role={save.isError ? "alert" : "status"}>
        {save.isError ? save.error.message : save.isSuccess ? "Saved." : ""}
      </p>
    </section>
  );
}
