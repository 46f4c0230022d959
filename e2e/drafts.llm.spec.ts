// Runs against the "LLM writer" server (playwright.config.ts): the app drafts through the fake LLM gateway,
// which each test scripts. The model's output is untrusted text: it must be shown as text and never run.
import { expect, test } from "@playwright/test";
import {
  agentDraftingByHand,
  BROKERAGE,
  DRAFTING,
  draftCard,
  guardEachTest,
  INJECTED,
  ingestAndOpenHome,
  initiateDrafts,
  llmControl,
  resetFakeLlmEachTest,
} from "./support";

type RecordedRequest = { path: string; headers: Record<string, string> };

guardEachTest();

resetFakeLlmEachTest();

const facebookPost = (text: string) => ({ content: JSON.stringify({ text, hashtags: ["NewConstruction"] }) });

test("markup the model writes is shown as text, never run", async ({ page }) => {
  test.setTimeout(120_000);
  // The entity-encoded script is decoded and removed by the writer's repair; the rest is no tag (the "<img" is
  // never closed), so it reaches the page as the model wrote it and must stay text there.
  const inert = "javascript:alert(2) {{constructor.constructor('alert(3)')()}} <img src=x onerror=alert(4)";
  const payload = `&lt;script&gt;alert(1)&lt;/script&gt; ${inert}`;
  await agentDraftingByHand(page);
  const home = await ingestAndOpenHome(page);
  // The draft step answers with the payload; the optimize step (not scripted) keeps the draft as it is.
  await llmControl("/script", [facebookPost(`Now selling with ${BROKERAGE}! ${payload}`)]);
  await initiateDrafts(page, ["Facebook post"]);

  const card = draftCard(page, home.address, "Facebook post");
  await expect(card).toContainText("Waiting for approval", DRAFTING);
  await expect(card).toContainText("e2e-model");
  await expect(card).toContainText(inert);
  await expect(card).not.toContainText("alert(1)");
  await expect(page.locator(INJECTED)).toHaveCount(0);

  await card.getByRole("link", { name: "Facebook post" }).click();
  const preview = page.getByRole("article", { name: "Facebook post preview" });
  await expect(preview).toContainText(`Now selling with ${BROKERAGE}! ${inert}`);
  await expect(preview).toContainText("#NewConstruction");
  await expect(
    page.getByRole("listitem").filter({ hasText: "Removed a script from the post text" }),
  ).toBeVisible();
  await expect(page.locator(INJECTED)).toHaveCount(0);

  // It went through the gateway with the Portkey headers: a draft call and an optimize call, one trace each.
  const calls = (await llmControl<RecordedRequest[]>("/requests")).filter((r) =>
    r.path.endsWith("/chat/completions"),
  );
  expect(calls).toHaveLength(2);
  for (const call of calls) {
    expect(call.headers["x-portkey-api-key"]).toBe("e2e-portkey-key");
    expect(call.headers["x-portkey-provider"]).toBe("openai");
    expect(call.headers["x-portkey-trace-id"]).toBeTruthy();
  }
  await page.waitForLoadState("networkidle");
});

test("HTML and script from the model become plain text with a note, and the draft succeeds", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const html = facebookPost(
    `<p>Now selling with ${BROKERAGE}!</p><script>alert(1)</script><img src=x onerror=alert(2)><b>Call today.</b>`,
  );
  await agentDraftingByHand(page);
  const home = await ingestAndOpenHome(page);
  // Before, this answer failed validation twice; now the writer repairs it and never asks again.
  await llmControl("/script", [html, html]);
  await initiateDrafts(page, ["Facebook post"]);

  const card = draftCard(page, home.address, "Facebook post");
  await expect(card).toContainText("Waiting for approval", DRAFTING);
  await card.getByRole("link", { name: "Facebook post" }).click();
  const preview = page.getByRole("article", { name: "Facebook post preview" });
  await expect(preview).toContainText(`Now selling with ${BROKERAGE}!`);
  await expect(preview).toContainText("Call today.");
  await expect(preview).not.toContainText("alert");
  await expect(preview).not.toContainText("<");
  await expect(page.getByRole("alert").filter({ hasText: "Drafting failed" })).toHaveCount(0);
  await expect(
    page.getByRole("listitem").filter({ hasText: "Removed a script from the post text" }),
  ).toBeVisible();
  await expect(page.locator(INJECTED)).toHaveCount(0);
  await expect(preview.locator("p img, p b, p script, b, img[src='x']")).toHaveCount(0);
  expect(
    (await llmControl<RecordedRequest[]>("/requests")).filter((r) => r.path.endsWith("/chat/completions")),
  ).toHaveLength(2);
  await page.waitForLoadState("networkidle");
});
