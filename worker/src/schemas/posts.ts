import { POST_STATUSES } from "db/rules";
import * as z from "zod/mini";

// The web client picks times in the agent's zone and converts them with the worker's own code.
export { utcToZoned, zonedTimeToUtc } from "../lib/time";

const id = z.string().check(z.minLength(1), z.maxLength(64));
const epochMs = z.int().check(z.positive());

/** The calendar asks for a week or a month (with the days around it); more than this is refused. */
export const MAX_LIST_RANGE_MS = 62 * 24 * 3600_000;
/** How far ahead a post may be scheduled (as `content.action` approve_and_post allows). */
export const MAX_SCHEDULE_AHEAD_MS = 365 * 24 * 3600_000;

export const listPostsInput = z.object({
  from: epochMs,
  to: epochMs,
  status: z.optional(z.enum(POST_STATUSES)),
});

export const postIdInput = z.object({ id });

export const reschedulePostInput = z.object({ id, scheduledAt: epochMs });

export type ListPostsInput = z.infer<typeof listPostsInput>;
export type ReschedulePostInput = z.infer<typeof reschedulePostInput>;
