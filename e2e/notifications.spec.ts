import { expect, type Page, test } from "@playwright/test";
import { agentDraftingByHand, guardEachTest, HOMES_ON_SITE, runIngestion } from "./support";

const { watch } = guardEachTest();

// The header's bell: "Notifications" when all are read, "Notifications, 3 unread" otherwise.
const bell = (page: Page) => page.getByRole("button", { name: /^Notifications(, \d+ unread)?$/ });
const SOME_UNREAD = /^Notifications, [1-9]\d* unread$/;
// Pushed through the agent's hub and its queue: allow for the local queue's batching.
const LIVE = { timeout: 20_000 };
const NEW_HOMES = `${HOMES_ON_SITE} new listings`;

test("two tabs' bells count new listings live; reading them in one tab clears the other's", async ({
  page,
}) => {
  test.setTimeout(120_000);
  // Drafting by hand: otherwise "drafts ready" notifications keep arriving after "Mark all read", and the
  // bells rightly count them (CI caught three landing after the click).
  await agentDraftingByHand(page);
  const other = await page.context().newPage();
  watch(other);
  // One socket for both tabs: the first tab holds it and relays to the second.
  const secondTabSockets: string[] = [];
  other.on("websocket", (socket) => secondTabSockets.push(socket.url()));
  await other.goto("/");
  await expect(other.getByRole("heading", { level: 1, name: /Chris Tester/ })).toBeVisible();
  await expect(bell(page)).toHaveAccessibleName("Notifications");
  await expect(bell(other)).toHaveAccessibleName("Notifications");

  await page.getByRole("link", { name: "Listings", exact: true }).click();
  await runIngestion(page);
  // Neither tab reloads: the first holds the socket, the second hears it through the first.
  await expect(bell(page)).toHaveAccessibleName(SOME_UNREAD, LIVE);
  await expect(bell(other)).toHaveAccessibleName(SOME_UNREAD, LIVE);
  expect(secondTabSockets).toEqual([]);
  // Screen readers hear of them once, with the newest.
  await expect(other.locator("[aria-live='polite']")).toHaveText(
    /^(New notification: \S.*|\d+ new notifications\. Newest: \S.*)$/,
  );

  // The other tab's panel lists the latest (drafts for the new homes may already be ahead of the listings);
  // "Mark all read" there clears both bells.
  await bell(other).click();
  const panel = other.getByRole("region", { name: "Latest notifications" });
  await expect(panel.getByRole("link", { name: /^Unread: / }).first()).toBeVisible();
  await panel.getByRole("button", { name: "Mark all read" }).click();
  await expect(bell(other)).toHaveAccessibleName("Notifications");
  await expect(bell(page)).toHaveAccessibleName("Notifications", LIVE);
  await expect(panel.getByRole("link", { name: /^Unread: / })).toHaveCount(0);
  await other.keyboard.press("Escape");
  await expect(panel).toBeHidden();

  // The history lists it, read, under its event; "Unread only" hides it; its link opens the listings.
  await page.getByRole("link", { name: "Notifications", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Notifications" })).toBeVisible();
  await page.getByLabel("Event").selectOption({ label: "New listings" });
  const history = page.getByRole("list", { name: "Notifications" });
  await expect(history.getByRole("link", { name: NEW_HOMES, exact: true })).toBeVisible();
  await page.getByRole("checkbox", { name: "Unread only" }).check();
  await expect(page.getByText("No notifications match these filters.")).toBeVisible();
  await page.getByRole("checkbox", { name: "Unread only" }).uncheck();
  await history.getByRole("link", { name: NEW_HOMES, exact: true }).click();
  await expect(page).toHaveURL(/\/listings$/);
  await expect(page.getByRole("heading", { level: 1, name: "Listings" })).toBeVisible();

  // Signing out closes the first tab's socket; the second takes over, finds the session gone and asks
  // for a sign-in without a reload.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(other.getByRole("heading", { name: "Sign in" })).toBeVisible(LIVE);
});
