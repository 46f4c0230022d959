import { marketingRespondInput, marketingTokenInput } from "../schemas/content";
import { marketingRequestByToken, respondThroughLink } from "../services/marketing";
import { consumeRateLimit } from "../services/rate-limit";
import { publicProcedure, router } from "../trpc/init";

// The marketing department answers without an account: the link's token is the credential.
const LINK_LIMIT = { limit: 60, windowMs: 10 * 60_000 };
const limited = publicProcedure.use(async ({ ctx, next }) => {
  await consumeRateLimit(
    ctx.db,
    `marketing-link:ip:${ctx.ip}`,
    LINK_LIMIT,
    "Too many requests. Try again in a few minutes.",
  );
  return next();
});

export const marketingRouter = router({
  // A mutation (POST) although it only reads: the token travels in the body, never in a logged URL.
  review: limited
    .input(marketingTokenInput)
    .mutation(({ ctx, input }) => marketingRequestByToken(ctx.db, input.token)),
  respond: limited
    .input(marketingRespondInput)
    .mutation(({ ctx, input }) =>
      respondThroughLink(ctx.env, ctx.db, input.token, input.response, input.notes ?? null),
    ),
});
