// The printable flyer: opened from a flyer_text draft, with its QR code, brokerage and Equal Housing
// statement, and printed (page.pdf) as exactly one page at Letter and at A4 with the longest text the
// content limits allow; text the limits allow but no page can hold is warned about before approval.
import { expect, type Page, test } from "@playwright/test";
import {
  BROKERAGE,
  BUILDER_SITE,
  DRAFTING,
  draftCard,
  guardEachTest,
  ingestAndOpenHome,
  initiateDrafts,
  registerAgent,
} from "./support";

guardEachTest();

const LICENSE = "SL3456789";
const LIMITS = { headline: 80, body: 1200, bullets: 8, bullet: 140, callToAction: 200 };
const PROSE =
  "Sunlit open kitchen with quartz counters, a large island and a walk-in pantry that opens onto the " +
  "covered lanai. The owner's suite has a spa bath, dual sinks and two closets, and the flex room works " +
  "as an office or a guest room. Community pool, playground and trails are a short walk away. ";

/** Realistic words, exactly `length` characters. */
function prose(length: number, seed = 0): string {
  const text = PROSE.repeat(Math.ceil((length + seed) / PROSE.length) + 1);
  const cut = text.slice(seed, seed + length).replace(/^ /, "A");
  return cut.endsWith(" ") ? `${cut.slice(0, -1)}s` : cut;
}

/** The longest flyer text the editor accepts, as it is typed: every part at its limit. */
function longestText(): string {
  const half = LIMITS.body / 2;
  const bullets = Array.from({ length: LIMITS.bullets }, (_, i) => `• ${prose(LIMITS.bullet, i * 13)}`);
  return [
    prose(LIMITS.headline, 7),
    prose(half),
    prose(LIMITS.body - 1 - half, 31),
    bullets.join("\n"),
    `${prose(LIMITS.callToAction - BROKERAGE.length - 1, 3)} ${BROKERAGE}`,
  ].join("\n\n");
}

/** PDF page objects: "/Type /Page", not "/Type /Pages". */
const pageCount = (pdf: Buffer) => pdf.toString("latin1").match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;

async function editText(page: Page, body: string, version: number) {
  await page.getByRole("button", { name: "Edit text" }).click();
  await page.getByLabel("Text", { exact: true }).fill(body);
  await page.getByRole("button", { name: "Save as new version" }).click();
  await expect(page.getByText(new RegExp(`· Version ${version}$`))).toBeVisible();
}

test("a flyer previews with its QR code and brokerage, and prints on one page at Letter and A4", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await registerAgent(page, { brokerage: BROKERAGE });
  await page.getByRole("link", { name: "Settings", exact: true }).click();
  await page.getByLabel("License number").fill(LICENSE);
  await page.getByLabel("Phone").fill("(941) 555-0100");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Profile saved." })).toBeVisible();

  const home = await ingestAndOpenHome(page);
  const listingUrl = `${BUILDER_SITE}/homes/${home.slug}`;
  await initiateDrafts(page, ["Flyer text"]);
  const card = draftCard(page, home.address, "Flyer text");
  await expect(card).toContainText("Waiting for approval", DRAFTING);
  await card.getByRole("link", { name: "Flyer text" }).click();

  await page.getByRole("link", { name: "Preview flyer" }).click();
  await expect(page).toHaveURL(/\/flyers\/[0-9a-z]+$/);
  const sheet = page.getByRole("article", { name: "Flyer" });
  await expect(sheet.getByRole("img", { name: listingUrl, exact: true })).toBeVisible();
  expect(await sheet.locator("svg.pf-qr-svg title").textContent()).toBe(listingUrl);
  await expect(sheet.getByText(BROKERAGE, { exact: true })).toBeVisible();
  await expect(sheet.getByText(`License # ${LICENSE}`)).toBeVisible();
  await expect(sheet.getByText(/^Equal Housing Opportunity\. We are pledged/)).toBeVisible();
  await expect(sheet.getByRole("img", { name: "Equal Housing Opportunity logo" })).toBeVisible();
  await expect(page.getByRole("navigation")).toHaveCount(0);

  // The longest text the editor accepts still prints on one page, at either paper size.
  await page.getByRole("link", { name: "Back to the draft" }).click();
  await editText(page, longestText(), 2);
  await expect(page.getByText(/too long for one page/)).toHaveCount(0);
  await page.getByRole("link", { name: "Preview flyer" }).click();
  await expect(sheet.getByRole("img", { name: listingUrl, exact: true })).toBeVisible();
  await expect(page.getByRole("alert")).toHaveCount(0);

  for (const [label, format] of [
    ["Letter", "Letter"],
    ["A4", "A4"],
  ] as const) {
    await page.emulateMedia({ media: "screen" });
    await page.getByRole("radio", { name: label }).check();
    await expect(sheet).toHaveAttribute("data-size", format.toLowerCase());
    await page.emulateMedia({ media: "print" });
    await expect(page.getByRole("navigation")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Print / Save as PDF" })).toBeHidden();
    // Nothing is cut off: the sheet holds all its content, and the scale was applied.
    const fit = await sheet.evaluate((el) => ({
      scroll: el.scrollHeight,
      client: el.clientHeight,
      scale: getComputedStyle(el).getPropertyValue("--flyer-scale"),
    }));
    expect(fit.scroll, `${label}: content ${fit.scroll}px in ${fit.client}px`).toBeLessThanOrEqual(
      fit.client,
    );
    expect(Number(fit.scale)).toBeLessThan(1);
    const pdf = await page.pdf({ format, printBackground: true });
    expect(pageCount(pdf), `${label} pages`).toBe(1);
    console.log(`flyer ${label}: 1 page, scale ${fit.scale}, ${fit.scroll}/${fit.client}px`);
  }
});

test("text the limits allow but one page cannot hold is warned about before approval", async ({ page }) => {
  test.setTimeout(120_000);
  await registerAgent(page, { brokerage: BROKERAGE });
  const home = await ingestAndOpenHome(page);
  await initiateDrafts(page, ["Flyer text"]);
  const card = draftCard(page, home.address, "Flyer text");
  await expect(card).toContainText("Waiting for approval", DRAFTING);
  await card.getByRole("link", { name: "Flyer text" }).click();

  // 45 one-line sentences: within the 1,200 characters, but every line break is a printed line.
  const lines = Array.from({ length: 45 }, (_, i) => `Line ${i + 1} of the body.`).join("\n");
  // The editor says so while typing, and the draft says so once saved.
  await page.getByRole("button", { name: "Edit text" }).click();
  await page
    .getByLabel("Text", { exact: true })
    .fill(`Big news in town\n\n${lines}\n\nCall Chris at ${BROKERAGE}`);
  await expect(page.getByRole("form", { name: "Edit text" })).toContainText(
    /This text is too long for one page: shorten the body by ~\d+ words/,
  );
  await page.getByRole("button", { name: "Save as new version" }).click();
  await expect(page.getByText(/· Version 2$/)).toBeVisible();
  await expect(
    page.getByRole("alert").filter({ hasText: "This text is too long for one page" }),
  ).toContainText(/shorten the body by ~\d+ words/);
  await expect(page.getByRole("button", { name: "Approve for print" })).toBeVisible();
  await page.getByRole("link", { name: "Preview flyer" }).click();
  await expect(page.getByRole("alert")).toContainText("This text is too long for one page");
  // Still one sheet of paper, never a second page.
  const pdf = await page.pdf({ format: "Letter" });
  expect(pageCount(pdf)).toBe(1);
});
