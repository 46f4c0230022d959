import { useMutation, useQuery } from "@tanstack/react-query";
import { createFileRoute, Link } from "@tanstack/react-router";
import { FormAlert, SubmitButton } from "../components/Field";
import { Loading } from "../components/Spinner";
import { PublicLayout } from "./-components/PublicLayout";

// Public: opened from an email's "Turn off these emails" link, signed in or not. The signed token in the
// address is the credential (worker/src/services/unsubscribe.ts). Opening the page changes nothing (mail
// scanners open every link); only the button's POST turns the email off.
type UnsubscribeSearch = { token: string };

export const Route = createFileRoute("/unsubscribe")({
  validateSearch: (search: Record<string, unknown>): UnsubscribeSearch => ({
    token: typeof search.token === "string" ? search.token : "",
  }),
  component: UnsubscribePage,
});

type Subscription = { event: string; label: string; emailOn: boolean };

/** The API answers a refusal in plain text ("This unsubscribe link is not valid."). */
class UnsubscribeError extends Error {}

async function call(token: string, method: "GET" | "POST"): Promise<Subscription> {
  const response = await fetch(`/api/email/unsubscribe?token=${encodeURIComponent(token)}`, {
    method,
    headers: { Accept: "application/json" },
  });
  if (response.ok) return (await response.json()) as Subscription;
  if (response.status === 400 || response.status === 404) throw new UnsubscribeError(await response.text());
  throw new Error("Something went wrong. Try the link again in a moment.");
}

const settingsLink = (
  <Link to="/settings" hash="notifications">
    Settings › Notifications
  </Link>
);

function UnsubscribePage() {
  const { token } = Route.useSearch();
  const current = useQuery({
    queryKey: ["email.unsubscribe", token],
    queryFn: () => call(token, "GET"),
    enabled: token !== "",
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  const turnOff = useMutation({ mutationFn: () => call(token, "POST") });

  if (token === "" || current.isError) {
    const message =
      token === ""
        ? "This unsubscribe link is not valid."
        : current.error instanceof UnsubscribeError
          ? current.error.message
          : "The link could not be checked. Try it again in a moment.";
    return (
      <PublicLayout title="Unsubscribe link not available">
        <div className="review-card review-message">
          <h1 className="review-title">This link can't be used</h1>
          <p role="alert">{message}</p>
          <p>You can switch notification emails on and off in {settingsLink}.</p>
        </div>
      </PublicLayout>
    );
  }
  if (current.isPending) {
    return (
      <PublicLayout title="Unsubscribe">
        <Loading label="Checking the link…" />
      </PublicLayout>
    );
  }

  const { label, emailOn } = current.data;
  if (turnOff.isSuccess || !emailOn) {
    return (
      <PublicLayout title="Emails turned off">
        <div className="review-card review-message" role="status">
          <h1 className="review-title">You won't get these emails any more</h1>
          <p>
            “{label}” emails are off. They still appear in the app. To turn them back on, go to {settingsLink}
            .
          </p>
        </div>
      </PublicLayout>
    );
  }
  return (
    <PublicLayout title="Unsubscribe">
      <div className="review-card">
        <h1 className="review-title">Turn off “{label}” emails?</h1>
        <p className="muted">
          You will stop getting these emails. Everything else stays as it is, and they still appear in the
          app.
        </p>
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            turnOff.mutate();
          }}
        >
          <FormAlert
            message={
              turnOff.error instanceof UnsubscribeError
                ? turnOff.error.message
                : turnOff.isError
                  ? "The emails could not be turned off. Try again in a moment."
                  : null
            }
          />
          <div>
            <SubmitButton pending={turnOff.isPending} pendingLabel="Turning off…">
              Turn off these emails
            </SubmitButton>
          </div>
        </form>
        <p className="muted">Other notification emails: {settingsLink}.</p>
      </div>
    </PublicLayout>
  );
}
