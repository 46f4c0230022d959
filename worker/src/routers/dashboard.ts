import { contentOverview } from "../services/content";
import { dashboardPerformance } from "../services/dashboard";
import { listingOverview } from "../services/listings";
import { protectedProcedure, router } from "../trpc/init";

export const dashboardRouter = router({
  overview: protectedProcedure.query(async ({ ctx }) => {
    const [listings, content, activity] = await Promise.all([
      listingOverview(ctx.db, ctx.agent.id),
      contentOverview(ctx.db, ctx.agent.id),
      dashboardPerformance(ctx.db, ctx.agent.id, ctx.agent.timezone),
    ]);
    return { listings, content, ...activity };
  }),
});
