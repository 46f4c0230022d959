import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { FormAlert } from "../../components/Field";
import { KIND_LABELS } from "../../lib/content";
import { errorMessage } from "../../lib/errors";
import {
  accountUrl,
  formatLong,
  PLATFORM_LABELS,
  POST_STATUS_LABELS,
  type PostItem,
  viewOn,
} from "../../lib/posts";
import { trpc } from "../../trpc";
import { PostMetrics } from "./PostMetrics";
import { Modal, ScheduleForm } from "./ScheduleDialog";

type Mode = "view" | "reschedule" | "cancel";

/** After a change to a post: the calendar, and the piece it belongs to, are read again. */
async function invalidatePosts(queryClient: ReturnType<typeof useQueryClient>) {
  await Promise.all([
    queryClient.invalidateQueries(trpc.posts.pathFilter()),
    queryClient.invalidateQueries(trpc.content.pathFilter()),
    queryClient.invalidateQueries(trpc.dashboard.pathFilter()),
  ]);
}

/** One post of the calendar: what, where and when, and what Chris can do with it now. */
export function CalendarPostDialog({
  post: listed,
  timeZone,
  onClose,
}: {
  post: PostItem;
  timeZone: string;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<Mode>("view");
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  // The list's copy shows at once; the post's own query keeps it fresh while it publishes.
  const detail = useQuery({
    ...trpc.posts.get.queryOptions({ id: listed.id }),
    refetchInterval: (query) => (query.state.data?.status === "publishing" ? 2000 : false),
  });
  const post = detail.data ?? listed;
  const settle = { onSettled: () => invalidatePosts(queryClient) };
  const reschedule = useMutation(trpc.posts.reschedule.mutationOptions(settle));
  const cancel = useMutation(trpc.posts.cancel.mutationOptions(settle));
  const retry = useMutation(trpc.posts.retry.mutationOptions(settle));
  const busy = reschedule.isPending || cancel.isPending || retry.isPending;
  const platform = PLATFORM_LABELS[post.platform];
  const startable = post.status === "scheduled" && post.phase === "new";
  const retryable = post.status === "failed" || post.status === "unconfirmed";

  async function run(action: () => Promise<unknown>, done: string) {
    setFailure(null);
    setMessage(null);
    try {
      await action();
      setMode("view");
      setMessage(done);
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  return (
    <Modal title={`${platform} post · ${post.listing.addressLine}`} onClose={onClose} className="post-dialog">
      <dl className="post-facts">
        <div>
          <dt>Status</dt>
          <dd>
            <span className={`post-badge post-badge-${post.status}`}>{POST_STATUS_LABELS[post.status]}</span>
          </dd>
        </div>
        <div>
          <dt>{post.status === "published" ? "Published" : "When"}</dt>
          <dd>{formatLong(post.postedAt ?? post.scheduledAt, timeZone)}</dd>
        </div>
        <div>
          <dt>Where</dt>
          <dd>
            {post.account
              ? post.platform === "instagram" && post.account.username
                ? `Instagram @${post.account.username}`
                : `${platform} Page ${post.account.displayName}`
              : `No ${platform} account connected`}
          </dd>
        </div>
        <div>
          <dt>What</dt>
          <dd>
            <Link to="/approvals/$pieceId" params={{ pieceId: post.contentId }} search={{}}>
              {KIND_LABELS[post.kind]} for {post.listing.addressLine}
            </Link>
          </dd>
        </div>
      </dl>
      <p className="post-excerpt">{detail.data?.body ?? listed.excerpt}</p>
      {post.status === "published" && post.permalink && (
        <p>
          <a className="button button-quiet" href={post.permalink} target="_blank" rel="noopener noreferrer">
            {viewOn(post.platform)}
          </a>
        </p>
      )}
      {post.status === "published" && <PostMetrics postId={post.id} timeZone={timeZone} />}
      {post.status === "failed" && post.lastError && (
        <p className="alert alert-error">
          <strong>Not posted.</strong> {post.lastError}
        </p>
      )}
      {post.status === "unconfirmed" && (
        <p className="alert alert-warning">
          We could not confirm that this post went out, so it was not sent again. Check your{" "}
          <a href={accountUrl(post.platform, post.account)} target="_blank" rel="noopener noreferrer">
            {post.platform === "facebook" ? "Facebook Page" : "Instagram profile"}
          </a>
          . Trying again checks first and posts only if it is not there.
        </p>
      )}
      {post.warnings.length > 0 && post.status === "scheduled" && (
        <ul className="alert alert-warning post-warnings" aria-label="Warnings">
          {post.warnings.map((warning) => (
            <li key={warning.code}>{warning.message}</li>
          ))}
        </ul>
      )}
      <FormAlert message={failure} />
      <p className="form-status" role="status">
        {message}
      </p>
      {mode === "reschedule" && (
        <ScheduleForm
          timeZone={timeZone}
          initialAt={post.scheduledAt}
          submitLabel="Save new time"
          pendingLabel="Saving…"
          onCancel={() => setMode("view")}
          onSubmit={async ({ at }) => {
            setFailure(null);
            await reschedule.mutateAsync({ id: post.id, scheduledAt: at });
            setMode("view");
            setMessage(`Rescheduled for ${formatLong(at, timeZone)}.`);
          }}
        />
      )}
      {mode === "cancel" && (
        <div className="post-confirm">
          <p>Cancel this post? The draft goes back to your approvals, so you can approve it again.</p>
          <div className="form-actions">
            <button
              className="button button-danger"
              type="button"
              disabled={busy}
              onClick={() =>
                run(
                  () => cancel.mutateAsync({ id: post.id }),
                  "Cancelled. The draft waits for your approval again.",
                )
              }
            >
              {cancel.isPending ? "Cancelling…" : "Yes, cancel post"}
            </button>
            <button
              className="button button-quiet"
              type="button"
              disabled={busy}
              onClick={() => setMode("view")}
            >
              Keep it
            </button>
          </div>
        </div>
      )}
      {mode === "view" && (startable || retryable) && (
        <div className="form-actions post-actions">
          {startable && (
            <>
              <button
                className="button button-primary"
                type="button"
                disabled={busy}
                onClick={() => {
                  setMessage(null);
                  setMode("reschedule");
                }}
              >
                Reschedule
              </button>
              <button
                className="button button-danger"
                type="button"
                disabled={busy}
                onClick={() => {
                  setMessage(null);
                  setMode("cancel");
                }}
              >
                Cancel post
              </button>
            </>
          )}
          {retryable && (
            <button
              className="button button-primary"
              type="button"
              disabled={busy}
              onClick={() => run(() => retry.mutateAsync({ id: post.id }), "Trying again now.")}
            >
              {retry.isPending ? "Starting…" : "Try again"}
            </button>
          )}
        </div>
      )}
    </Modal>
  );
}
