import { expect, type Locator, type Page, test } from "@playwright/test";
import {
  BUILDER_SITE,
  type BuilderHome,
  control,
  guardEachTest,
  HOMES_ON_SITE,
  INJECTED,
  registerAgent,
  runIngestion,
} from "./support";

const PAGE_SIZE = 24;

const dollars = (amount: number) =>
  new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 }).format(
    amount,
  );

guardEachTest();

const homeCards = (page: Page) => page.getByRole("list", { name: "Homes" }).getByRole("listitem");
const factRow = (page: Page, label: string) =>
  page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: label, exact: true }) });
const rowIn = (scope: Locator, label: string) =>
  scope.getByRole("row").filter({ has: scope.page().getByRole("rowheader", { name: label, exact: true }) });

test("the listing agent fills the list, filters narrow it, and a price change shows in history", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const homes = await control<BuilderHome[]>("/homes");
  // A plain home whose community has other homes, some with fewer beds, so both filters visibly narrow.
  const target = homes.find((home) => {
    if (home.edgeCase || home.price === null || home.status !== "Available") return false;
    const inCommunity = homes.filter((other) => other.communityName === home.communityName);
    const withBeds = inCommunity.filter((other) => other.beds >= home.beds);
    return withBeds.length < inCommunity.length && inCommunity.length < homes.length;
  });
  if (!target || target.price === null) throw new Error("the fake site has no suitable home");
  const inCommunity = homes.filter((home) => home.communityName === target.communityName);
  const withBeds = inCommunity.filter((home) => home.beds >= target.beds);

  await registerAgent(page);
  await page.getByRole("link", { name: "Listings", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Listings" })).toBeVisible();
  await expect(page.getByText(/every 30 minutes/)).toBeVisible();

  const result = await runIngestion(page);
  await expect(result).toHaveText(/^Found 36 homes: \d+ new, 0 changed, 0 off the market$/);
  await expect(homeCards(page)).toHaveCount(PAGE_SIZE);
  await page.getByRole("button", { name: "Load more" }).click();
  await expect(homeCards(page)).toHaveCount(HOMES_ON_SITE);
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);

  await page.getByLabel("Community").selectOption(target.communityName);
  await expect(page).toHaveURL((url) => url.searchParams.get("community") === target.communityName);
  await expect(homeCards(page)).toHaveCount(inCommunity.length);

  await page.getByLabel("Min beds").selectOption(String(target.beds));
  await expect(page).toHaveURL((url) => url.searchParams.get("minBeds") === String(target.beds));
  await expect(homeCards(page)).toHaveCount(withBeds.length);

  // Filters survive a reload.
  await page.reload();
  await expect(page.getByLabel("Community")).toHaveValue(target.communityName);
  await expect(homeCards(page)).toHaveCount(withBeds.length);

  await page.getByRole("link", { name: target.address, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: target.address })).toBeVisible();
  await expect(page.getByText(dollars(target.price), { exact: true })).toBeVisible();
  await expect(factRow(page, "Beds")).toContainText(String(target.beds));
  await expect(factRow(page, "Community")).toContainText(target.communityName);
  await expect(factRow(page, "Plan")).toContainText(target.planName);
  await expect(page.getByRole("heading", { level: 3, name: "Listed" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Initiate content creation" })).toBeEnabled();

  const sourceLink = factRow(page, "Source").getByRole("link");
  await expect(sourceLink).toHaveAttribute("target", "_blank");
  await expect(sourceLink).toHaveAttribute("rel", /noopener/);
  const href = await sourceLink.getAttribute("href");
  const slug = new URL(href ?? "").pathname.split("/").filter(Boolean).pop();
  expect(slug).toBe(target.slug);

  const newPrice = target.price - 10_000;
  await control(`/homes/${encodeURIComponent(target.slug)}`, { price: newPrice });

  // Back to the list, filters kept, and run the agent again from there.
  await page.getByRole("link", { name: "All listings" }).click();
  await expect(page).toHaveURL(
    (url) => url.pathname === "/listings" && url.searchParams.get("community") === target.communityName,
  );
  await expect(homeCards(page)).toHaveCount(withBeds.length);
  const rerun = await runIngestion(page);
  await expect(rerun).toHaveText(/^Found 36 homes: 0 new, \d+ changed, 0 off the market$/);

  const card = homeCards(page).filter({ has: page.getByRole("link", { name: target.address, exact: true }) });
  await expect(card).toContainText("Price ↓ $10,000");
  await expect(card).toContainText(dollars(newPrice));

  await card.getByRole("link", { name: target.address, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: target.address })).toBeVisible();
  await expect(page.getByRole("heading", { level: 3, name: "Updated" })).toBeVisible();
  await expect(page.getByText(`Price: ${dollars(target.price)} → ${dollars(newPrice)}`)).toBeVisible();
  await expect(page.locator("del")).toHaveText(dollars(target.price));

  await page.getByRole("link", { name: "Dashboard", exact: true }).click();
  const lastRun = page
    .getByRole("article")
    .filter({ has: page.getByRole("heading", { name: "Last ingestion run" }) });
  await expect(lastRun).toContainText("Succeeded");
  await expect(lastRun).toContainText("1 changed");
  const changed = page
    .getByRole("article")
    .filter({ has: page.getByRole("heading", { name: "Changed listings" }) });
  await expect(changed).toContainText("1");
});

test("a hand-made listing is checked field by field, then saved and shown", async ({ page }) => {
  const uploads: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("listings.manualUpload")) uploads.push(request.url());
  });
  await registerAgent(page);
  await page.getByRole("link", { name: "Listings", exact: true }).click();
  await page.getByRole("link", { name: "Add listing" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Add a listing" })).toBeVisible();

  const address = `${Date.now() % 10_000} Heron Landing Way`;
  await page.getByLabel("Street address").fill(address);
  await page.getByLabel("City").fill("Ocala");
  const zip = page.getByLabel("ZIP code");
  await zip.fill("123");
  const price = page.getByLabel(/^Price/);
  await price.fill("abc");
  const images = page.getByLabel("Image URLs");
  await images.fill(`${BUILDER_SITE}/images/manual-1.jpg\njavascript:alert(1)`);
  await page.getByRole("button", { name: "Save listing" }).click();

  await expect(zip).toHaveAttribute("aria-invalid", "true");
  await expect(zip).toHaveAccessibleDescription(/Enter a 5-digit ZIP code/);
  await expect(price).toHaveAttribute("aria-invalid", "true");
  await expect(price).toHaveAccessibleDescription(/Enter a price in dollars/);
  await expect(images).toHaveAttribute("aria-invalid", "true");
  await expect(images).toHaveAccessibleDescription(/Line 2: Image URLs must start with http/);
  await expect(zip).toBeFocused();
  expect(uploads).toHaveLength(0);

  await zip.fill("34476");
  await price.fill("389,990");
  await images.fill(`${BUILDER_SITE}/images/manual-1.jpg`);
  await page.getByLabel("Beds").fill("3");
  await page.getByLabel("Baths").fill("2.5");
  await page.getByLabel("Square feet").fill("1,850");
  await page.getByLabel("Incentives").fill("$5,000 toward closing costs");
  await expect(zip).not.toHaveAttribute("aria-invalid", "true");
  await page.getByRole("button", { name: "Save listing" }).click();

  await expect(page).toHaveURL(/\/listings\/[^/]+$/);
  await expect(page.getByRole("heading", { level: 1, name: address })).toBeVisible();
  await expect(page.getByText("$389,990", { exact: true })).toBeVisible();
  await expect(page.getByText("3 bd · 2.5 ba · 1,850 sq ft")).toBeVisible();
  await expect(factRow(page, "Source")).toContainText("Added by you");
  await expect(page.getByText("$5,000 toward closing costs")).toBeVisible();
  await expect(page.getByRole("heading", { level: 3, name: "Listed" })).toBeVisible();

  await page.getByRole("link", { name: "All listings" }).click();
  const card = homeCards(page).filter({ has: page.getByRole("link", { name: address, exact: true }) });
  await expect(card).toContainText("Added by you");
});

