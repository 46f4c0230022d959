import { writeFile } from "node:fs/promises";
import { deflateSync } from "node:zlib";
import { expect, type Page, test } from "@playwright/test";
import { guardEachTest, registerAgent } from "./support";

guardEachTest();

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** A real `width` x `height` RGBA PNG: a blue disc on a transparent square. */
function png(width: number, height: number): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  const r = Math.min(width, height) / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = (x - width / 2) ** 2 + (y - height / 2) ** 2 < r * r;
      raw.set([31, 95, 139, inside ? 255 : 0], y * (width * 4 + 1) + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const section = (page: Page) => page.getByRole("region", { name: "Brand", exact: true });
const logoPicker = (page: Page) => section(page).locator(".brand-image-logo");

async function openBrand(page: Page) {
  await page.goto("/settings#brand");
  await expect(section(page).getByRole("button", { name: "Save brand" })).toBeVisible();
}

test("a logo uploads, shows its preview and is still there after a reload", async ({ page }, testInfo) => {
  const file = testInfo.outputPath("logo.png");
  await writeFile(file, png(800, 400));
  await registerAgent(page);
  await openBrand(page);
  await expect(logoPicker(page).getByText("No logo yet")).toBeVisible();

  await logoPicker(page).getByLabel("Upload logo").setInputFiles(file);
  await expect(logoPicker(page).getByRole("status")).toHaveText("Logo saved.");
  const preview = logoPicker(page).getByRole("img", { name: "Your logo" });
  await expect(preview).toHaveAttribute("src", /^\/media\/[0-9a-f]{32}\.png$/);
  // Resized to fit 600 x 600, and really served (the browser decoded it).
  await expect(preview).toHaveAttribute("width", "600");
  await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(600);
  const src = await preview.getAttribute("src");

  await page.reload();
  await expect(logoPicker(page).getByRole("img", { name: "Your logo" })).toHaveAttribute("src", src ?? "");
  await expect(logoPicker(page).getByText("Replace logo")).toBeVisible();
});

test("a text file named .png is refused with a plain message", async ({ page }, testInfo) => {
  const file = testInfo.outputPath("not-really.png");
  await writeFile(file, "These are my notes, not a picture.\n");
  await registerAgent(page);
  await openBrand(page);

  await logoPicker(page).getByLabel("Upload logo").setInputFiles(file);
  await expect(logoPicker(page).getByRole("alert")).toHaveText("That file is not a PNG, JPEG or WebP image");
  await expect(logoPicker(page).getByText("No logo yet")).toBeVisible();
});

test("a light colour shows the contrast warning and is not saved", async ({ page }) => {
  await registerAgent(page);
  await openBrand(page);
  const primary = section(page).getByRole("textbox", { name: "Primary colour", exact: true });
  await expect(primary).toHaveValue("#1f5f8b");
  await expect(
    section(page)
      .getByText(/Contrast with white text: \d+\.\d+:1/)
      .first(),
  ).toBeVisible();

  await primary.fill("#ffcc00");
  await expect(
    section(page).getByText(/Too light: white text on this colour has a contrast of 1\.\d+:1/),
  ).toBeVisible();
  await section(page).getByRole("button", { name: "Save brand" }).click();
  await expect(section(page).getByText(/Primary colour is too light/)).toBeVisible();

  // A dark one passes, saves and stays.
  await primary.fill("#0a3d62");
  await section(page).getByLabel("Tagline").fill("New homes, honest advice");
  await section(page).getByRole("button", { name: "Save brand" }).click();
  await expect(section(page).getByText("Brand saved.")).toBeVisible();
  await page.reload();
  await expect(section(page).getByRole("textbox", { name: "Primary colour", exact: true })).toHaveValue(
    "#0a3d62",
  );
  await expect(section(page).getByLabel("Tagline")).toHaveValue("New homes, honest advice");
});
