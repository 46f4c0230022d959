import * as z from "zod/mini";

// Graph ids are numeric strings; the cap keeps junk out of queries.
const graphId = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^\d+$/, "Not a Page id"));

export const selectPageInput = z.object({ pageId: graphId });

export const socialAccountIdInput = z.object({ id: z.string().check(z.minLength(1), z.maxLength(64)) });
