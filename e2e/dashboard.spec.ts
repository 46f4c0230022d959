// Post performance on the dashboard: a new agent sees the empty states, connects the demo Page of the
// Graph API fake, posts a draft now, presses "Refresh" on the draft's figures (read from the fake's post
// insights), finds the same numbers on the listing's page and the calendar, and on the dashboard with the
// post's listing and link.
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
const PUBLISHING = { timeout: 30_000 };

guardEachTest();

async function connectFacebook(page: Page) {
  await page.getByRole("link", { name: "Settings", exact: true }).click();
  const social = page.getByRole("region", { name: "Social accounts" });
  await social.getByRole("button", { name: "Connect Facebook" }).click();
  await expect(page).toHaveURL((url) => url.origin === new URL(GRAPH).origin);
  await page.getByRole("button", { name: /^Continue as / }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/settings");
  await expect(social.getByText(PAGE_NAME)).toBeVisible();
}

/** A figure of a figures list, as a number ("1,234" -> 1234). */
async function figure(page: Page, list: string, name: string) {
  const value = page
    .getByLabel(list, { exact: true })
    .locator(".metric-figure", { has: page.getByText(name, { exact: true }) })
    .locator("dd");
  await expect(value).toHaveText(/^[\d,]+$/);
  return Number((await value.textContent())?.replaceAll(",", ""));
}

test("the dashboard shows a published post's metrics after a refresh", async ({ page }) => {
  test.setTimeout(180_000);
  if (!GRAPH) throw new Error("E2E_GRAPH_URL must point at the Graph API fake");
  await registerAgent(page, { brokerage: BROKERAGE });

  // A new agent: every section says in words that there is nothing yet.
  const performance = page.getByRole("region", { name: /Post performance/ });
  await expect(performance).toContainText("No published posts in the last 30 days.");
  await expect(page.getByRole("region", { name: "Next 7 days" })).toContainText(
    "Nothing is scheduled for the next 7 days.",
  );
  await expect(page.getByRole("region", { name: "Needs your attention" })).toContainText(
    "No failed or unconfirmed posts",
  );

  await connectFacebook(page);
  const home = await ingestAndOpenHome(page);
  await initiateDrafts(page, ["Facebook post"]);
  await expect(draftCard(page, home.address, "Facebook post")).toContainText(
    "Waiting for approval",
    DRAFTING,
  );

  // Post now, then read its figures from Meta on the draft page.
  await draftCard(page, home.address, "Facebook post").getByRole("link", { name: "Facebook post" }).click();
  await page.getByRole("button", { name: "Approve & post now", exact: true }).click();
  await page.getByRole("button", { name: "Post to Facebook now" }).click();
  await expect(page.getByRole("list", { name: "Posts" })).toContainText("Published", PUBLISHING);
  const draftFigures = page.getByRole("region", { name: "Performance" });
  await expect(draftFigures).toContainText("No figures yet.");
  await draftFigures.getByRole("button", { name: "Refresh" }).click();
  await expect(draftFigures.getByText(/^Read /)).toBeVisible();
  const reach = await figure(page, "Post figures", "Reach");
  const reactions = await figure(page, "Post figures", "Reactions");
  expect(reach).toBeGreaterThan(0);

  // The listing's page lists the post with the same figures.
  await page.getByRole("link", { name: "View listing" }).click();
  const listingPosts = page.getByRole("region", { name: "Posts and performance" });
  await expect(listingPosts).toContainText("Published");
  expect(await figure(page, "Facebook post figures", "Reach")).toBe(reach);

  // So does the post on the calendar.
  await page.getByRole("link", { name: "Calendar", exact: true }).click();
  await page
    .getByRole("button", { name: new RegExp(`, Facebook, ${home.address}: Published`) })
    .first()
    .click();
  const dialog = page.getByRole("dialog", { name: `Facebook post · ${home.address}` });
  expect(await figure(page, "Post figures", "Reach")).toBe(reach);
  await expect(dialog.getByRole("button", { name: "Refresh" })).toBeVisible();
  await dialog.getByRole("button", { name: "Close" }).click();

  // The dashboard: the Facebook totals, the post among the best ones, with its listing and link.
  await page.getByRole("link", { name: "Dashboard", exact: true }).click();
  await expect(performance).toContainText("1 published");
  await expect(performance.getByRole("heading", { name: "Facebook · 1 post" })).toBeVisible();
  expect(await figure(page, "Facebook totals", "Reach")).toBe(reach);
  expect(await figure(page, "Facebook totals", "Reactions")).toBe(reactions);
  const best = performance.getByRole("list", { name: "Best posts" }).getByRole("listitem");
  await expect(best).toHaveCount(1);
  await expect(best).toContainText(home.address);
  await expect(best.getByRole("link", { name: "View on Facebook" })).toHaveAttribute("href", /^https?:\/\//);
  // The chart is drawn (uPlot, loaded with the dashboard's chart only).
  await expect(performance.locator(".metrics-chart canvas")).toBeVisible();
});
