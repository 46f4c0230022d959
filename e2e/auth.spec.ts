import { expect, test } from "@playwright/test";
import { PASSWORD } from "./support";

const atPath = (pathname: string) => (url: URL) => url.pathname === pathname;

test("pages and scripts carry the security headers", async ({ page }) => {
  const script = page.waitForResponse((response) =>
    /^\/assets\/.+\.js$/.test(new URL(response.url()).pathname),
  );
  const response = await page.goto("/");
  if (!response) throw new Error("No response for /");
  const headers = response.headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect((await script).headers()["x-content-type-options"]).toBe("nosniff");
});

test("an agent registers, signs out, signs back in to a protected page and saves the profile", async ({
  page,
}) => {
  const email = `agent-${Date.now()}@example.com`;
  const name = "Chris Tester";

  await page.goto("/register");
  await page.getByLabel("Full name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();

  await expect(page).toHaveURL(atPath("/"));
  await expect(page.getByRole("heading", { level: 1, name: new RegExp(name) })).toBeVisible();
  await expect(page.getByText(/Florida advertising rules require your brokerage name/)).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(atPath("/login"));
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();

  await page.goto("/settings");
  await expect(page).toHaveURL(
    (url) => url.pathname === "/login" && url.searchParams.get("redirect") === "/settings",
  );

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(atPath("/settings"));
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  await expect(page.getByLabel("Full name")).toHaveValue(name);

  await page.getByLabel("Phone").fill("(407) 555-0142");
  await page.getByLabel("Brokerage name").fill("Sunshine Realty Group");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("region", { name: "Profile" }).getByRole("status")).toHaveText(
    "Profile saved.",
  );

  // Automatic drafting can be switched off; it saves at once and keeps the profile.
  const autoDraft = page.getByLabel("Draft posts automatically for new and changed listings");
  await expect(autoDraft).toBeChecked();
  await autoDraft.uncheck();
  await expect(page.getByRole("region", { name: "Content drafting" }).getByRole("status")).toHaveText(
    "Saved.",
  );

  await page.reload();
  await expect(page.getByLabel("Phone")).toHaveValue("(407) 555-0142");
  await expect(page.getByLabel("Brokerage name")).toHaveValue("Sunshine Realty Group");
  await expect(autoDraft).not.toBeChecked();

  await page.getByRole("link", { name: "Dashboard", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: new RegExp(name) })).toBeVisible();
  await expect(page.getByText(/Florida advertising rules require your brokerage name/)).toHaveCount(0);

  // A redirect target off this site is ignored.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(atPath("/login"));
  await page.goto("/login?redirect=//evil.example/phish");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: new RegExp(name) })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe("/");
});

test("the register form explains a bad email and a short password before sending anything", async ({
  page,
}) => {
  const registerCalls: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("auth.register")) registerCalls.push(request.url());
  });

  await page.goto("/register");
  const email = page.getByLabel("Email");
  await email.fill("not-an-email");
  await email.blur();
  await expect(email).toHaveAttribute("aria-invalid", "true");
  await expect(email).toHaveAccessibleDescription(/Enter a valid email address/);

  const password = page.getByLabel("Password");
  await password.fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(password).toHaveAttribute("aria-invalid", "true");
  await expect(password).toHaveAccessibleDescription(/Password must be at least 12 characters/);
  await expect(page.getByText("Password must be at least 12 characters")).toBeVisible();

  await expect(page).toHaveURL(atPath("/register"));
  expect(registerCalls).toHaveLength(0);
});
