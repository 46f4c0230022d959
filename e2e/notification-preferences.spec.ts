import { expect, type Page, test } from "@playwright/test";
import { agentDraftingByHand, guardEachTest, HOMES_ON_SITE, registerAgent, runIngestion } from "./support";

guardEachTest();

const section = (page: Page) => page.getByRole("region", { name: "Notifications", exact: true });
const toggle = (page: Page, name: string) => section(page).getByRole("switch", { name, exact: true });
const saved = (page: Page) =>
  section(page)
    .getByRole("status")
    .filter({ hasText: /^Saved: / });
const bell = (page: Page) => page.getByRole("button", { name: /^Notifications(, \d+ unread)?$/ });
// Delivered through the notifications queue: allow for the local queue's batching.
const DELIVERED = { timeout: 20_000 };

async function openNotificationSettings(page: Page) {
  await page.goto("/settings#notifications");
  await expect(toggle(page, "In-app: New listings")).toBeVisible();
}

test("the matrix shows the defaults, keeps critical events in-app, and saves a switch", async ({ page }) => {
  await registerAgent(page);
  await openNotificationSettings(page);
  // The link's fragment lands on the section.
  await expect(section(page).getByRole("heading", { name: "Notifications" })).toBeInViewport();

  // Grouped by the agent doing the work, each event with the API's words.
  for (const group of ["Listings", "Drafts", "Marketing department", "Publishing", "Accounts"]) {
    await expect(section(page).getByRole("rowheader", { name: group, exact: true })).toBeVisible();
  }
  await expect(section(page).getByText("New homes found in your builder's listings.")).toBeVisible();

  // Defaults: everything in-app; email for what needs Chris, not for the busy low-priority events.
  await expect(toggle(page, "In-app: New listings")).toBeChecked();
  await expect(toggle(page, "Email: New listings")).not.toBeChecked();
  await expect(toggle(page, "In-app: Content approved")).toBeChecked();
  await expect(toggle(page, "Email: Content approved")).toBeChecked();
  await expect(toggle(page, "Email: Post published")).toBeChecked();
  await expect(toggle(page, "Email: Drafts ready")).not.toBeChecked();

  // A critical event cannot leave the bell; its email still can be switched.
  const failedInApp = toggle(page, "In-app: Post failed");
  await expect(failedInApp).toBeChecked();
  await expect(failedInApp).toBeDisabled();
  await expect(failedInApp).toHaveAccessibleDescription(/In-app always on: you must see failed posts\./);
  await expect(toggle(page, "Email: Post failed")).toBeEnabled();
  await expect(toggle(page, "In-app: Reconnect an account")).toBeDisabled();

  // A switch saves at once and says so; the choice survives a reload.
  await toggle(page, "Email: Content approved").uncheck();
  await expect(saved(page)).toHaveText("Saved: Email for Content approved off.");
  await page.reload();
  await expect(toggle(page, "Email: Content approved")).not.toBeChecked();
  await expect(toggle(page, "In-app: Content approved")).toBeChecked();

  // A save that fails puts the switch back and says so.
  await page.route("**/api/trpc/agent.updateNotificationPreferences**", (route) => route.abort());
  // click, not uncheck: the refused save may put the switch back before uncheck could see it off.
  await toggle(page, "Email: Post published").click();
  await expect(section(page).getByRole("alert")).toHaveText(
    /^Could not switch Email for Post published off: /,
  );
  await expect(toggle(page, "Email: Post published")).toBeChecked();
  await page.unroute("**/api/trpc/agent.updateNotificationPreferences**");
  await page.reload();
  await expect(toggle(page, "Email: Post published")).toBeChecked();
});

test("the marketing reminder delay is a profile setting", async ({ page }) => {
  await registerAgent(page);
  await page.goto("/settings");
  const days = page.getByLabel("Remind marketing after (days)");
  await expect(days).toHaveValue("2");
  await days.fill("0");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Remind after at least 1 day")).toBeVisible();
  await days.fill("5");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Profile saved." })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Remind marketing after (days)")).toHaveValue("5");
});

