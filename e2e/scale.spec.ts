import { expect, type Page, test } from "@playwright/test";
import { guardEachTest, registerAgent } from "./support";

// Issue 12: an agent with a large book. The dashboard's LCP is measured and printed; the listings and
// approvals pages keep only the rows near the viewport in the DOM and still reach their last row.
const LISTINGS = 500;
// Generous: a local wrangler dev on a loaded machine. A regression to seconds still fails.
const LCP_LIMIT_MS = 2500;
const MAX_ROWS_IN_DOM = 60;

guardEachTest();

/** A tRPC call from the page, so it carries the session cookie and the app's Origin. */
async function trpcCall<T>(page: Page, path: string, input: unknown, method: "GET" | "POST"): Promise<T> {
  return page.evaluate(
    async ({ path, input, method }) => {
      const query = method === "GET" ? `?input=${encodeURIComponent(JSON.stringify(input))}` : "";
      const response = await fetch(`/api/trpc/${path}${query}`, {
        method,
        headers: { "content-type": "application/json" },
        body: method === "POST" ? JSON.stringify(input) : undefined,
      });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { result: { data: unknown } }).result.data;
    },
    { path, input, method },
  ) as Promise<T>;
}

/**
 * Scrolls to the page's end on every frame until a link named `name` is in the DOM (each end of a list may
 * load another page); returns how long that took.
 */
async function scrollToLink(page: Page, name: string): Promise<number> {
  const started = Date.now();
  await page.waitForFunction(
    (name) => {
      window.scrollTo(0, document.documentElement.scrollHeight);
      return Array.from(document.querySelectorAll("main a")).some(
        (link) => link.textContent?.trim() === name,
      );
    },
    name,
    { polling: "raf", timeout: 15_000 },
  );
  return Date.now() - started;
}

