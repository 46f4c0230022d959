import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { Loading, Spinner } from "../../components/Spinner";
import { errorMessage } from "../../lib/errors";
import {
  bannerFor,
  type PageChoice,
  permissionLabel,
  type SettingsSearch,
  type SocialAccount,
  STATUS_LABELS,
} from "../../lib/social";
import { trpc } from "../../trpc";

const BADGES: Record<SocialAccount["status"], string> = {
  connected: "badge badge-connected",
  needs_reconnect: "badge badge-needs-reconnect",
  disconnected: "badge badge-disconnected",
};

/** Facebook Login is a full-page visit to Facebook, which comes back to the OAuth callback. */
const goTo = (url: string) => window.location.assign(url);

/**
 * Settings › Social accounts: the Facebook Page and the Instagram account posts go to, how each is doing,
 * and the buttons to connect, pick a Page, reconnect and disconnect.
 */
export function SocialAccounts({ search }: { search: SettingsSearch }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const list = useQuery(trpc.socialAccounts.list.queryOptions());
  const [notice, setNotice] = useState<{ tone: "info" | "error"; message: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.socialAccounts.list.queryKey() });
  const fromCallback = bannerFor(search);
  const banner = notice ?? fromCallback;

  const connectFacebook = useMutation(
    trpc.socialAccounts.connectFacebook.mutationOptions({
      onSuccess: (result) => goTo(result.authorizationUrl),
    }),
  );
  const connectInstagram = useMutation(
    trpc.socialAccounts.connectInstagram.mutationOptions({
      onSuccess: async (result) => {
        if (result.authorizationUrl) return goTo(result.authorizationUrl);
        setNotice({
          tone: "info",
          message: `Instagram ${result.account?.displayName ?? "account"} connected.`,
        });
        await refresh();
      },
    }),
  );
  const failure = connectFacebook.error ?? connectInstagram.error;
  const busy = connectFacebook.isPending || connectInstagram.isPending;

  const accounts = list.data?.accounts ?? [];
  const facebook = accounts.find((account) => account.platform === "facebook");
  const instagram = accounts.find((account) => account.platform === "instagram");
  const choices = list.data?.pageChoices ?? [];

  return (
    <section className="card form-card social-accounts" id="social" aria-labelledby="social-heading">
      <h2 className="card-title" id="social-heading">
        Social accounts
      </h2>
      <p className="muted social-intro">
        Approved Facebook posts go to your Page, Instagram captions to the Instagram professional account
        linked to it.
      </p>
      <div className="alert-stack" aria-live="polite">
        {banner && (
          <div className={`alert alert-${banner.tone}`} role={banner.tone === "error" ? "alert" : "status"}>
            {banner.message}{" "}
            {fromCallback && !notice && (
              <button
                className="link-button"
                type="button"
                onClick={() => navigate({ to: "/settings", hash: "social", replace: true })}
              >
                Dismiss
              </button>
            )}
          </div>
        )}
        {failure && (
          <div className="alert alert-error" role="alert">
            {errorMessage(failure)}
          </div>
        )}
      </div>
      {list.isPending ? (
        <Loading label="Loading your accounts…" />
      ) : list.isError ? (
        <div className="alert alert-error" role="alert">
          {errorMessage(list.error)}
        </div>
      ) : (
        <>
          {choices.length > 0 && (
            <PagePicker
              choices={choices}
              onPicked={async (account) => {
                setNotice({ tone: "info", message: `${account.displayName} connected.` });
                await refresh();
              }}
            />
          )}
          <ul className="social-account-list">
            <AccountItem
              label="Facebook Page"
              account={facebook}
              empty="No Facebook Page connected yet."
              connectLabel="Connect Facebook"
              busy={busy}
              onConnect={() => connectFacebook.mutate()}
              onChanged={refresh}
            />
            <AccountItem
              label="Instagram"
              account={instagram}
              empty={
                facebook?.status === "connected"
                  ? "No Instagram account connected yet."
                  : "Connect your Facebook Page first: Instagram comes through the Page it is linked to."
              }
              connectLabel="Connect Instagram"
              connectDisabled={facebook?.status !== "connected"}
              busy={busy}
              onConnect={() => connectInstagram.mutate()}
              onChanged={refresh}
            />
          </ul>
        </>
      )}
      {busy && (
        <p className="muted" role="status">
          <Spinner /> Opening Facebook…
        </p>
      )}
    </section>
  );
}