test("quiet hours and the digest save in the agent's time zone and persist", async ({ page }) => {
  await registerAgent(page);
  await openNotificationSettings(page);
  await expect(section(page).getByText("Times are in your time zone, Eastern Time")).toBeVisible();
  // Off until switched on.
  await expect(section(page).getByLabel("Quiet from")).toBeDisabled();
  await expect(section(page).getByLabel("Digest at")).toBeDisabled();

  // Start and end the same: refused before it is sent.
  await section(page).getByRole("checkbox", { name: "Hold email during quiet hours" }).check();
  await section(page).getByLabel("Quiet from").fill("22:00");
  await section(page).getByLabel("Quiet until").fill("22:00");
  const save = section(page).getByRole("button", { name: "Save quiet hours and digest" });
  await save.click();
  await expect(section(page).getByText("Quiet hours must end at another time")).toBeVisible();

  await section(page).getByLabel("Quiet until").fill("06:30");
  await section(page).getByRole("checkbox", { name: "Send a daily digest" }).check();
  await section(page).getByLabel("Digest at").fill("07:15");
  await save.click();
  await expect(section(page).getByRole("status").filter({ hasText: "saved" })).toHaveText(
    "Quiet hours and digest saved.",
  );

  // Choosing a digest asks for the low-priority events: their email is on, into the digest, unless
  // switched off one by one.
  const inDigest = section(page).getByText("in digest", { exact: true });
  await expect(inDigest).toHaveCount(3);
  await expect(toggle(page, "Email: New listings")).toBeChecked();
  await expect(toggle(page, "Email: New listings")).toHaveAccessibleDescription(/in digest/);
  await toggle(page, "Email: Listing changes").uncheck();
  await expect(saved(page)).toHaveText("Saved: Email for Listing changes off.");
  await expect(inDigest).toHaveCount(2);

  await page.reload();
  await expect(section(page).getByRole("checkbox", { name: "Hold email during quiet hours" })).toBeChecked();
  await expect(section(page).getByLabel("Quiet from")).toHaveValue("22:00");
  await expect(section(page).getByLabel("Quiet until")).toHaveValue("06:30");
  await expect(section(page).getByRole("checkbox", { name: "Send a daily digest" })).toBeChecked();
  await expect(section(page).getByLabel("Digest at")).toHaveValue("07:15");
  await expect(toggle(page, "Email: Listing changes")).not.toBeChecked();
  await expect(inDigest).toHaveCount(2);

  // Both off again, and that persists too.
  await section(page).getByRole("checkbox", { name: "Hold email during quiet hours" }).uncheck();
  await section(page).getByRole("checkbox", { name: "Send a daily digest" }).uncheck();
  await save.click();
  await expect(section(page).getByRole("status").filter({ hasText: "saved" })).toHaveText(
    "Quiet hours and digest saved.",
  );
  await page.reload();
  await expect(
    section(page).getByRole("checkbox", { name: "Hold email during quiet hours" }),
  ).not.toBeChecked();
  await expect(section(page).getByRole("checkbox", { name: "Send a daily digest" })).not.toBeChecked();
  await expect(inDigest).toHaveCount(0);
  await expect(toggle(page, "Email: New listings")).not.toBeChecked();
});

test("with New listings off in-app, an ingestion run is emailed but never reaches the bell", async ({
  page,
}) => {
  test.setTimeout(120_000);
  // Drafting by hand, so no "drafts ready" notification rings the bell meanwhile.
  await agentDraftingByHand(page);
  await openNotificationSettings(page);
  await toggle(page, "In-app: New listings").uncheck();
  await expect(saved(page)).toHaveText("Saved: In-app for New listings off.");
  // Email on: the email in the outbox shows the notification has been delivered, so the bell had its chance.
  await toggle(page, "Email: New listings").check();
  await expect(saved(page)).toHaveText("Saved: Email for New listings on.");

  await page.getByRole("link", { name: "Listings", exact: true }).click();
  await expect(bell(page)).toHaveAccessibleName("Notifications");
  await runIngestion(page);
  // Asked in the background, so this page (and its live bell) stays as it is.
  await expect(async () => {
    const response = await page.request.get("/api/trpc/dev.outbox");
    const body = (await response.json()) as { result: { data: { subject: string }[] } };
    expect(body.result.data.map((email) => email.subject)).toContainEqual(
      expect.stringContaining(`${HOMES_ON_SITE} new listings`),
    );
  }).toPass(DELIVERED);
  // The live bell heard nothing...
  await expect(bell(page)).toHaveAccessibleName("Notifications");
  // ...and the count a fresh page asks the server for leaves it out too.
  const counted = page.waitForResponse((response) => response.url().includes("notifications.unreadCount"));
  await page.reload();
  await counted;
  await expect(page.getByRole("heading", { level: 1, name: "Listings" })).toBeVisible();
  await expect(bell(page)).toHaveAccessibleName("Notifications");
  // The history still has it.
  await page.getByRole("link", { name: "Notifications", exact: true }).click();
  await expect(
    page
      .getByRole("list", { name: "Notifications" })
      .getByRole("link", { name: `${HOMES_ON_SITE} new listings` }),
  ).toBeVisible();
});