test("markup in scraped text stays text", async ({ page }) => {
  test.setTimeout(90_000);
  const homes = await control<BuilderHome[]>("/homes");
  const xss = homes.find((home) => home.edgeCase === "xss");
  if (!xss) throw new Error("the fake site has no xss home");

  await registerAgent(page);
  await page.getByRole("link", { name: "Listings", exact: true }).click();
  await runIngestion(page);
  await page.getByLabel("Community").selectOption(xss.communityName);
  await page.getByRole("link", { name: xss.address, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: xss.address })).toBeVisible();

  // The listing agent strips markup from scraped text; whatever is left is shown as text, never run.
  await expect(page.getByText(/Great home\..*Close to the lake & "trails"\./)).toBeVisible();
  const incentives = page.getByText(/\$7,500.*toward closing costs/);
  await expect(incentives).toBeVisible();
  await incentives.hover();
  await expect(factRow(page, "Plan")).toHaveText(/^Plan(—|<img src=x onerror=alert\(1\)>)$/);
  await expect(page.locator(INJECTED)).toHaveCount(0);
  await page.waitForLoadState("networkidle");
});

test("on a site in markup the adapter has never seen, every field is right and its source is shown", async ({
  page,
}) => {
  test.setTimeout(120_000);
  try {
    await control("/theme", { theme: "spec-list" });
    const homes = await control<(BuilderHome & { edgeCase?: string; garage: number })[]>("/homes");
    const home = homes.find((candidate) => candidate.edgeCase === "under-contract");
    if (!home) throw new Error("the fake site has no under-contract home");

    await registerAgent(page);
    await page.getByRole("link", { name: "Listings", exact: true }).click();
    await runIngestion(page);
    await page.getByLabel("Community").selectOption(home.communityName);
    await page.getByRole("link", { name: home.address, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: home.address })).toBeVisible();

    await expect(factRow(page, "Status")).toContainText("Under contract");
    await expect(factRow(page, "Community")).toContainText(home.communityName);
    await expect(factRow(page, "Plan")).toContainText(home.planName);
    await expect(factRow(page, "Garage")).toContainText(`${home.garage}-car`);

    const disclosure = page.locator("details").filter({ hasText: "How we read this page" });
    await expect(disclosure.getByRole("row").first()).toBeHidden();
    await disclosure.getByText("How we read this page").click();
    // JSON-LD said only LimitedAvailability, so the visible "Under Contract" badge decided.
    await expect(rowIn(disclosure, "Status")).toContainText("Labelled value");
    await expect(rowIn(disclosure, "Community")).toContainText("Structured data");
    await expect(rowIn(disclosure, "Plan")).toContainText("Labelled value");
    await expect(rowIn(disclosure, "Price")).toContainText("Structured data");
  } finally {
    await control("/reset", { theme: "classic" });
  }
});