function AccountItem({
  label,
  account,
  empty,
  connectLabel,
  connectDisabled = false,
  busy,
  onConnect,
  onChanged,
}: {
  label: string;
  account: SocialAccount | undefined;
  empty: string;
  connectLabel: string;
  connectDisabled?: boolean;
  busy: boolean;
  onConnect: () => void;
  onChanged: () => Promise<unknown>;
}) {
  const [confirming, setConfirming] = useState(false);
  const disconnect = useMutation(
    trpc.socialAccounts.disconnect.mutationOptions({
      onSuccess: async () => {
        setConfirming(false);
        await onChanged();
      },
    }),
  );
  const active = account && account.status !== "disconnected";
  return (
    <li className="social-account">
      <div className="social-account-head">
        <div>
          <p className="social-account-platform">{label}</p>
          {account ? (
            <p className="social-account-name">{account.displayName}</p>
          ) : (
            <p className="social-account-empty muted">{empty}</p>
          )}
        </div>
        {account && <span className={BADGES[account.status]}>{STATUS_LABELS[account.status]}</span>}
      </div>
      {account?.statusReason && account.status !== "connected" && (
        <p className={account.status === "needs_reconnect" ? "social-account-reason" : "muted"}>
          {account.statusReason}
        </p>
      )}
      {active && account.declinedPermissions.length > 0 && (
        <div className="social-account-declined">
          <p className="social-account-declined-text">
            You declined these permissions; posting may not work without them. Reconnect to grant them:
          </p>
          <ul className="social-account-declined-list">
            {account.declinedPermissions.map((permission) => (
              <li key={permission}>{permissionLabel(permission)}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="social-account-actions">
        {active ? (
          <button
            className={`button ${account.status === "needs_reconnect" ? "button-primary" : "button-quiet"}`}
            type="button"
            disabled={busy}
            onClick={onConnect}
          >
            Reconnect
          </button>
        ) : (
          <button
            className="button button-primary"
            type="button"
            disabled={busy || connectDisabled}
            onClick={onConnect}
          >
            {connectLabel}
          </button>
        )}
        {active && !confirming && (
          <button className="button button-danger" type="button" onClick={() => setConfirming(true)}>
            Disconnect
          </button>
        )}
      </div>
      {active && confirming && (
        <div className="action-panel">
          <p className="social-account-confirm-text">
            Disconnect {account.displayName}? Its access is deleted here and scheduled posts to it wait until
            you connect again. Posts already published stay.
          </p>
          <div className="social-account-actions">
            <button
              className="button button-danger"
              type="button"
              disabled={disconnect.isPending}
              onClick={() => disconnect.mutate({ id: account.id })}
            >
              {disconnect.isPending ? "Disconnecting…" : "Disconnect"}
            </button>
            <button className="button button-quiet" type="button" onClick={() => setConfirming(false)}>
              Keep connected
            </button>
          </div>
          {disconnect.isError && (
            <p className="field-error" role="alert">
              {errorMessage(disconnect.error)}
            </p>
          )}
        </div>
      )}
    </li>
  );
}

function PagePicker({
  choices,
  onPicked,
}: {
  choices: PageChoice[];
  onPicked: (account: SocialAccount) => Promise<unknown>;
}) {
  const [pageId, setPageId] = useState(choices[0]?.pageId ?? "");
  const select = useMutation(trpc.socialAccounts.selectPage.mutationOptions({ onSuccess: onPicked }));
  return (
    <form
      className="action-panel page-choices"
      onSubmit={(event) => {
        event.preventDefault();
        if (pageId) select.mutate({ pageId });
      }}
    >
      <fieldset className="choice-group">
        <legend className="field-label">Which Page should posts go to?</legend>
        <div className="choice-options page-choice-options">
          {choices.map((choice) => (
            <label className="check" key={choice.pageId}>
              <input
                type="radio"
                name="pageId"
                value={choice.pageId}
                checked={pageId === choice.pageId}
                onChange={() => setPageId(choice.pageId)}
              />
              <span>
                {choice.name}
                <span className="muted">
                  {choice.instagramUsername
                    ? ` · Instagram @${choice.instagramUsername}`
                    : " · no Instagram linked"}
                </span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="form-actions">
        <button className="button button-primary" type="submit" disabled={!pageId || select.isPending}>
          {select.isPending ? "Connecting…" : "Use this Page"}
        </button>
      </div>
      {select.isError && (
        <p className="field-error" role="alert">
          {errorMessage(select.error)}
        </p>
      )}
    </form>
  );
}
