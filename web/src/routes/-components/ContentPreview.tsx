import { useQuery } from "@tanstack/react-query";
import { Link, useMatch } from "@tanstack/react-router";
import { contentLimitCounts } from "db/rules";
import { useId, useState } from "react";
import type { ContentKind } from "../../lib/content";
import { formatCount, formatPrice } from "../../lib/format";
import {
  facebookParts,
  flyerParts,
  type InstagramParts,
  instagramParts,
  TAG_OR_MENTION,
} from "../../lib/previews";
import { trpc } from "../../trpc";
import { ListingPhoto } from "./ListingPhoto";

export type PreviewAgent = {
  name: string;
  brokerageName: string;
  phone?: string;
  /** The brand kit's logo (or headshot), shown as the Page's and the account's picture. */
  pictureUrl?: string | null;
  /** The brand's primary colour behind the initials when there is no picture. */
  color?: string | null;
};
export type PreviewListing = {
  addressLine: string;
  city: string;
  priceCents: number | null;
  /** The listing's first photo; undefined where it is not known (the marketing link's page). */
  photoUrl: string | null | undefined;
};

type PreviewProps = {
  kind: ContentKind;
  body: string;
  structured: Record<string, unknown> | null;
  listing: PreviewListing;
  agent: PreviewAgent;
};

/** How the draft will look where it is published. Drafted text is untrusted: it is only ever shown as text. */
export function ContentPreview(props: PreviewProps) {
  const destination = useDestination(props.kind);
  switch (props.kind) {
    case "facebook_post":
      return <FacebookPreview {...props} destination={destination} />;
    case "instagram_caption":
      return <InstagramPreview {...props} destination={destination} />;
    case "flyer_text":
      return <FlyerPreview {...props} />;
  }
}

type Destination =
  | { state: "unknown" }
  | { state: "none" }
  | { state: "connected" | "needs_reconnect"; name: string; username: string | null; reason: string | null };

/**
 * The signed-in agent's account the post goes to. Only inside the app (the marketing department's review
 * page has no session and shows none).
 */
function useDestination(kind: ContentKind): Destination {
  const inApp = useMatch({ from: "/_app", shouldThrow: false }) !== undefined;
  const platform = kind === "facebook_post" ? "facebook" : kind === "instagram_caption" ? "instagram" : null;
  const accounts = useQuery({
    ...trpc.socialAccounts.list.queryOptions(),
    enabled: inApp && platform !== null,
  });
  if (!inApp || !platform || !accounts.data) return { state: "unknown" };
  const account = accounts.data.accounts.find(
    (row) => row.platform === platform && row.status !== "disconnected",
  );
  if (!account) return { state: "none" };
  return {
    state: account.status === "connected" ? "connected" : "needs_reconnect",
    name: account.displayName,
    username: account.username,
    reason: account.statusReason,
  };
}

/** "Posts to the Facebook Page …", or that nothing is connected yet, with the way to Settings. */
function PreviewDestination({ kind, destination }: { kind: ContentKind; destination: Destination }) {
  const facebook = kind === "facebook_post";
  if (destination.state === "unknown") return null;
  if (destination.state === "none") {
    return (
      <p className="alert alert-info preview-destination">
        {facebook ? "No Facebook Page connected" : "No Instagram account connected"} — connect one in{" "}
        <Link to="/settings">Settings</Link>.
      </p>
    );
  }
  const where = facebook
    ? `the Facebook Page ${destination.name}`
    : `Instagram @${destination.username ?? destination.name}`;
  if (destination.state === "needs_reconnect") {
    return (
      <p className="alert alert-error preview-destination">
        Posts to {where}, which needs reconnecting{destination.reason ? `: ${destination.reason}` : ""}.{" "}
        <Link to="/settings">Reconnect it in Settings</Link>.
      </p>
    );
  }
  return <p className="preview-destination">Posts to {where}</p>;
}

/** Text with its hashtags and mentions coloured like links (spans, not links: nothing is posted yet). */
function RichText({ text }: { text: string }) {
  const parts = text.split(TAG_OR_MENTION);
  let offset = 0;
  return (
    <>
      {parts.map((part, i) => {
        const key = offset;
        offset += part.length;
        if (part === "") return null;
        return i % 2 === 1 ? (
          <span className="preview-tag" key={key}>
            {part}
          </span>
        ) : (
          <span key={key}>{part}</span>
        );
      })}
    </>
  );
}