test("a 500-listing agent: dashboard LCP, windowed listings and approvals", async ({ page }) => {
  test.setTimeout(60_000);
  await registerAgent(page);
  // A complete profile, as a working agent has: a new agent's "finish your profile" notice would
  // otherwise be the largest paint.
  await trpcCall(
    page,
    "agent.updateProfile",
    {
      name: "Chris Tester",
      brokerageName: "Sunshine Realty Group",
      licenseNumber: "SL3456789",
      phone: "+1 407 555 0100",
      timezone: "America/New_York",
    },
    "POST",
  );
  const seedStart = Date.now();
  const seeded = await trpcCall<{ listings: number; pieces: number; statements: number }>(
    page,
    "dev.seedListings",
    { count: LISTINGS },
    "POST",
  );
  const seedMs = Date.now() - seedStart;
  expect(seeded).toMatchObject({ listings: LISTINGS, pieces: LISTINGS * 3 });

  // A cold load of the dashboard, as after signing in.
  await page.goto("/");
  const countVisibleMs = await page.waitForFunction(
    (text) => (document.body.textContent?.includes(text) ? performance.now() : 0),
    `of ${LISTINGS} active`,
    { polling: "raf" },
  );
  // Read after the load event (goto waits for it); the element says what the largest paint was.
  const lcp = await page.evaluate(
    () =>
      new Promise<{ ms: number; element: string }>((resolve) => {
        new PerformanceObserver((list) => {
          const last = list.getEntries().at(-1) as
            | (PerformanceEntry & { element?: Element | null })
            | undefined;
          const element = last?.element;
          const text = element?.textContent?.trim().slice(0, 40) ?? "";
          const name = element ? `<${element.tagName.toLowerCase()}> "${text}"` : "?";
          if (last) resolve({ ms: last.startTime, element: name });
        }).observe({ type: "largest-contentful-paint", buffered: true });
        setTimeout(() => resolve({ ms: Number.NaN, element: "none" }), 2000);
      }),
  );
  const lcpMs = lcp.ms;
  const visible = Math.round(await countVisibleMs.jsonValue());
  console.log(
    `LCP dashboard ${LISTINGS} listings: ${Math.round(lcpMs)} ms (${lcp.element}; listings count visible` +
      ` ${visible} ms)`,
  );
  expect(lcpMs).toBeLessThan(LCP_LIMIT_MS);
  expect(visible).toBeLessThan(LCP_LIMIT_MS);

  // Listings: the first page, then "Load more", after which the windowed list loads as it scrolls.
  await page.getByRole("link", { name: "Listings", exact: true }).click();
  const homes = page.getByRole("list", { name: "Homes" }).getByRole("listitem");
  await expect(homes.first()).toContainText("1 Scale Test Way");
  await page.getByRole("button", { name: "Load more" }).click();
  const scrollMs = await scrollToLink(page, `${LISTINGS} Scale Test Way`);
  await expect(page.getByRole("link", { name: `${LISTINGS} Scale Test Way`, exact: true })).toBeVisible();
  await expect(page.getByText(`Showing ${LISTINGS} homes`, { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
  const listingRows = await homes.count();
  await expect(homes.last()).toHaveAttribute("aria-posinset", String(LISTINGS));
  await expect(homes.last()).toHaveAttribute("aria-setsize", String(LISTINGS));
  // Scrolling back up through ~200 homes, a screenful a frame, after 10 idle frames for a baseline: the
  // frame times tell whether it stutters.
  const frames = await page.evaluate(
    () =>
      new Promise<number[]>((resolve) => {
        const gaps: number[] = [];
        let last = performance.now();
        const step = (now: number) => {
          gaps.push(now - last);
          last = now;
          if (gaps.length > 10) window.scrollBy(0, -800);
          if (gaps.length < 51) requestAnimationFrame(step);
          else resolve(gaps);
        };
        requestAnimationFrame(step);
      }),
  );
  const frameMs = (list: number[], q: number) => {
    const sorted = list.toSorted((a, b) => a - b);
    return Math.round(sorted[Math.floor(q * (sorted.length - 1))] ?? 0);
  };
  const idleFrames = frames.slice(1, 11);
  const scrollFrames = frames.slice(12);
  // Back at the top, the first homes are rendered again.
  await page.evaluate(() => window.scrollTo(0, 0));
  const first = page.getByRole("link", { name: "1 Scale Test Way", exact: true });
  await expect(first).toBeVisible();
  const listingRowsAtTop = await homes.count();

  // Tab order runs on through homes that were not rendered when the focus set out (one link per card).
  await first.focus();
  for (let i = 0; i < 15; i++) await page.keyboard.press("Tab");
  const sixteenth = page.getByRole("link", { name: "16 Scale Test Way", exact: true });
  await expect(sixteenth).toBeFocused();
  // Back from a home, the list is where it was.
  const scrollY = await page.evaluate(() => window.scrollY);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name: "16 Scale Test Way" })).toBeVisible();
  await page.goBack();
  await expect(sixteenth).toBeInViewport();
  expect(Math.abs((await page.evaluate(() => window.scrollY)) - scrollY)).toBeLessThan(50);
  // A focused home scrolled out of the DOM leaves the focus on the list; Tab goes on from what is rendered.
  await sixteenth.focus();
  await page.evaluate(() => window.scrollBy(0, 8000));
  await expect(sixteenth).toHaveCount(0);
  await expect(page.getByRole("list", { name: "Homes" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(page.locator(":focus")).toHaveAccessibleName(/^\d+ Scale Test Way$/);
  await expect(page.locator(":focus")).toBeInViewport();
  // A filter starts a new windowed list: a fifth of the homes are in Harbor Pointe.
  await page.getByLabel("Community").selectOption("Harbor Pointe");
  await expect(homes.first()).toContainText("5 Scale Test Way");
  await expect(homes.first()).toHaveAttribute("aria-posinset", "1");
  const filteredRows = await homes.count();

  // Approvals: every open draft, grouped by listing; the last group is the one the API lists last.
  const pieces = await trpcCall<{ listing: { addressLine: string } }[]>(
    page,
    "content.pendingApprovals",
    {},
    "GET",
  );
  const lastGroup = pieces.at(-1)?.listing.addressLine ?? "";
  await page.getByRole("link", { name: "Approvals", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: `${pieces.length} drafts` })).toBeVisible();
  // 1,500 are pending; the page says that it shows only the most recent ones, and how to reach others.
  expect(pieces.length).toBe(200);
  await expect(page.getByText("These are the 200 most recently updated drafts.")).toBeVisible();
  const groups = page.getByRole("list", { name: "Drafts by listing" }).locator(":scope > li");
  await expect(groups.first()).toContainText("1 Scale Test Way");
  const groupRowsAtTop = await groups.count();
  const cardsAtTop = await page.getByRole("article").count();
  await scrollToLink(page, `View listing ${lastGroup}`);
  await expect(page.getByRole("region", { name: lastGroup, exact: true })).toBeInViewport();
  const groupRows = await groups.count();
  // Back from a draft, the list is where it was.
  const lastRegion = page.getByRole("region", { name: lastGroup, exact: true });
  await lastRegion.getByRole("link", { name: "Facebook post", exact: true }).click();
  await expect(page).toHaveURL(/\/approvals\/[^/?]+/);
  await page.goBack();
  await expect(lastRegion).toBeInViewport();

  console.log(
    `seeded ${seeded.listings} listings and ${seeded.pieces} drafts in ${seedMs} ms` +
      ` (${seeded.statements} statements); frames scrolling the listings: median ${frameMs(scrollFrames, 0.5)} ms,` +
      ` longest ${frameMs(scrollFrames, 1)} ms (idle: median ${frameMs(idleFrames, 0.5)} ms)`,
  );
  console.log(
    `DOM rows: listings ${listingRowsAtTop} at the top, ${listingRows} at the end of ${LISTINGS} (scrolled to` +
      ` the end in ${scrollMs} ms); approvals ${groupRowsAtTop} groups (${cardsAtTop} cards) at the top,` +
      ` ${groupRows} at the end, of ${new Set(pieces.map((piece) => piece.listing.addressLine)).size} groups` +
      ` (${pieces.length} drafts)`,
  );
  for (const rows of [listingRows, listingRowsAtTop, filteredRows, groupRowsAtTop, groupRows])
    expect(rows).toBeLessThan(MAX_ROWS_IN_DOM);
  expect(cardsAtTop).toBeLessThan(MAX_ROWS_IN_DOM);
});
