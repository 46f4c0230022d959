import * as z from "zod/mini";

export const listingPostsInput = z.object({ listingId: z.string().check(z.minLength(1), z.maxLength(64)) });

export type ListingPostsInput = z.infer<typeof listingPostsInput>;
