import { expect, type Page, test } from "@playwright/test";
import { control, guardEachTest, HOMES_ON_SITE, registerAgent } from "./support";

guardEachTest();

const runButton = (page: Page) => page.getByRole("button", { name: "Run ingestion now" });
const runItems = (page: Page) => page.getByRole("list", { name: "Runs" }).getByRole("article");

test("Run ingestion now crawls in the background with live progress, even after the tab is closed", async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  // A slow builder site (250 ms a page), so the run visibly runs for a few seconds.
  await control("/mode", { mode: "normal", delayMs: 250 });
  await registerAgent(page);
  await page.getByRole("link", { name: "Listings", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Listings" })).toBeVisible();

  await runButton(page).click();
  // Progress from the running run (polled every second), while the button waits.
  const progress = page.getByRole("status").filter({ hasText: /^Checking the builder's site: / });
  await expect(progress).toContainText(/\d+ pages? read, \d+ homes? found so far/, { timeout: 20_000 });
  await expect(runButton(page)).toBeDisabled();
  const result = page.getByRole("status").filter({ hasText: /^Found / });
  await expect(result).toHaveText(
    `Found ${HOMES_ON_SITE} homes: ${HOMES_ON_SITE} new, 0 changed, 0 off the market`,
    {
      timeout: 60_000,
    },
  );
  // The run ended: the listings were refreshed without a reload, and the button is back.
  await expect(page.getByRole("list", { name: "Homes" }).getByRole("listitem").first()).toBeVisible();
  await expect(runButton(page)).toBeEnabled();

  // A second run, and the tab that started it is closed at once: the run goes on without it.
  await runButton(page).click();
  await expect(page.getByRole("status").filter({ hasText: /^Checking the builder's site/ })).toBeVisible();
  await page.close();

  const later = await context.newPage();
  await later.goto("/listings/runs");
  await expect(later.getByRole("heading", { level: 1, name: "Ingestion runs" })).toBeVisible();
  // Earlier specs' runs of the same (shared) source may follow below these two.
  await expect(runItems(later).nth(1)).toBeVisible();
  const newest = runItems(later).first();
  await expect(newest).toContainText("Run by you");
  // It is still running when the page opens, and the page follows it to the end.
  await expect(newest).toContainText(/Running|Succeeded/);
  await expect(newest).toContainText("Succeeded", { timeout: 60_000 });
  await expect(newest).toContainText(`${HOMES_ON_SITE} homes found · 0 new · 0 changed · 0 removed`);
  await expect(runItems(later).nth(1)).toContainText(
    `${HOMES_ON_SITE} homes found · ${HOMES_ON_SITE} new · 0 changed · 0 removed`,
  );
  await expect(newest.getByText(/pages read/)).toContainText(/\d+ pages read/);

  // The Listings page links here too, and the dashboard's last-run card shows the finished run.
  await later.getByRole("link", { name: "Back to listings" }).click();
  await later.getByRole("link", { name: "Run history" }).click();
  await expect(later.getByRole("heading", { level: 1, name: "Ingestion runs" })).toBeVisible();
  await later.getByRole("link", { name: "Dashboard", exact: true }).click();
  await expect(later.getByText(`found ${HOMES_ON_SITE} · 0 new · 0 changed · 0 removed`)).toBeVisible();
});

test("the run history shows a failed run's reason and its errors as plain text", async ({ page }) => {
  test.setTimeout(120_000);
  await registerAgent(page);
  await page.goto("/listings/runs");
  await expect(page.getByRole("heading", { level: 1, name: "Ingestion runs" })).toBeVisible();
  // Every home page answers 500: nothing can be read, so the run fails, with one error per page.
  await control("/mode", { mode: "error5xx" });
  await runButton(page).click();
  await expect(page.getByRole("alert").filter({ hasText: /^Ingestion failed: / })).toBeVisible({
    timeout: 90_000,
  });
  const failed = runItems(page).first();
  await expect(failed).toContainText("Failed");
  await expect(failed.locator(".alert-error")).not.toBeEmpty();
  const disclosure = failed.locator("details");
  await expect(disclosure.locator("summary")).toHaveText(/^\d+ errors?$/);
  await expect(disclosure.getByRole("listitem").first()).toBeHidden();
  await disclosure.locator("summary").click();
  await expect(disclosure.getByRole("listitem").first()).toContainText("/homes/");
});
