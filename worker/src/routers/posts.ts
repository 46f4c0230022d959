import { postInsights, refreshPostInsights } from "../agents/social/insights";
import { listingPostsInput } from "../schemas/dashboard";
import { listPostsInput, postIdInput, reschedulePostInput } from "../schemas/posts";
import { postsOfListing } from "../services/dashboard";
import { cancelPost, getPost, listPosts, reschedulePost, retryPost } from "../services/posts";
import { type Context, protectedProcedure, router } from "../trpc/init";

const deps = (ctx: Context & { agent: { id: string } }) => ({
  db: ctx.db,
  env: ctx.env,
  agentId: ctx.agent.id,
});

export const postsRouter = router({
  list: protectedProcedure
    .input(listPostsInput)
    .query(({ ctx, input }) => listPosts(ctx.db, ctx.agent.id, input)),
  get: protectedProcedure
    .input(postIdInput)
    .query(({ ctx, input }) => getPost(ctx.db, ctx.agent.id, input.id)),
  byListing: protectedProcedure
    .input(listingPostsInput)
    .query(({ ctx, input }) => postsOfListing(ctx.db, ctx.agent.id, input.listingId)),
  reschedule: protectedProcedure
    .input(reschedulePostInput)
    .mutation(({ ctx, input }) => reschedulePost(deps(ctx), input)),
  cancel: protectedProcedure.input(postIdInput).mutation(({ ctx, input }) => cancelPost(deps(ctx), input.id)),
  retry: protectedProcedure.input(postIdInput).mutation(({ ctx, input }) => retryPost(deps(ctx), input.id)),
  insights: protectedProcedure
    .input(postIdInput)
    .query(({ ctx, input }) => postInsights(deps(ctx), input.id)),
  refreshInsights: protectedProcedure
    .input(postIdInput)
    .mutation(({ ctx, input }) => refreshPostInsights(deps(ctx), input.id)),
});
