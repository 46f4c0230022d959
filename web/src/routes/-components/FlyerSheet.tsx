import type { inferRouterOutputs } from "@trpc/server";
import { useMemo } from "react";
import { renderSVG } from "uqr";
import type { AppRouter } from "worker/router";
import { formatPrice } from "../../lib/format";
// Imported here, by the flyer route's lazy chunk only, so the print styles stay out of the entry chunk.
import "../../flyer.css";

type FlyerOutput = inferRouterOutputs<AppRouter>["content"]["flyer"];
/** The printable flyer as `content.flyer` returns it. */
export interface FlyerData extends FlyerOutput {}
/** "letter" | "a4": the sizes the layout is checked for. */
export type FlyerPageSize = keyof FlyerOutput["layout"];
export const FLYER_SIZES: Record<FlyerPageSize, string> = { letter: "Letter", a4: "A4" };

/** HUD's equal housing opportunity policy sentence (the short form of the statement used in print ads). */
export const EHO_STATEMENT =
  "We are pledged to the letter and spirit of U.S. policy for the achievement of equal housing " +
  "opportunity throughout the Nation.";

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The listing's page as a QR code: uqr's SVG, titled with the URL so it has an accessible name. */
function QrCode({ url }: { url: string }) {
  // uqr writes only rects and path data; the one text added is the escaped URL in the title.
  const svg = useMemo(
    () =>
      renderSVG(url, { border: 1, ecc: "M" })
        .replace(/^<svg /, `<svg role="img" aria-labelledby="pf-qr-title" class="pf-qr-svg" `)
        .replace(/>/, `><title id="pf-qr-title">${escapeXml(url)}</title>`),
    [url],
  );
  // biome-ignore lint/security/noDangerouslySetInnerHtml: uqr's own SVG markup, with only escaped text added
  return <div className="pf-qr-code" dangerouslySetInnerHTML={{ __html: svg }} />;
}

/** The Equal Housing Opportunity mark: a house with an equal sign in it, drawn here (no external fetch). */
export function EqualHousingLogo() {
  return (
    <svg className="pf-eho-logo" viewBox="0 0 64 64" role="img" aria-label="Equal Housing Opportunity logo">
      <path d="M32 4 2 28h8v30h44V28h8L32 4Zm0 8.6L46 23.8V50H18V23.8L32 12.6Z" fill="currentColor" />
      <rect x="22" y="28" width="20" height="6" fill="currentColor" />
      <rect x="22" y="39" width="20" height="6" fill="currentColor" />
    </svg>
  );
}

/** The one printed page: sized to the page's content box, type scaled by the layout's verdict. */
export function FlyerSheet({ flyer, size }: { flyer: FlyerData; size: FlyerPageSize }) {
  const { copy, listing, agent } = flyer;
  const layout = flyer.layout[size];
  const [mainPhoto, ...sidePhotos] = listing.photos;
  const place = [listing.addressLine, [listing.city, listing.state].filter(Boolean).join(", "), listing.zip]
    .filter(Boolean)
    .join(" · ");
  const style = {
    "--flyer-scale": String(layout.scale),
    ...(agent.primaryColor ? { "--pf-primary": agent.primaryColor } : {}),
    ...(agent.accentColor ? { "--pf-accent": agent.accentColor } : {}),
  } as React.CSSProperties;
  return (
    <article className="pf-sheet" data-size={size} style={style} aria-label="Flyer">
      {copy.headline && (
        <header className="pf-header">
          <h1 className="pf-headline">{copy.headline}</h1>
        </header>
      )}
      {mainPhoto && (
        <div className={`pf-photos pf-photos-${listing.photos.length}`}>
          <img className="pf-photo pf-photo-main" src={mainPhoto} alt={listing.addressLine} />
          {sidePhotos.map((src) => (
            <img className="pf-photo" key={src} src={src} alt="" />
          ))}
        </div>
      )}
      <section className="pf-facts" aria-label="Home facts">
        <p className="pf-price">
          {formatPrice(listing.priceCents)}
          <span className="pf-place">{place}</span>
        </p>
        {listing.facts && <p className="pf-facts-line">{listing.facts}</p>}
      </section>
      {(copy.body || copy.bullets.length > 0) && (
        <section className="pf-text">
          {copy.body
            .split(/\n\s*\n/)
            .filter((p) => p.trim())
            .map((paragraph, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: paragraphs of one text never reorder
              <p className="pf-body" key={i}>
                {paragraph.trim()}
              </p>
            ))}
          {copy.bullets.length > 0 && (
            <ul className="pf-bullets">
              {copy.bullets.map((bullet, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: bullets of one text never reorder
                <li key={i}>{bullet}</li>
              ))}
            </ul>
          )}
        </section>
      )}
      {copy.callToAction && <p className="pf-cta">{copy.callToAction}</p>}
      <footer className="pf-footer">
        <div className="pf-agent">
          {agent.headshotUrl && <img className="pf-headshot" src={agent.headshotUrl} alt={agent.name} />}
          <div className="pf-agent-text">
            <p className="pf-agent-name">{agent.name}</p>
            {/* Florida rule 61J2-10.025: the brokerage's licensed name, next to the contact details. */}
            {agent.brokerageName && <p className="pf-brokerage">{agent.brokerageName}</p>}
            <p className="pf-contact">{[agent.phone, agent.email].filter(Boolean).join(" · ")}</p>
            {agent.licenseNumber && <p className="pf-license">License # {agent.licenseNumber}</p>}
            {agent.tagline && <p className="pf-tagline">{agent.tagline}</p>}
          </div>
          {agent.logoUrl && (
            <img className="pf-logo" src={agent.logoUrl} alt={`${agent.brokerageName || agent.name} logo`} />
          )}
        </div>
        {listing.url && (
          <div className="pf-qr">
            <QrCode url={listing.url} />
            <p className="pf-qr-caption">Scan for details</p>
          </div>
        )}
        <div className="pf-eho">
          <EqualHousingLogo />
          <p>
            <strong>Equal Housing Opportunity.</strong> {EHO_STATEMENT}
          </p>
        </div>
      </footer>
    </article>
  );
}
