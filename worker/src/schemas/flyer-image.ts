import * as z from "zod/mini";

const id = z.string().check(z.minLength(1), z.maxLength(64));

export const renderFlyerImageInput = z.object({ id });

/** `flyerId: null` detaches: the post goes out with the listing's photos again. */
export const attachFlyerInput = z.object({ id, flyerId: z.nullable(id) });

export const flyerChoicesInput = z.object({ id });
