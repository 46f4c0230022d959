// The writer used without an LLM: fixed templates filled with the listing's own facts, so it never invents
// anything, always names the brokerage, and stays clear of buyer descriptions (see fair-housing.ts).
import { displayFacts, plainText } from "./facts";
import { LIMITS } from "./schemas";
import type { AgentProfile, DraftContent, DraftRequest, ListingFacts, PostType } from "./types";

export const OFFLINE_VERSION = "offline-v1";

const clamp = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
const sentence = (text: string) => (/[.!?…]$/.test(text) ? text : `${text}.`);
const join = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;

/** "CypressHollow" from "Cypress Hollow"; hashtags are letters and digits only. */
const tag = (words: string) =>
  words
    .normalize("NFKD")
    .replace(/[^\p{L}\p{N}\s]/gu, "")
    .split(/\s+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");

const STATE_NAMES: Record<string, string> = { FL: "Florida" };
const POST_TAGS: Record<PostType, string> = {
  new_listing: "JustListed",
  price_improvement: "PriceImprovement",
  new_incentive: "BuilderIncentive",
  now_selling: "NowSelling",
  sold_out: "JustSold",
};

function hashtags(listing: ListingFacts, postType: PostType, max: number): string[] {
  const state = STATE_NAMES[listing.state] ?? listing.state;
  const candidates = [
    POST_TAGS[postType],
    tag(listing.community),
    tag(listing.city),
    "NewConstruction",
    "NewHome",
    state ? `${tag(state)}RealEstate` : "",
    state ? `${tag(state)}Homes` : "",
    listing.city ? `${tag(listing.city)}RealEstate` : "",
    "RealEstate",
    "HomeForSale",
  ];
  return [...new Set(candidates.filter((t) => t.length > 1))].slice(0, max);
}

type Parts = { opening: string; details: string[]; contact: string; headline: string };

function parts(request: DraftRequest): Parts {
  const { listing, agent, postType } = request;
  const variant = request.previous || request.feedback ? 1 : 0;
  const d = displayFacts(listing);
  const where = [listing.community, listing.city].filter(Boolean).join(", ") || "Florida";
  const area = listing.community || listing.city || "the area";
  // The city is already in `where`.
  const address = listing.addressLine || "This home";
  const features = [d.beds, d.baths, d.sqft, d.garage && `a ${d.garage}`].filter((f): f is string =>
    Boolean(f),
  );
  const home = features.length ? `a new-construction home with ${join(features)}` : "a new-construction home";
  // Builders often name plans "The Magnolia": don't write "the The Magnolia plan".
  const plan = listing.planName.replace(/^the\s+/i, "");
  const planLine = plan ? `This is the ${plan} plan.` : null;
  const homeLine = plan ? `It is the ${plan} plan, ${home}.` : `It is ${home}.`;
  const incentive = plainText(listing.incentives, 200);

  const details: string[] = [];
  let opening: string;
  let headline: string;
  switch (postType) {
    case "new_listing":
      opening =
        variant === 0
          ? `Just listed in ${where}! ${address} is ${home}.`
          : `New construction, just listed: ${address} in ${where}, ${home}.`;
      headline = `Just Listed in ${area}`;
      if (planLine) details.push(planLine);
      if (d.price) details.push(`Offered at ${d.price}.`);
      break;
    case "price_improvement":
      if (d.price && d.savings && d.previousPrice) {
        opening =
          variant === 0
            ? `Price improvement in ${where}! ${address} is now ${d.price}, down from ${d.previousPrice}, a savings of ${d.savings}.`
            : `New lower price: ${address} in ${where} was ${d.previousPrice} and is now ${d.price}. That is ${d.savings} less.`;
      } else if (d.price) {
        opening = `New price in ${where}: ${address} is now offered at ${d.price}.`;
      } else {
        opening = `New pricing in ${where} for ${address}. Ask me for the details.`;
      }
      headline = d.price ? `Price Improved: Now ${d.price}` : `New Pricing in ${area}`;
      details.push(homeLine);
      break;
    case "new_incentive":
      opening = incentive
        ? variant === 0
          ? `New builder incentive in ${where}: ${sentence(incentive)} It applies to ${address}.`
          : `Builder incentive news for ${address} in ${where}: ${sentence(incentive)}`
        : `There is a new builder incentive on ${address} in ${where}. Ask me for the details.`;
      headline = `New Incentive in ${area}`;
      details.push(homeLine);
      if (d.price) details.push(`Offered at ${d.price}.`);
      break;
    case "now_selling":
      if (listing.status === "available") {
        opening =
          variant === 0
            ? `Now selling in ${where}! ${address} is available: ${home}.`
            : `Available now in ${where}: ${address}, ${home}.`;
        if (planLine) details.push(planLine);
        if (d.price) details.push(`Offered at ${d.price}.`);
      } else {
        const state = listing.status === "under_contract" ? "now under contract" : "no longer on the market";
        opening = `An update from ${where}: ${address} is ${state}. Interested in new construction here? Ask me what is currently available.`;
      }
      headline = `Now Selling in ${area}`;
      break;
    case "sold_out":
      opening =
        variant === 0
          ? `SOLD! ${address} in ${where} has sold.`
          : `Sold in ${where}: ${address} has found its buyer.`;
      headline = `Sold in ${area}`;
      details.push("Thinking about new construction in the area? Let's talk about what is available.");
      break;
  }
  if (incentive && postType !== "new_incentive" && postType !== "sold_out") {
    details.push(`Builder incentive: ${sentence(incentive)}`);
  }
  if (d.moveIn && postType !== "sold_out" && listing.status === "available") {
    details.push(`Estimated move-in: ${d.moveIn}.`);
  }
  return { opening, details, contact: contactLine(agent), headline: clamp(headline, LIMITS.flyerHeadline) };
}

function contactLine(agent: AgentProfile): string {
  const who = [agent.name.trim(), agent.brokerageName.trim()].filter(Boolean).join(", ");
  const phone = agent.phone.trim();
  if (who && phone) return `Call or text ${who}, at ${phone}.`;
  if (who) return `Contact ${who}${agent.email.trim() ? ` at ${agent.email.trim()}` : ""}.`;
  return phone ? `Call or text ${phone}.` : "Contact me for details.";
}

export function writeOffline(request: DraftRequest): DraftContent {
  const { listing, postType, agent } = request;
  const p = parts(request);
  switch (request.kind) {
    case "facebook_post":
      return {
        kind: "facebook_post",
        text: clamp(
          [p.opening, p.details.join(" "), p.contact].filter(Boolean).join("\n\n"),
          LIMITS.facebookText,
        ),
        hashtags: hashtags(listing, postType, 6),
      };
    case "instagram_caption":
      return {
        kind: "instagram_caption",
        caption: clamp([p.opening, ...p.details, "", p.contact].join("\n").replace(/\n{3,}/g, "\n\n"), 1800),
        hashtags: hashtags(listing, postType, 10),
        mentions: [],
      };
    case "flyer_text": {
      const d = displayFacts(listing);
      const bullets = [
        postType === "sold_out"
          ? null
          : postType === "price_improvement" && d.previousPrice
            ? `Now ${d.price}, was ${d.previousPrice}`
            : d.price
              ? `Offered at ${d.price}`
              : null,
        [d.beds, d.baths].filter(Boolean).join(", ") || null,
        d.sqft,
        d.garage,
        listing.planName ? `${listing.planName} plan` : null,
        listing.community ? `${listing.community}, ${listing.city}`.replace(/, $/, "") : null,
        d.moveIn && listing.status === "available" && postType !== "sold_out"
          ? `Estimated move-in: ${d.moveIn}`
          : null,
        listing.incentives && postType !== "sold_out"
          ? `Incentive: ${plainText(listing.incentives, 120)}`
          : null,
      ].filter((b): b is string => Boolean(b));
      const email = agent.email.trim() && agent.phone.trim() ? ` Email ${agent.email.trim()}.` : "";
      return {
        kind: "flyer_text",
        headline: p.headline,
        body: clamp(p.opening, LIMITS.flyerBody),
        bullets: bullets.slice(0, LIMITS.flyerBullets).map((b) => clamp(b, LIMITS.flyerBullet)),
        callToAction: clamp(`${p.contact}${email}`, LIMITS.flyerCallToAction),
      };
    }
  }
}
