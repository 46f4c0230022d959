import { expect, type Page, test } from "@playwright/test";
import {
  BROKERAGE,
  DRAFTING,
  draftCard,
  draftCards,
  guardEachTest,
  INJECTED,
  ingestAndOpenHome,
  initiateDrafts,
  KIND_NAMES,
  registerAgent,
} from "./support";

// The e2e server has no LLM key (the offline writer drafts) and no email key (emails stop in the outbox).
const MARKETING_EMAIL = "marketing@example.com";

const dialogs = guardEachTest();

async function setMarketingEmail(page: Page) {
  await page.getByRole("link", { name: "Settings", exact: true }).click();
  await page.getByLabel(/Marketing department email/).fill(MARKETING_EMAIL);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Profile saved." })).toBeVisible();
}

const statusBadge = (page: Page, label: string) =>
  page.getByRole("region", { name: "Preview" }).getByText(label, { exact: true });

test("drafts appear for a listing, and are approved, rejected and revised", async ({ page }) => {
  test.setTimeout(120_000);
  await registerAgent(page, { brokerage: BROKERAGE });
  await setMarketingEmail(page);
  const home = await ingestAndOpenHome(page);
  await initiateDrafts(page);

  await expect(page).toHaveURL((url) => url.pathname === "/approvals" && url.searchParams.has("listing"));
  await expect(draftCards(page, home.address)).toHaveCount(3);
  for (const kind of KIND_NAMES) {
    await expect(draftCard(page, home.address, kind)).toContainText("Waiting for approval", DRAFTING);
    await expect(draftCard(page, home.address, kind)).toContainText("Offline writer");
  }
  await page.screenshot({ path: "/tmp/h5-approvals-list.png", fullPage: true });

  // Facebook: the preview looks like the post, with the brokerage; approving sends it to the posting agent.
  await draftCard(page, home.address, "Facebook post").getByRole("link", { name: "Facebook post" }).click();
  const facebook = page.getByRole("article", { name: "Facebook post preview" });
  await expect(facebook).toBeVisible();
  await expect(facebook.getByText(BROKERAGE).first()).toBeVisible();
  await expect(facebook).toContainText(home.address);
  await expect(page.getByRole("list", { name: "Facebook limits" })).toContainText("Post text:");
  await expect(page.getByRole("list", { name: "Facebook limits" })).toContainText("/ 3,000");
  await page.screenshot({ path: "/tmp/h5-facebook-preview.png", fullPage: true });
  await page.getByRole("button", { name: "Approve & post now", exact: true }).click();
  await page.getByRole("button", { name: "Post to Facebook now", exact: true }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "Approved. Posting to Facebook now." }),
  ).toBeVisible();
  await expect(statusBadge(page, "Approved")).toBeVisible();
  // No account can be connected yet: the posting agent fails visibly instead of waiting forever.
  await expect(page.getByRole("alert").filter({ hasText: "No Facebook Page is connected" })).toBeVisible(
    DRAFTING,
  );
  await page.getByRole("link", { name: "All drafts" }).click();
  await expect(draftCards(page, home.address)).toHaveCount(2);
  await expect(draftCard(page, home.address, "Facebook post")).toHaveCount(0);

  // Flyer: rejected with a reason.
  await draftCard(page, home.address, "Flyer text").getByRole("link", { name: "Flyer text" }).click();
  const flyer = page.getByRole("article", { name: "Flyer preview" });
  await expect(flyer).toContainText(BROKERAGE);
  await page.screenshot({ path: "/tmp/h5-flyer-preview.png", fullPage: true });
  await page.getByRole("button", { name: "Reject", exact: true }).click();
  await page.getByRole("button", { name: "Reject draft" }).click();
  await expect(page.getByLabel("Why reject it?")).toHaveAccessibleDescription(/Reason is required/);
  await page.getByLabel("Why reject it?").fill("We are not printing flyers this month");
  await page.getByRole("button", { name: "Reject draft" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Rejected." })).toBeVisible();
  await expect(statusBadge(page, "Rejected")).toBeVisible();
  await expect(page.getByRole("button", { name: "Approve for print" })).toBeDisabled();

  // Instagram: revisions with feedback make version 2, drafted from it, while version 1 stays in the history.
  await page.getByRole("link", { name: "All drafts" }).click();
  await expect(draftCards(page, home.address)).toHaveCount(1);
  await draftCard(page, home.address, "Instagram caption")
    .getByRole("link", { name: "Instagram caption" })
    .click();
  const instagram = page.getByRole("article", { name: "Instagram caption preview" });
  await expect(instagram).toBeVisible();
  await expect(page.getByRole("list", { name: "Instagram limits" })).toContainText("/ 2,200");
  await page.screenshot({ path: "/tmp/h5-instagram-preview.png", fullPage: true });
  await page.getByRole("button", { name: "Request revisions" }).click();
  await page.getByLabel("What should change?").fill("Mention the pool");
  await page.getByRole("button", { name: "Send feedback" }).click();
  await expect(page.getByText(/· Version 2$/)).toBeVisible();
  const versions = page.getByRole("region", { name: "Versions" });
  await expect(versions.getByRole("listitem")).toHaveCount(2);
  await expect(versions.getByRole("link", { name: "Version 1" })).toBeVisible();
  await expect(versions.getByText("Version 2", { exact: true })).toHaveAttribute("aria-current", "page");
  await expect(statusBadge(page, "Waiting for approval")).toBeVisible(DRAFTING);
  await expect(versions).toContainText("Your feedback: Mention the pool");
  await expect(instagram).toBeVisible();
  await expect(page.getByRole("region", { name: "History" })).toContainText("Revisions requested");

  await page.getByRole("link", { name: "All drafts" }).click();
  await expect(draftCard(page, home.address, "Instagram caption")).toContainText("v2");
});

