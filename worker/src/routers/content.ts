import { attachFlyer, flyerChoices } from "../agents/flyers/attach";
import { renderFlyerImage } from "../agents/flyers/render-image";
import {
  contentActionInput,
  contentIdInput,
  createForListingInput,
  pendingApprovalsInput,
  updateContentInput,
} from "../schemas/content";
import { attachFlyerInput, flyerChoicesInput, renderFlyerImageInput } from "../schemas/flyer-image";
import { actOnPiece, editPiece, getPieceDetail, listOpenPieces, requestDrafts } from "../services/content";
import { getFlyer } from "../services/flyers";
import { consumeRateLimit } from "../services/rate-limit";
import { type Context, protectedProcedure, router } from "../trpc/init";

const DRAFT_REQUEST_LIMIT = { limit: 30, windowMs: 60 * 60_000 };
const FLYER_IMAGE_LIMIT = { limit: 60, windowMs: 60 * 60_000 };
const deps = (ctx: Context & { agent: { id: string } }) => ({
  db: ctx.db,
  env: ctx.env,
  agentId: ctx.agent.id,
  origin: ctx.env.APP_ORIGIN || new URL(ctx.req.url).origin,
});

export const contentRouter = router({
  createForListing: protectedProcedure.input(createForListingInput).mutation(async ({ ctx, input }) => {
    await consumeRateLimit(
      ctx.db,
      `drafts:agent:${ctx.agent.id}`,
      DRAFT_REQUEST_LIMIT,
      "You can request 30 drafts an hour.",
    );
    return requestDrafts(deps(ctx), input);
  }),
  pendingApprovals: protectedProcedure
    .input(pendingApprovalsInput)
    .query(({ ctx, input }) => listOpenPieces(ctx.db, ctx.agent.id, input)),
  get: protectedProcedure
    .input(contentIdInput)
    .query(({ ctx, input }) => getPieceDetail(ctx.db, ctx.agent.id, input.id)),
  flyer: protectedProcedure
    .input(contentIdInput)
    .query(({ ctx, input }) => getFlyer(ctx.db, ctx.agent.id, input.id)),
  update: protectedProcedure
    .input(updateContentInput)
    .mutation(({ ctx, input }) => editPiece(deps(ctx), input)),
  action: protectedProcedure.input(contentActionInput).mutation(async ({ ctx, input }) => {
    // "Try again" drafts like a new request, so it counts against the same hourly allowance.
    if (input.action === "retry") {
      await consumeRateLimit(
        ctx.db,
        `drafts:agent:${ctx.agent.id}`,
        DRAFT_REQUEST_LIMIT,
        "You can request 30 drafts an hour.",
      );
    }
    return actOnPiece(deps(ctx), input);
  }),
  renderFlyerImage: protectedProcedure.input(renderFlyerImageInput).mutation(async ({ ctx, input }) => {
    // Each new image is a photo download and several Images binding calls.
    await consumeRateLimit(
      ctx.db,
      `flyer-image:agent:${ctx.agent.id}`,
      FLYER_IMAGE_LIMIT,
      "You can make 60 flyer images an hour.",
    );
    return renderFlyerImage(ctx.env, ctx.db, ctx.agent.id, input.id);
  }),
  attachFlyer: protectedProcedure
    .input(attachFlyerInput)
    .mutation(({ ctx, input }) => attachFlyer(ctx.db, ctx.agent.id, input)),
  flyerChoices: protectedProcedure
    .input(flyerChoicesInput)
    .query(({ ctx, input }) => flyerChoices(ctx.db, ctx.agent.id, input.id)),
});
