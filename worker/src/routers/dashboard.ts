import { contentOverview } from "../services/content";
import { listingOverview } from "../services/listings";
import { protectedProcedure, router } from "../trpc/init";

export const dashboardRouter = router({
  overview: protectedProcedure.query(async ({ ctx }) => {
    const [listings, content] = await Promise.all([
      listingOverview(ctx.db, ctx.agent.id),
      contentOverview(ctx.db, ctx.agent.id),
    ]);
    return { listings, content };
  }),
});
