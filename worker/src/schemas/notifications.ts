import { NOTIFICATION_EVENTS } from "db/rules";
import * as z from "zod/mini";

const id = z.string().check(z.minLength(1), z.maxLength(64));

export const notificationListInput = z.object({
  cursor: z.optional(z.string().check(z.maxLength(200))),
  limit: z._default(z.int().check(z.minimum(1), z.maximum(50)), 20),
  unreadOnly: z.optional(z.boolean()),
  event: z.optional(z.enum(NOTIFICATION_EVENTS)),
});
export type NotificationListInput = z.infer<typeof notificationListInput>;

export const markReadInput = z.object({ ids: z.array(id).check(z.minLength(1), z.maxLength(100)) });
