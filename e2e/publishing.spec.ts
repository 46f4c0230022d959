// Publishing through the Graph API fake (tools/fake-graph, started by the e2e server with its demo world):
// connect the demo Page and Instagram account through the fake's consent page, post now, and schedule,
// reschedule and cancel on the calendar.
import { expect, type Page, test } from "@playwright/test";
import {
  BROKERAGE,
  DRAFTING,
  draftCard,
  guardEachTest,
  ingestAndOpenHome,
  initiateDrafts,
  registerAgent,
} from "./support";

const GRAPH = process.env.E2E_GRAPH_URL ?? "";
const PAGE_NAME = "Chris Morgan Homes";
const IG_USERNAME = "chrismorganhomes";
const PUBLISHING = { timeout: 30_000 };

guardEachTest();

/** On the fake's consent page (a different origin), grant everything it asks for. */
async function consent(page: Page) {
  await expect(page).toHaveURL((url) => url.origin === new URL(GRAPH).origin);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("is requesting access");
  await page.getByRole("button", { name: /^Continue as / }).click();
}

async function connectAccounts(page: Page) {
  await page.getByRole("link", { name: "Settings", exact: true }).click();
  const social = page.getByRole("region", { name: "Social accounts" });
  await social.getByRole("button", { name: "Connect Facebook" }).click();
  await consent(page);
  await expect(page).toHaveURL((url) => url.pathname === "/settings");
  await expect(social.getByText(PAGE_NAME)).toBeVisible();
  await expect(social.getByText("Connected", { exact: true }).first()).toBeVisible();

  await social.getByRole("button", { name: "Connect Instagram" }).click();
  // The Facebook grant already covers Instagram publishing; a re-consent goes through the same page.
  await page.waitForURL((url) => url.pathname === "/settings" || url.origin === new URL(GRAPH).origin);
  if (new URL(page.url()).origin === new URL(GRAPH).origin) await consent(page);
  await expect(social.getByText(`@${IG_USERNAME}`).or(social.getByText(IG_USERNAME)).first()).toBeVisible();
}

async function openDraft(page: Page, address: string, kind: "Facebook post" | "Instagram caption") {
  await page.getByRole("link", { name: "Approvals", exact: true }).click();
  await draftCard(page, address, kind).getByRole("link", { name: kind }).click();
  await expect(page.getByRole("heading", { level: 1, name: kind })).toBeVisible();
}

/** What the fake says was published (its control API). */
async function publishedOnGraph() {
  const response = await fetch(`${GRAPH}/__control/published`);
  return (await response.json()) as { facebook: { permalink: string }[]; instagram: { permalink: string }[] };
}

const posts = (page: Page) => page.getByRole("list", { name: "Posts" });

