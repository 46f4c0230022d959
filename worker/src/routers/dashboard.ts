import { readBatch } from "../lib/read-template";
import { contentOverviewFrom, contentOverviewRead } from "../services/content";
import { dashboardPerformanceFrom, dashboardPerformanceReads } from "../services/dashboard";
import { listingOverviewFrom, listingOverviewReads } from "../services/listings";
import { protectedProcedure, router } from "../trpc/init";

export const dashboardRouter = router({
  // Every read of the dashboard in one batch: a single round trip to D1 after the session lookup.
  overview: protectedProcedure.query(async ({ ctx }) => {
    const now = Date.now();
    const [counts, changed, runs, runCounts, content, posts, readings, withoutContent] = await readBatch(
      ctx.db,
      [
        ...listingOverviewReads(ctx.db, ctx.agent.id, now),
        contentOverviewRead(ctx.db, ctx.agent.id),
        ...dashboardPerformanceReads(ctx.db, ctx.agent.id, now),
      ],
    );
    return {
      listings: listingOverviewFrom(ctx.agent.id, [counts, changed, runs, runCounts]),
      content: contentOverviewFrom(content),
      ...dashboardPerformanceFrom([posts, readings, withoutContent], ctx.agent.timezone, now),
    };
  }),
});