test("the marketing department answers through the emailed link, once", async ({ page, browser }) => {
  test.setTimeout(120_000);
  await registerAgent(page, { brokerage: BROKERAGE });
  await setMarketingEmail(page);
  const home = await ingestAndOpenHome(page);
  await initiateDrafts(page, ["Facebook post"]);
  const card = draftCard(page, home.address, "Facebook post");
  await expect(card).toContainText("Waiting for approval", DRAFTING);
  await card.getByRole("link", { name: "Facebook post" }).click();
  const pieceUrl = page.url();

  await page.getByRole("button", { name: "Send to marketing" }).click();
  await page.getByLabel(/Note/).fill("Please check");
  await page.getByRole("button", { name: "Send email" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Sent to ${MARKETING_EMAIL}` })).toBeVisible();
  await expect(statusBadge(page, "With marketing")).toBeVisible();

  await page.getByRole("link", { name: "Outbox (dev)" }).click();
  const email = page.getByRole("article", { name: `Review requested: Facebook post for ${home.address}` });
  await expect(email).toContainText(`To ${MARKETING_EMAIL}`);
  await expect(email).toContainText("Note: Please check");
  // The outbox keeps the email with its token redacted; in development it mints a working link.
  await expect(email).toContainText("/marketing#[redacted]");
  await email.getByRole("button", { name: "Create review link" }).click();
  const href = await email.getByRole("link", { name: "Open review link" }).getAttribute("href");
  if (!href) throw new Error("the email has no review link");
  // The token rides in the fragment, which the browser never sends to the server.
  expect(href).toMatch(/^\/marketing#[\w-]{40,}$/);

  // The department has no account: the link works in a browser without Chris's session.
  const marketing = await browser.newContext();
  const reviewer = await marketing.newPage();
  dialogs.watch(reviewer);
  await reviewer.goto(href);
  await expect(
    reviewer.getByRole("heading", {
      level: 1,
      name: `Chris Tester asks you to review this Facebook post for ${home.address}, ${home.city}`,
    }),
  ).toBeVisible();
  await expect(reviewer.getByRole("article", { name: "Facebook post preview" })).toContainText(BROKERAGE);
  await reviewer.screenshot({ path: "/tmp/h5-marketing-page.png", fullPage: true });
  await reviewer.getByRole("button", { name: "Submit" }).click();
  await expect(reviewer.getByText("Choose approve, request changes or reject")).toBeVisible();
  await reviewer.getByRole("radio", { name: "Approve" }).check();
  await reviewer.getByLabel(/Notes/).fill("Looks great");
  await reviewer.getByRole("button", { name: "Submit" }).click();
  await expect(reviewer.getByRole("heading", { name: "Thank you" })).toBeVisible();

  // Opened again in a fresh tab (the same URL in this one would only be a same-document navigation).
  const again = await marketing.newPage();
  dialogs.watch(again);
  await again.goto(href);
  await expect(again.getByRole("heading", { name: "This draft was already answered" })).toBeVisible();
  expect(new URL(again.url()).pathname).toBe(new URL(href, page.url()).pathname);
  // A link in the old form (token in the path) moves its token to the fragment and still works.
  const legacy = await marketing.newPage();
  dialogs.watch(legacy);
  await legacy.goto(href.replace("#", "/"));
  await expect(legacy.getByRole("heading", { name: "This draft was already answered" })).toBeVisible();
  expect(new URL(legacy.url()).hash).toBe(new URL(href, page.url()).hash);
  await marketing.close();

  await page.goto(pieceUrl);
  await expect(statusBadge(page, "Waiting for approval")).toBeVisible();
  await expect(page.getByRole("region", { name: "History" })).toContainText(
    "Marketing approved this draft: Looks great",
  );
  await expect(page.getByRole("region", { name: "Marketing department" })).toContainText("Looks great");
});

test("markup typed into a draft stays text", async ({ page }) => {
  test.setTimeout(120_000);
  const payload = "<img src=x onerror=alert(1)> <script>alert(2)</script> Great home";
  await registerAgent(page, { brokerage: BROKERAGE });
  const home = await ingestAndOpenHome(page);
  await initiateDrafts(page, ["Facebook post"]);
  const card = draftCard(page, home.address, "Facebook post");
  await expect(card).toContainText("Waiting for approval", DRAFTING);
  await card.getByRole("link", { name: "Facebook post" }).click();

  await page.getByRole("button", { name: "Edit text" }).click();
  const text = page.getByLabel("Text", { exact: true });
  await text.fill(payload);
  await expect(text).toHaveAccessibleDescription(new RegExp(`^${payload.length} characters`));
  await page.getByRole("button", { name: "Save as new version" }).click();

  await expect(page.getByText(/· Version 2$/)).toBeVisible();
  const preview = page.getByRole("article", { name: "Facebook post preview" });
  await expect(preview.getByText(payload)).toBeVisible();
  await expect(page.getByRole("region", { name: "Preview" }).getByText("Edited by you")).toBeVisible();
  await expect(page.locator(INJECTED)).toHaveCount(0);

  await page.getByRole("link", { name: "All drafts" }).click();
  await expect(draftCard(page, home.address, "Facebook post")).toContainText(payload);
  await expect(page.locator(INJECTED)).toHaveCount(0);
  await page.waitForLoadState("networkidle");
});

test("the editor counts every limit live and keeps text over one from being saved", async ({ page }) => {
  test.setTimeout(120_000);
  await registerAgent(page, { brokerage: BROKERAGE });
  const home = await ingestAndOpenHome(page);
  await initiateDrafts(page, ["Instagram caption"]);
  const card = draftCard(page, home.address, "Instagram caption");
  await expect(card).toContainText("Waiting for approval", DRAFTING);
  await card.getByRole("link", { name: "Instagram caption" }).click();

  await page.getByRole("button", { name: "Edit text" }).click();
  const limits = page
    .getByRole("form", { name: "Edit text" })
    .getByRole("list", { name: "Instagram limits" });
  const text = page.getByLabel("Text", { exact: true });
  const tags = Array.from({ length: 31 }, (_, i) => `#home${i}`).join(" ");
  await text.fill(`Just listed with ${BROKERAGE}.\n\n${tags}`);
  await expect(limits).toContainText("Hashtags: 31 / 30 — over the limit");
  await expect(limits).toContainText("Mentions: 0 / 20");
  await page.getByRole("button", { name: "Save as new version" }).click();
  await expect(text).toHaveAccessibleDescription(/Hashtags: 31 hashtags, at most 30 allowed/);
  await expect(page.getByText(/· Version 1$/)).toBeVisible();

  await text.fill(`Just listed with ${BROKERAGE}. Ask chris@example.com.\n\n#home #newbuild`);
  await expect(limits).toContainText("Hashtags: 2 / 30");
  await expect(limits).not.toContainText("over the limit");
  await page.getByRole("button", { name: "Save as new version" }).click();
  await expect(page.getByText(/· Version 2$/)).toBeVisible();
});
