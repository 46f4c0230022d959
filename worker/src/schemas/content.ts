import { CONTENT_KINDS, MARKETING_RESPONSES, OPEN_CONTENT_STATUSES, POST_TYPES } from "db/rules";
import * as z from "zod/mini";
import { text } from "./common";

// The value lists live in db/rules, shared with the web client.
export { OPEN_CONTENT_STATUSES as OPEN_STATUSES } from "db/rules";

const id = z.string().check(z.minLength(1), z.maxLength(64));

export const createForListingInput = z.object({
  listingId: id,
  kinds: z._default(
    z
      .array(z.enum(CONTENT_KINDS))
      .check(z.minLength(1, "Choose at least one kind of content"), z.maxLength(3)),
    [...CONTENT_KINDS],
  ),
  postType: z._default(z.enum(POST_TYPES), "new_listing"),
});

export const pendingApprovalsInput = z.object({
  kind: z.optional(z.enum(CONTENT_KINDS)),
  listingId: z.optional(id),
  status: z.optional(z.enum(OPEN_CONTENT_STATUSES)),
});

export const contentIdInput = z.object({ id });

// Edited copy is plain text; the limits are the platforms' own.
export const updateContentInput = z.object({
  id,
  body: text(20_000, 1, "Text"),
});

const note = (label: string, max = 2000) => z.optional(text(max, 0, label));

export const contentActionInput = z.discriminatedUnion("action", [
  z.object({
    id,
    action: z.literal("approve_and_post"),
    scheduledAt: z.optional(z.int().check(z.positive())),
    acknowledgeCompliance: z.optional(z.boolean()),
  }),
  z.object({ id, action: z.literal("reject_discard"), reason: text(2000, 1, "Reason") }),
  z.object({ id, action: z.literal("request_revisions"), feedback: text(2000, 1, "Feedback") }),
  z.object({ id, action: z.literal("send_to_marketing"), note: note("Note") }),
  z.object({
    id,
    action: z.literal("record_marketing_response"),
    response: z.enum(MARKETING_RESPONSES),
    notes: note("Notes"),
  }),
  z.object({ id, action: z.literal("retry") }),
]);

export const marketingTokenInput = z.object({ token: z.string().check(z.minLength(20), z.maxLength(100)) });
export const marketingRespondInput = z.object({
  token: z.string().check(z.minLength(20), z.maxLength(100)),
  response: z.enum(MARKETING_RESPONSES),
  notes: note("Notes"),
});

export type ContentActionInput = z.infer<typeof contentActionInput>;
export type CreateForListingInput = z.infer<typeof createForListingInput>;
export type PendingApprovalsInput = z.infer<typeof pendingApprovalsInput>;
