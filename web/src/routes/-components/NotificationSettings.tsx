import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import type { AppRouter } from "worker/router";
import { Loading, Spinner } from "../../components/Spinner";
import { errorMessage } from "../../lib/errors";
import { trpc } from "../../trpc";
import { US_TIME_ZONES } from "./timezones";

type Settings = inferRouterOutputs<AppRouter>["agent"]["getNotificationPreferences"];
type Preference = Settings["preferences"][number];
type Channel = "inApp" | "email";

const CHANNELS: readonly { channel: Channel; label: string }[] = [
  { channel: "inApp", label: "In-app" },
  { channel: "email", label: "Email" },
];

// The API lists every event with its words; the page only decides how to group them.
const GROUPS: readonly { name: string; events: readonly string[] }[] = [
  { name: "Listings", events: ["listing_new", "listing_changed", "ingestion_failed"] },
  { name: "Drafts", events: ["content_ready", "content_failed", "content_approved"] },
  { name: "Marketing department", events: ["marketing_sent", "marketing_response", "marketing_reminder"] },
  {
    name: "Publishing",
    events: ["post_scheduled", "post_succeeded", "post_failed", "post_unconfirmed", "preflight_warning"],
  },
  { name: "Accounts", events: ["account_needs_reconnect"] },
];

/** Why a critical event's in-app notification cannot be switched off. */
const ALWAYS_ON: Record<string, string> = {
  post_failed: "In-app always on: you must see failed posts.",
  post_unconfirmed: "In-app always on: you must see posts that may not have gone out.",
  account_needs_reconnect: "In-app always on: nothing posts until you reconnect.",
};
const ALWAYS_ON_FALLBACK = "In-app always on: you must see this.";

/** The API's order within each group; an event the page does not know yet goes under "Other". */
function groupPreferences(preferences: readonly Preference[]) {
  const known = new Set(GROUPS.flatMap((group) => group.events));
  const groups = GROUPS.map((group) => ({
    name: group.name,
    preferences: preferences.filter((preference) => group.events.includes(preference.event)),
  }));
  groups.push({
    name: "Other",
    preferences: preferences.filter((preference) => !known.has(preference.event)),
  });
  return groups.filter((group) => group.preferences.length > 0);
}

