import { connectInstagram, resumeAfterConnect, selectPage } from "../agents/social/connect";
import { startAuthorization } from "../agents/social/oauth";
import { selectPageInput, socialAccountIdInput } from "../schemas/social-accounts";
import { consumeRateLimit } from "../services/rate-limit";
import { accountView, activeAccount, disconnectAccount, listAccountViews } from "../services/social-accounts";
import { type Context, protectedProcedure, router } from "../trpc/init";

const CONNECT_LIMIT = { limit: 20, windowMs: 10 * 60_000 };

type SignedIn = Context & { agent: { id: string }; session: { id: string } };

const origin = (ctx: Context) => ctx.env.APP_ORIGIN || new URL(ctx.req.url).origin;

async function startLogin(ctx: SignedIn, purpose: "facebook" | "instagram", rerequest: boolean) {
  await consumeRateLimit(
    ctx.db,
    `social-connect:agent:${ctx.agent.id}`,
    CONNECT_LIMIT,
    "Too many connection attempts. Wait a few minutes and try again.",
  );
  return startAuthorization(ctx.db, ctx.env, {
    agentId: ctx.agent.id,
    sessionId: ctx.session.id,
    origin: origin(ctx),
    purpose,
    rerequest,
  });
}

export const socialAccountsRouter = router({
  connectFacebook: protectedProcedure.mutation(async ({ ctx }) => {
    // Facebook skips permissions declined before unless asked to show them again.
    const current = await activeAccount(ctx.db, ctx.agent.id, "facebook");
    return startLogin(ctx, "facebook", Boolean(current?.declinedScopes));
  }),
  selectPage: protectedProcedure.input(selectPageInput).mutation(async ({ ctx, input }) => {
    const account = await selectPage(ctx.db, ctx.env, ctx.agent.id, input.pageId);
    await resumeAfterConnect(ctx.env, ctx.agent.id);
    return accountView(account);
  }),
  connectInstagram: protectedProcedure.mutation(async ({ ctx }) => {
    const result = await connectInstagram(ctx.db, ctx.env, ctx.agent.id, () =>
      startLogin(ctx, "instagram", true),
    );
    if (result.account) await resumeAfterConnect(ctx.env, ctx.agent.id);
    return {
      authorizationUrl: result.authorizationUrl,
      account: result.account ? accountView(result.account) : null,
    };
  }),
  list: protectedProcedure.query(({ ctx }) => listAccountViews(ctx.db, ctx.agent.id)),
  disconnect: protectedProcedure
    .input(socialAccountIdInput)
    .mutation(({ ctx, input }) => disconnectAccount(ctx.db, ctx.agent.id, input.id)),
});