// Line icons for the platforms' buttons (emoji fonts are not everywhere).
const ICON_PATHS = {
  globe:
    "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM3 12h18M12 3c2.5 2.5 3.5 5.5 3.5 9s-1 6.5-3.5 9c-2.5-2.5-3.5-5.5-3.5-9s1-6.5 3.5-9z",
  like: "M7 10v10H4V10zM7 10l4-7c1.5 0 2.5 1 2.5 2.5L13 9h5.5a2 2 0 0 1 2 2.3l-1.2 7A2 2 0 0 1 17.3 20H7",
  comment: "M4 5h16v11H9l-5 4z",
  share: "M14 5l7 7-7 7v-4c-5 0-8 1.5-10 5 .5-5.5 3.5-9.5 10-10z",
  heart:
    "M12 20s-7.5-4.6-9-9.3C2 7.5 4.2 5 7 5c2 0 3.3 1.2 5 3 1.7-1.8 3-3 5-3 2.8 0 5 2.5 4 5.7-1.5 4.7-9 9.3-9 9.3z",
  send: "M21 3 10 14M21 3l-7 18-4-7-7-4z",
  bookmark: "M6 3h12v18l-6-5-6 5z",
} as const;

function PreviewIcon({ name }: { name: keyof typeof ICON_PATHS }) {
  return (
    <svg className="preview-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={ICON_PATHS[name]} />
    </svg>
  );
}

function PreviewPhoto({ listing, className }: { listing: PreviewListing; className: string }) {
  if (listing.photoUrl === undefined) {
    return <div className={`${className} photo-placeholder`}>Listing photo</div>;
  }
  return (
    <ListingPhoto className={className} url={listing.photoUrl} alt={`Photo of ${listing.addressLine}`} />
  );
}

function initials(name: string): string {
  const letters = name
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase());
  return `${letters[0] ?? ""}${letters.length > 1 ? letters.at(-1) : ""}` || "?";
}

function Avatar({ name, agent }: { name: string; agent: PreviewAgent }) {
  if (agent.pictureUrl) {
    return <img className="preview-avatar preview-avatar-image" src={agent.pictureUrl} alt="" />;
  }
  return (
    <span
      className="preview-avatar"
      aria-hidden="true"
      style={agent.color ? { background: agent.color } : undefined}
    >
      {initials(name)}
    </span>
  );
}

function FacebookPreview({
  body,
  structured,
  listing,
  agent,
  destination,
}: PreviewProps & { destination: Destination }) {
  const { text, hashtags } = facebookParts(structured, body);
  const pageName = "name" in destination ? destination.name : agent.name;
  return (
    <div className="preview">
      <PreviewDestination kind="facebook_post" destination={destination} />
      <article className="fb-post" aria-label="Facebook post preview">
        <header className="fb-header">
          <Avatar name={pageName} agent={agent} />
          <div>
            <p className="fb-page-name">{pageName}</p>
            <p className="fb-meta">
              {agent.brokerageName ? `${agent.brokerageName} · ` : ""}Just now · <PreviewIcon name="globe" />
            </p>
          </div>
        </header>
        <p className="fb-text">
          <RichText text={text} />
        </p>
        {hashtags.length > 0 && (
          <p className="fb-text fb-hashtags">
            <RichText text={hashtags.map((tag) => `#${tag}`).join(" ")} />
          </p>
        )}
        <PreviewPhoto className="fb-photo" listing={listing} />
        <div className="fb-actions" aria-hidden="true">
          <span>
            <PreviewIcon name="like" /> Like
          </span>
          <span>
            <PreviewIcon name="comment" /> Comment
          </span>
          <span>
            <PreviewIcon name="share" /> Share
          </span>
        </div>
      </article>
      <LimitCounters kind="facebook_post" body={body} />
    </div>
  );
}

/** Instagram folds a caption after about 125 characters behind "… more". */
const FOLD_AT = 125;

function foldCaption(text: string): string {
  const cut = text.slice(0, FOLD_AT);
  const space = cut.lastIndexOf(" ");
  return (space > FOLD_AT * 0.7 ? cut.slice(0, space) : cut).trimEnd();
}