function zoneName(timezone: string): string {
  return US_TIME_ZONES.find((zone) => zone.value === timezone)?.label ?? timezone.replaceAll("_", " ");
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

function listOf(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

const settingsKey = () => trpc.agent.getNotificationPreferences.queryKey();

/**
 * Settings › Notifications: which events reach the bell and the inbox, quiet hours for email and the
 * daily digest. Each switch saves at once; the times save with their own button.
 */
export function NotificationSettings() {
  const settings = useQuery(trpc.agent.getNotificationPreferences.queryOptions());
  return (
    <section
      className="card form-card notification-settings"
      id="notifications"
      aria-labelledby="notifications-heading"
    >
      <h2 className="card-title" id="notifications-heading">
        Notifications
      </h2>
      <p className="muted notification-settings-intro">
        Choose what reaches the bell in the header and what is emailed to you. Every notification stays in
        your Notifications history either way.
      </p>
      {settings.isPending ? (
        <Loading label="Loading your notification settings…" />
      ) : settings.isError ? (
        <div className="alert alert-error" role="alert">
          {errorMessage(settings.error)}
        </div>
      ) : (
        <>
          <PreferenceMatrix settings={settings.data} />
          <DeliveryTimes settings={settings.data} />
        </>
      )}
    </section>
  );
}

type Outcome = { tone: "saved" | "error"; message: string };

function describeChange(preference: Preference, channel: Channel, on: boolean) {
  const name = channel === "inApp" ? "In-app" : "Email";
  return `${name} for ${preference.label} ${on ? "on" : "off"}`;
}

type Switches = Record<string, Record<Channel, boolean>>;

const switchesOf = (preferences: readonly Preference[]): Switches =>
  Object.fromEntries(preferences.map(({ event, inApp, email }) => [event, { inApp, email }]));

/**
 * The switches, kept in local state so one follows the click at once (state set in the handler; the
 * query cache would only tell React a tick later, after React had put the box back). Each click saves
 * that event; a failed save puts that switch back and says so. Once nothing is in flight the settings
 * are read again, and what the server has replaces the local state.
 */
function usePreferenceSwitches(preferences: readonly Preference[]) {
  const queryClient = useQueryClient();
  const update = useMutation(trpc.agent.updateNotificationPreferences.mutationOptions());
  const [switches, setSwitches] = useState(() => switchesOf(preferences));
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const inFlight = useRef(0);

  // The server's answer, unless a save is still on its way (an earlier read would undo the click).
  useEffect(() => {
    if (inFlight.current === 0) setSwitches(switchesOf(preferences));
  }, [preferences]);

  const set = (event: string, channel: Channel, on: boolean) =>
    setSwitches((current) => {
      const row = current[event];
      return row ? { ...current, [event]: { ...row, [channel]: on } } : current;
    });

  function toggle(preference: Preference, channel: Channel, on: boolean) {
    const row = switches[preference.event] ?? preference;
    const wanted = { event: preference.event, inApp: row.inApp, email: row.email, [channel]: on };
    set(preference.event, channel, on);
    setOutcome(null);
    inFlight.current += 1;
    update
      .mutateAsync({ preferences: [wanted] })
      .then(
        () => setOutcome({ tone: "saved", message: `Saved: ${describeChange(preference, channel, on)}.` }),
        (error: unknown) => {
          set(preference.event, channel, !on);
          setOutcome({
            tone: "error",
            message: `Could not switch ${describeChange(preference, channel, on)}: ${errorMessage(error)}`,
          });
        },
      )
      .finally(() => {
        inFlight.current -= 1;
        if (inFlight.current === 0) void queryClient.invalidateQueries({ queryKey: settingsKey() });
      });
  }

  return { switches, toggle, outcome };
}

function PreferenceMatrix({ settings }: { settings: Settings }) {
  const { switches, toggle, outcome } = usePreferenceSwitches(settings.preferences);
  const groups = groupPreferences(settings.preferences);
  return (
    <div className="notification-matrix-wrap">
      <table className="notification-matrix">
        <caption className="visually-hidden">Notifications by event and channel</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            {CHANNELS.map(({ channel, label }) => (
              <th scope="col" key={channel}>
                {label}
              </th>
            ))}
          </tr>
        </thead>
        {groups.map((group) => (
          <tbody key={group.name}>
            <tr className="notification-matrix-group">
              <th scope="rowgroup" colSpan={CHANNELS.length + 1}>
                {group.name}
              </th>
            </tr>
            {group.preferences.map((preference) => (
              <PreferenceRow
                key={preference.event}
                preference={{ ...preference, ...switches[preference.event] }}
                digestOn={settings.digest !== null}
                onToggle={toggle}
              />
            ))}
          </tbody>
        ))}
      </table>
      <p className="form-status" role="status">
        {outcome?.tone === "saved" ? outcome.message : ""}
      </p>
      {outcome?.tone === "error" && (
        <div className="alert alert-error" role="alert">
          {outcome.message}
        </div>
      )}
    </div>
  );
}

function PreferenceRow({
  preference,
  digestOn,
  onToggle,
}: {
  preference: Preference;
  digestOn: boolean;
  onToggle: (preference: Preference, channel: Channel, on: boolean) => void;
}) {
  const id = useId();
  const descriptionId = `${id}-description`;
  const lockedId = `${id}-locked`;
  const digestId = `${id}-digest`;
  const inDigest = digestOn && preference.digestible && preference.email;
  return (
    <tr>
      <th scope="row" className="notification-event">
        <span className="notification-event-label">{preference.label}</span>
        <span className="notification-event-description" id={descriptionId}>
          {preference.description}
        </span>
        {preference.critical && (
          <span className="notification-event-note" id={lockedId}>
            {ALWAYS_ON[preference.event] ?? ALWAYS_ON_FALLBACK}
          </span>
        )}
      </th>
      {CHANNELS.map(({ channel, label }) => {
        const locked = channel === "inApp" && preference.critical;
        const describedBy = [descriptionId, locked && lockedId, channel === "email" && inDigest && digestId]
          .filter(Boolean)
          .join(" ");
        return (
          <td key={channel} className="notification-channel">
            <input
              className="switch"
              type="checkbox"
              role="switch"
              aria-label={`${label}: ${preference.label}`}
              aria-describedby={describedBy}
              checked={locked || preference[channel]}
              aria-checked={locked || preference[channel]}
              disabled={locked}
              onChange={(event) => onToggle(preference, channel, event.target.checked)}
            />
            {channel === "email" && inDigest && (
              <span className="tag notification-digest-tag" id={digestId}>
                in digest
              </span>
            )}
          </td>
        );
      })}
    </tr>
  );
}

type TimesForm = {
  quietOn: boolean;
  quietStart: string;
  quietEnd: string;
  digestOn: boolean;
  digestTime: string;
};

function timesOf(settings: Settings): TimesForm {
  return {
    quietOn: settings.quietHours !== null,
    quietStart: settings.quietHours?.start ?? "21:00",
    quietEnd: settings.quietHours?.end ?? "07:00",
    digestOn: settings.digest !== null,
    digestTime: settings.digest?.time ?? "08:00",
  };
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

function timesErrors(form: TimesForm): Partial<Record<"quietStart" | "quietEnd" | "digestTime", string>> {
  const errors: Partial<Record<"quietStart" | "quietEnd" | "digestTime", string>> = {};
  if (form.quietOn) {
    if (!TIME.test(form.quietStart)) errors.quietStart = "Choose when quiet hours start";
    if (!TIME.test(form.quietEnd)) errors.quietEnd = "Choose when quiet hours end";
    else if (form.quietStart === form.quietEnd) errors.quietEnd = "Quiet hours must end at another time";
  }
  if (form.digestOn && !TIME.test(form.digestTime)) errors.digestTime = "Choose a time for the digest";
  return errors;
}

/** Quiet hours and the digest, in the agent's time zone, saved together. */
function DeliveryTimes({ settings }: { settings: Settings }) {
  const queryClient = useQueryClient();
  const id = useId();
  const update = useMutation(trpc.agent.updateNotificationPreferences.mutationOptions());
  const [form, setForm] = useState(() => timesOf(settings));
  const [submitted, setSubmitted] = useState(false);
  const [saved, setSaved] = useState(false);
  const errors = submitted ? timesErrors(form) : {};
  const digestEvents = settings.preferences.filter((preference) => preference.digestible);
  const zone = zoneName(settings.timezone);

  const edit = (change: Partial<TimesForm>) => {
    setForm((current) => ({ ...current, ...change }));
    setSaved(false);
  };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    setSaved(false);
    if (Object.keys(timesErrors(form)).length > 0) return;
    try {
      const next = await update.mutateAsync({
        quietHours: form.quietOn ? { start: form.quietStart, end: form.quietEnd } : null,
        digest: form.digestOn ? { time: form.digestTime } : null,
      });
      // The whole answer: with the digest on, the low-priority events' email is on unless switched off.
      // (Switches still saving keep their clicks: the matrix takes the server's word once they are done.)
      queryClient.setQueryData(settingsKey(), next);
      setForm(timesOf(next));
      setSubmitted(false);
      setSaved(true);
    } catch {
      // Shown from update.error below.
    }
  }

  return (
    <form className="form notification-times" noValidate onSubmit={submit}>
      <p className="notification-zone">
        Times are in your time zone, <strong>{zone}</strong>. You can change it in your profile above.
      </p>
      <fieldset className="form-section">
        <legend className="form-section-title">Quiet hours</legend>
        <div className="form-stack">
          <label className="check">
            <input
              type="checkbox"
              checked={form.quietOn}
              aria-describedby={`${id}-quiet-hint`}
              onChange={(event) => edit({ quietOn: event.target.checked })}
            />
            <span>Hold email during quiet hours</span>
          </label>
          <div className="notification-time-row">
            <TimeInput
              label="Quiet from"
              value={form.quietStart}
              disabled={!form.quietOn}
              error={errors.quietStart}
              onChange={(quietStart) => edit({ quietStart })}
            />
            <TimeInput
              label="Quiet until"
              value={form.quietEnd}
              disabled={!form.quietOn}
              error={errors.quietEnd}
              onChange={(quietEnd) => edit({ quietEnd })}
            />
          </div>
          <p className="field-hint" id={`${id}-quiet-hint`}>
            Email that comes in during quiet hours is held, never dropped: it is sent when quiet hours end.
            The bell still shows everything at once. Quiet hours may run past midnight, from evening to
            morning.
          </p>
        </div>
      </fieldset>
      <fieldset className="form-section">
        <legend className="form-section-title">Daily digest</legend>
        <div className="form-stack">
          <label className="check">
            <input
              type="checkbox"
              checked={form.digestOn}
              aria-describedby={`${id}-digest-hint`}
              onChange={(event) => edit({ digestOn: event.target.checked })}
            />
            <span>Send a daily digest</span>
          </label>
          <div className="notification-time-row">
            <TimeInput
              label="Digest at"
              value={form.digestTime}
              disabled={!form.digestOn}
              error={errors.digestTime}
              onChange={(digestTime) => edit({ digestTime })}
            />
          </div>
          <p className="field-hint" id={`${id}-digest-hint`}>
            {digestEvents.length > 0
              ? `Collects ${listOf(digestEvents.map((preference) => lowerFirst(preference.label)))}`
              : "Collects the low-priority updates"}{" "}
            into one email a day instead of an email each. With the digest on, their email is on unless you
            switch it off above; those going into it are marked “in digest”. On a day with nothing new, no
            digest is sent.
          </p>
        </div>
      </fieldset>
      {update.isError && (
        <div className="alert alert-error" role="alert">
          {errorMessage(update.error)}
        </div>
      )}
      <div className="form-actions">
        <button className="button button-primary" type="submit" disabled={update.isPending}>
          {update.isPending ? (
            <>
              <Spinner /> Saving…
            </>
          ) : (
            "Save quiet hours and digest"
          )}
        </button>
        <p className="form-status" role="status">
          {saved ? "Quiet hours and digest saved." : ""}
        </p>
      </div>
    </form>
  );
}

function TimeInput({
  label,
  value,
  disabled,
  error,
  onChange,
}: {
  label: string;
  value: string;
  disabled: boolean;
  error: string | undefined;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="field notification-time">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className="input"
        type="time"
        step={60}
        value={value}
        disabled={disabled}
        required={!disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
