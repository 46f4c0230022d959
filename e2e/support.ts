// Shared by the specs: the fake builder site's and fake LLM's control APIs, a guard against dialogs (a dialog
// means scraped or drafted text ran as code), and the steps most tests start with.
import { expect, type Locator, type Page, test } from "@playwright/test";

/** The fake builder site every e2e server scrapes (tools/builder-site); set by playwright.config.ts. */
export const BUILDER_SITE = process.env.E2E_BUILDER_SITE_URL ?? "";
/** The fake LLM gateway the "LLM writer" server drafts through (tools/fake-llm). */
export const FAKE_LLM = process.env.E2E_FAKE_LLM_URL ?? "";
export const PASSWORD = "harbor-lantern-orchid-42";
export const BROKERAGE = "Sunshine Realty Group";
/** All of them: the listing source is shared, and a run finding far fewer homes than the last is refused. */
export const HOMES_ON_SITE = 36;
export const DRAFTING = { timeout: 20_000 };

export type BuilderHome = {
  slug: string;
  address: string;
  city: string;
  communityName: string;
  planName: string;
  price: number | null;
  beds: number;
  status: string;
  description: string;
  incentives: string;
  edgeCase?: string;
};

async function controlOf<T>(base: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}/__control${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${base}${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The builder site's control API: GET without a body, POST with one. */
export const control = <T>(path: string, body?: unknown) => controlOf<T>(BUILDER_SITE, path, body);
/** The fake LLM's control API (reset, script, requests). */
export const llmControl = <T>(path: string, body?: unknown) => controlOf<T>(FAKE_LLM, path, body);

/**
 * Resets the builder site before each test and fails any test during which a dialog opened on its page, or on
 * another page passed to the returned `watch`.
 */
export function guardEachTest(): { watch: (page: Page) => void } {
  let dialogs: string[] = [];
  const watch = (page: Page) => {
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  };
  test.beforeEach(async ({ page }) => {
    if (!BUILDER_SITE) throw new Error("E2E_BUILDER_SITE_URL must point at the fake builder site");
    await control("/reset", {});
    dialogs = [];
    watch(page);
  });
  test.afterEach(() => {
    expect(dialogs, "no dialog may open").toEqual([]);
  });
  return { watch };
}

/** Registers a new agent (a fresh email each time) and waits for the dashboard. */
export async function registerAgent(page: Page, options: { brokerage?: string } = {}) {
  await page.goto("/register");
  await page.getByLabel("Full name").fill("Chris Tester");
  await page
    .getByLabel("Email")
    .fill(`agent-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`);
  await page.getByLabel("Password").fill(PASSWORD);
  if (options.brokerage) await page.getByLabel(/Brokerage name/).fill(options.brokerage);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /Chris Tester/ })).toBeVisible();
}

/** Clicks "Run ingestion now" on the current page and waits for the result message. */
export async function runIngestion(page: Page): Promise<Locator> {
  await page.getByRole("button", { name: "Run ingestion now" }).click();
  const result = page.getByRole("status").filter({ hasText: /^Found / });
  await expect(result).toContainText(`Found ${HOMES_ON_SITE} homes`, { timeout: 60_000 });
  return result;
}

/** Runs the listing agent from Listings and opens a plain, available home. */
export async function ingestAndOpenHome(page: Page): Promise<BuilderHome> {
  const homes = await control<BuilderHome[]>("/homes");
  const home = homes.find((candidate) => candidate.edgeCase === "half-baths-html-only");
  if (!home) throw new Error("the fake site has no plain available home");
  await page.getByRole("link", { name: "Listings", exact: true }).click();
  await runIngestion(page);
  await page.getByLabel("Community").selectOption(home.communityName);
  await page.getByRole("link", { name: home.address, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: home.address })).toBeVisible();
  return home;
}

export const KIND_NAMES = ["Facebook post", "Instagram caption", "Flyer text"] as const;
export type KindName = (typeof KIND_NAMES)[number];

/**
 * "Initiate content creation" on the open listing as "Now selling" posts (the listing agent's own drafts for
 * a new home are "New listing"), then "See drafts".
 */
export async function initiateDrafts(page: Page, kinds: readonly KindName[] = KIND_NAMES) {
  await page.getByRole("button", { name: "Initiate content creation" }).click();
  for (const kind of KIND_NAMES) {
    const box = page.getByRole("checkbox", { name: kind });
    if (kinds.includes(kind)) await box.check();
    else await box.uncheck();
  }
  await page.getByLabel("Post type").selectOption({ label: "Now selling" });
  await page.getByRole("button", { name: "Start drafting" }).click();
  await expect(page.getByRole("status").filter({ hasText: "The content agent is drafting" })).toContainText(
    `${kinds.length === 1 ? "1 piece" : `${kinds.length} pieces`}`,
  );
  await page.getByRole("link", { name: "See drafts" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Approvals" })).toBeVisible();
}

/** The drafts a test asked for: the "Now selling" cards in the listing's group. */
export function draftCards(page: Page, address: string): Locator {
  return page.getByRole("region", { name: address }).getByRole("article").filter({ hasText: "Now selling" });
}

export function draftCard(page: Page, address: string, kind: KindName): Locator {
  return draftCards(page, address).filter({ has: page.getByRole("link", { name: kind, exact: true }) });
}

/** Elements that would exist only if text had been parsed as markup. */
export const INJECTED = "main img[src='x'], main [onerror], main [onload], main [onmouseover], main script";

/** A new agent with automatic drafting off, so only the drafts a test asks for reach the scripted model. */
export async function agentDraftingByHand(page: Page) {
  await registerAgent(page, { brokerage: BROKERAGE });
  await page.getByRole("link", { name: "Settings", exact: true }).click();
  await page.getByLabel("Draft posts automatically for new and changed listings").uncheck();
  await expect(page.getByRole("region", { name: "Content drafting" }).getByRole("status")).toHaveText(
    "Saved.",
  );
}

/** Each LLM test starts from a fake gateway with no script. */
export function resetFakeLlmEachTest() {
  test.beforeEach(async () => {
    if (!FAKE_LLM) throw new Error("E2E_FAKE_LLM_URL must point at the fake LLM gateway");
    await llmControl("/reset", {});
  });
}
