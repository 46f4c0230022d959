import { dispatchPendingChanges } from "../agents/listing/agent";
import {
  ingestionRunIdInput,
  ingestionRunsInput,
  listInput,
  listingIdInput,
  manualListingInput,
} from "../schemas/listings";
import {
  getIngestionRun,
  getListing,
  listCommunities,
  listIngestionRuns,
  listListings,
  startIngestion,
  uploadListing,
} from "../services/listings";
import { consumeRateLimit } from "../services/rate-limit";
import { protectedProcedure, router } from "../trpc/init";

const RUN_NOW_LIMIT = { limit: 3, windowMs: 10 * 60_000 };

export const listingsRouter = router({
  list: protectedProcedure
    .input(listInput)
    .query(({ ctx, input }) => listListings(ctx.db, ctx.agent.id, input)),
  get: protectedProcedure
    .input(listingIdInput)
    .query(({ ctx, input }) => getListing(ctx.db, ctx.agent.id, input.id)),
  communities: protectedProcedure.query(({ ctx }) => listCommunities(ctx.db, ctx.agent.id)),
  manualUpload: protectedProcedure.input(manualListingInput).mutation(async ({ ctx, input }) => {
    const created = await uploadListing(ctx.db, ctx.agent.id, input);
    await dispatchPendingChanges(ctx.db, ctx.env.CONTENT_QUEUE);
    return created;
  }),
  runIngestionNow: protectedProcedure.mutation(async ({ ctx }) => {
    await consumeRateLimit(
      ctx.db,
      `ingest:agent:${ctx.agent.id}`,
      RUN_NOW_LIMIT,
      "Ingestion can be run 3 times in 10 minutes. The listing agent also runs every 30 minutes.",
    );
    return startIngestion(ctx.db, ctx.env.INGESTION_QUEUE, ctx.agent.id);
  }),
  ingestionRuns: protectedProcedure
    .input(ingestionRunsInput)
    .query(({ ctx, input }) => listIngestionRuns(ctx.db, ctx.agent.id, input)),
  ingestionRun: protectedProcedure
    .input(ingestionRunIdInput)
    .query(({ ctx, input }) => getIngestionRun(ctx.db, ctx.agent.id, input.id)),
});