function handleOf(name: string): string {
  return (
    name
      .normalize("NFKD")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "") || "youragency"
  );
}

/** Caption, then hashtags, then mentions: laid out as the worker renders what it posts. */
function instagramText({ caption, hashtags, mentions }: InstagramParts): string {
  const footer = [hashtags.map((tag) => `#${tag}`).join(" "), mentions.map((name) => `@${name}`).join(" ")];
  const tail = footer.filter(Boolean).join("\n");
  return tail ? `${caption}\n\n${tail}` : caption;
}

function InstagramPreview({
  body,
  structured,
  listing,
  agent,
  destination,
}: PreviewProps & { destination: Destination }) {
  const captionId = useId();
  const [expanded, setExpanded] = useState(false);
  const full = instagramText(instagramParts(structured, body));
  const long = full.length > FOLD_AT + 10;
  const handle = ("username" in destination && destination.username) || handleOf(agent.name);
  return (
    <div className="preview">
      <PreviewDestination kind="instagram_caption" destination={destination} />
      <article className="ig-post" aria-label="Instagram caption preview">
        <header className="ig-header">
          <Avatar name={agent.name} agent={agent} />
          <p className="ig-username">{handle}</p>
        </header>
        <PreviewPhoto className="ig-photo" listing={listing} />
        <div className="ig-actions" aria-hidden="true">
          <PreviewIcon name="heart" />
          <PreviewIcon name="comment" />
          <PreviewIcon name="send" />
          <span className="ig-save">
            <PreviewIcon name="bookmark" />
          </span>
        </div>
        <p className="ig-caption" id={captionId}>
          <strong>{handle}</strong> <RichText text={long && !expanded ? foldCaption(full) : full} />
          {long && !expanded && "… "}
          {long && (
            <button
              className="ig-more"
              type="button"
              aria-expanded={expanded}
              aria-controls={captionId}
              onClick={() => setExpanded((value) => !value)}
            >
              {expanded ? "less" : "more"}
            </button>
          )}
        </p>
      </article>
      <LimitCounters kind="instagram_caption" body={full} />
    </div>
  );
}

/**
 * One counter per limit of the kind (db/rules counts them, as `content.update` enforces them); a counter over
 * its limit says so in words, not only in colour.
 */
export function LimitCounters({ kind, body }: { kind: ContentKind; body: string }) {
  const platform =
    kind === "facebook_post" ? "Facebook" : kind === "instagram_caption" ? "Instagram" : "Flyer";
  return (
    <ul className="preview-counters" aria-label={`${platform} limits`}>
      {contentLimitCounts(kind, body).map((limit) => {
        const over = limit.count > limit.max;
        return (
          <li className={over ? "counter counter-over" : "counter"} key={limit.label}>
            {limit.label}: {formatCount(limit.count)} / {formatCount(limit.max)}
            {over && <span> — over the limit</span>}
          </li>
        );
      })}
    </ul>
  );
}

function FlyerPreview({ body, structured, listing, agent }: PreviewProps) {
  const flyer = flyerParts(structured, body);
  const contact = [agent.brokerageName, agent.phone].filter(Boolean).join(" · ");
  return (
    <div className="preview">
      <article className="flyer" aria-label="Flyer preview">
        <PreviewPhoto className="flyer-photo" listing={listing} />
        <div className="flyer-content">
          {flyer.headline && <p className="flyer-headline">{flyer.headline}</p>}
          <p className="flyer-price">{formatPrice(listing.priceCents)}</p>
          <p className="flyer-address">
            {listing.addressLine}
            {listing.city ? `, ${listing.city}` : ""}
          </p>
          {flyer.bullets.length > 0 && (
            <ul className="flyer-bullets">
              {flyer.bullets.map((bullet, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: bullets may repeat and never reorder
                <li key={i}>{bullet}</li>
              ))}
            </ul>
          )}
          {flyer.body && <p className="flyer-body">{flyer.body}</p>}
          {flyer.callToAction && <p className="flyer-cta">{flyer.callToAction}</p>}
        </div>
        <footer className="flyer-footer">
          <p className="flyer-agent">{agent.name}</p>
          {contact && <p>{contact}</p>}
        </footer>
      </article>
      <LimitCounters kind="flyer_text" body={body} />
    </div>
  );
}
