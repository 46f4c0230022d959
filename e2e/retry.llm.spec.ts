// Runs against the "LLM writer" server: the fake gateway is scripted to return drafts that cannot be used, so
// a draft fails as it would with a careless model, and Chris tries again from the page.
import { expect, type Page, test } from "@playwright/test";
import {
  agentDraftingByHand,
  BROKERAGE,
  DRAFTING,
  draftCard,
  guardEachTest,
  ingestAndOpenHome,
  initiateDrafts,
  llmControl,
  resetFakeLlmEachTest,
} from "./support";

guardEachTest();

const UNUSABLE = "The writing service returned an unusable draft twice.";
// More than one draft asks for (a first try and one repair), so the failure holds whatever the chain does;
// the script is cleared before trying again.
const unusable = Array(6).fill({ content: "definitely not json" });

resetFakeLlmEachTest();

/** Requests to the API while the page sits idle for `ms`. */
async function apiCallsWhileIdle(page: Page, ms: number): Promise<string[]> {
  const calls: string[] = [];
  const record = (request: { url: () => string }) => {
    if (new URL(request.url()).pathname.startsWith("/api/trpc")) calls.push(request.url());
  };
  page.on("request", record);
  await page.waitForTimeout(ms);
  page.off("request", record);
  return calls;
}

test("a failed draft shows the plain reason, and Try again drafts it; idle pages stop polling", async ({
  page,
}) => {
  test.setTimeout(150_000);
  await agentDraftingByHand(page);
  const home = await ingestAndOpenHome(page);
  await llmControl("/script", unusable);
  await initiateDrafts(page, ["Facebook post"]);

  const card = draftCard(page, home.address, "Facebook post");
  await expect(card).toContainText("Failed", DRAFTING);
  await expect(card).toContainText(UNUSABLE);
  await expect(card).not.toContainText(/bullets\.0|at most \d+ characters|JSON/);
  // Nothing is in progress: the list stops asking the server.
  expect(await apiCallsWhileIdle(page, 4_000)).toEqual([]);

  await card.getByRole("link", { name: "Facebook post" }).click();
  const notice = page.getByRole("alert").filter({ hasText: "Drafting failed." });
  await expect(notice).toContainText(UNUSABLE);
  // The technical cause is there for whoever needs it, behind a disclosure.
  const details = notice.getByText("Technical details");
  await expect(details).toBeVisible();
  await details.click();
  await expect(notice.locator(".failure-detail-text")).toBeVisible();
  await page.screenshot({ path: "/tmp/h3b-failed-draft.png", fullPage: true });

  await llmControl("/reset", {});
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByText(/· Version 2$/)).toBeVisible();
  await expect(
    page.getByRole("region", { name: "Preview" }).getByText("Waiting for approval", { exact: true }),
  ).toBeVisible(DRAFTING);
  await expect(page.getByRole("article", { name: "Facebook post preview" })).toContainText(BROKERAGE);
  const versions = page.getByRole("region", { name: "Versions" });
  await expect(versions.getByRole("listitem")).toHaveCount(2);

  // A revision that fails leaves nothing waiting: its parent is replaced, and Try again is offered on it.
  await llmControl("/script", unusable);
  await page.getByRole("button", { name: "Request revisions" }).click();
  await page.getByLabel("What should change?").fill("Mention the pool");
  await page.getByRole("button", { name: "Send feedback" }).click();
  await expect(page.getByText(/· Version 3$/)).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "Drafting failed." })).toContainText(
    UNUSABLE,
    DRAFTING,
  );
  await expect(page.getByRole("button", { name: "Try again" })).toBeEnabled();
  expect(await apiCallsWhileIdle(page, 4_000)).toEqual([]);

  await page.getByRole("link", { name: "All drafts" }).click();
  await expect(draftCard(page, home.address, "Facebook post")).toContainText(UNUSABLE);
  await expect(draftCard(page, home.address, "Facebook post")).toContainText("v3");
  expect(await apiCallsWhileIdle(page, 4_000)).toEqual([]);
  await page.screenshot({ path: "/tmp/h3b-approvals-idle.png", fullPage: true });
});
