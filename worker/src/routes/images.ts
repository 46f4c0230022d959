import { Hono } from "hono";
import { USER_AGENT } from "../agents/listing/agent";
import { createDb } from "../lib/db";
import { fetchListingImage, imagePolicyFromEnv } from "../lib/image-fetch";
import { readSessionToken, validateSessionToken } from "../services/auth/sessions";
import { isAgentListingImage } from "../services/listing-images";

/**
 * GET /api/images?src=<url>: a signed-in agent's listing photo, served from our origin so the page's CSP
 * stays `img-src 'self'` and http images on https pages still show. It serves only URLs in the agent's
 * own listings, but agents type those URLs themselves (manual listings), so it is still a fetch of an
 * agent's choosing: lib/image-fetch.ts refuses IP literals and local hosts on every redirect hop, caps
 * the bytes it streams and passes raster images only.
 */
export const imagesApp = new Hono<{ Bindings: Env }>().get("/", async (c) => {
  const src = c.req.query("src") ?? "";
  let url: URL;
  try {
    url = new URL(src);
  } catch {
    return c.text("Bad image URL", 400);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return c.text("Bad image URL", 400);
  const db = createDb(c.env.DB);
  const token = readSessionToken(c.req.header("Cookie") ?? null);
  const auth = token ? await validateSessionToken(db, token) : null;
  if (!auth) return c.text("Sign in to continue", 401);
  if (!(await isAgentListingImage(db, auth.agent.id, src))) return c.text("Not found", 404);
  const image = await fetchListingImage(src, USER_AGENT, imagePolicyFromEnv(c.env));
  return image.ok ? image.response : c.text(image.reason, image.status as 400);
});