test("connect through the consent page, post now, and schedule, reschedule and cancel on the calendar", async ({
  page,
}) => {
  test.setTimeout(180_000);
  if (!GRAPH) throw new Error("E2E_GRAPH_URL must point at the Graph API fake");
  await registerAgent(page, { brokerage: BROKERAGE });
  await connectAccounts(page);

  const home = await ingestAndOpenHome(page);
  await initiateDrafts(page, ["Facebook post", "Instagram caption"]);
  await expect(draftCard(page, home.address, "Facebook post")).toContainText(
    "Waiting for approval",
    DRAFTING,
  );
  await expect(draftCard(page, home.address, "Instagram caption")).toContainText(
    "Waiting for approval",
    DRAFTING,
  );

  // Post now: the preview names the Page, and the post comes back published with its link.
  await openDraft(page, home.address, "Facebook post");
  await expect(page.getByText(`Posts to the Facebook Page ${PAGE_NAME}`)).toBeVisible();
  await page.getByRole("button", { name: "Approve & post now", exact: true }).click();
  await page.getByRole("button", { name: "Post to Facebook now" }).click();
  await expect(posts(page)).toContainText("Published", PUBLISHING);
  const live = posts(page).getByRole("link", { name: "View on Facebook" });
  await expect(live).toHaveAttribute("href", /^https?:\/\//);
  const published = await publishedOnGraph();
  const href = await live.getAttribute("href");
  expect(published.facebook.filter((post) => post.permalink === href)).toHaveLength(1);

  // Schedule the Instagram caption for tomorrow at 9:00 in the agent's zone.
  const instagramBefore = (await publishedOnGraph()).instagram.length;
  await openDraft(page, home.address, "Instagram caption");
  await expect(page.getByText(`Posts to Instagram @${IG_USERNAME}`)).toBeVisible();
  await page.getByRole("button", { name: "Schedule…" }).click();
  const schedule = page.getByRole("dialog", { name: "Schedule on Instagram" });
  await expect(schedule).toBeVisible();
  await expect(schedule).toContainText("America/New York");
  await expect(schedule.getByLabel("Time")).toHaveValue("09:00");
  await expect(schedule).toContainText(/Posts \w+day, .* at 9:00 AM E[SD]T\./);
  await schedule.getByRole("button", { name: "Schedule post" }).click();
  await expect(schedule).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: /^Scheduled for / })).toBeVisible();
  await expect(posts(page)).toContainText("Scheduled for");

  // On the calendar: open it, move it to 10:30, then cancel it.
  await posts(page).getByRole("link", { name: "Open in the calendar" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Calendar" })).toBeVisible();
  const chip = page.getByRole("button", {
    name: new RegExp(`^9:00 AM, Instagram, ${home.address}: Scheduled`),
  });
  await chip.click();
  const dialog = page.getByRole("dialog", { name: `Instagram post · ${home.address}` });
  await expect(dialog).toContainText("Instagram @chrismorganhomes");
  await dialog.getByRole("button", { name: "Reschedule" }).click();
  await dialog.getByLabel("Time").fill("10:30");
  await expect(dialog).toContainText("at 10:30 AM");
  await dialog.getByRole("button", { name: "Save new time" }).click();
  await expect(dialog.getByRole("status")).toContainText("Rescheduled for");
  await expect(
    page.getByRole("button", { name: new RegExp(`^10:30 AM, Instagram, ${home.address}: Scheduled`) }),
  ).toBeVisible();

  await page.screenshot({ path: "/tmp/publishing-calendar-dialog.png" });
  await dialog.getByRole("button", { name: "Cancel post" }).click();
  await dialog.getByRole("button", { name: "Yes, cancel post" }).click();
  await expect(dialog.getByRole("status")).toContainText("Cancelled");
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();
  await expect(
    page.getByRole("button", { name: new RegExp(`^10:30 AM, Instagram, ${home.address}: Cancelled`) }),
  ).toBeVisible();

  await page.getByRole("link", { name: "Month", exact: true }).click();
  await page.screenshot({ path: "/tmp/publishing-calendar-month.png", fullPage: true });
  // On a phone the month is a list of the days that have posts.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole("list", { name: "Posts by day" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Posts by day" })).toBeHidden();
  await page.screenshot({ path: "/tmp/publishing-calendar-phone.png", fullPage: true });
  await page.setViewportSize({ width: 1280, height: 720 });

  // The caption waits for approval again, and nothing went to Instagram.
  await openDraft(page, home.address, "Instagram caption");
  await expect(page.getByRole("button", { name: "Schedule…" })).toBeEnabled();
  expect((await publishedOnGraph()).instagram).toHaveLength(instagramBefore);

  // Now approve it to post at once: the container is polled until ready, then published once, with its link.
  await page.getByRole("button", { name: "Approve & post now", exact: true }).click();
  await page.getByRole("button", { name: "Post to Instagram now" }).click();
  await expect(posts(page)).toContainText("Published", PUBLISHING);
  const onInstagram = posts(page).getByRole("link", { name: "View on Instagram" });
  await expect(onInstagram).toHaveAttribute("href", /^https?:\/\//);
  const instagramHref = await onInstagram.getAttribute("href");
  const instagram = (await publishedOnGraph()).instagram;
  expect(instagram).toHaveLength(instagramBefore + 1);
  expect(instagram.filter((post) => post.permalink === instagramHref)).toHaveLength(1);
});
