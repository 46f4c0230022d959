import { closeSessionSockets } from "../routes/notifications";
import { loginInput, registerInput } from "../schemas/auth";
import { loginAgent, registerAgent } from "../services/auth/accounts";
import { blankSessionCookie, invalidateSession, sessionCookie } from "../services/auth/sessions";
import { protectedProcedure, publicProcedure, router } from "../trpc/init";

export const authRouter = router({
  register: publicProcedure.input(registerInput).mutation(async ({ ctx, input }) => {
    // Every browser test signs up a new agent from 127.0.0.1; the e2e servers raise the limit.
    const signupsPerHour = Number(ctx.env.SIGNUPS_PER_IP_PER_HOUR) || undefined;
    const session = await registerAgent(ctx.db, input, ctx.ip, ctx.env.LISTING_SOURCE_URL, signupsPerHour);
    ctx.resHeaders.append("Set-Cookie", sessionCookie(session.token, session.expiresAt));
    return { agentId: session.agentId };
  }),
  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    const session = await loginAgent(ctx.db, input, ctx.ip);
    ctx.resHeaders.append("Set-Cookie", sessionCookie(session.token, session.expiresAt));
    return { agentId: session.agentId };
  }),
  logout: protectedProcedure.mutation(async ({ ctx }) => {
    await invalidateSession(ctx.db, ctx.session.id);
    ctx.resHeaders.append("Set-Cookie", blankSessionCookie());
    // Its open bell sockets close too, so no tab keeps getting notifications after signing out.
    await closeSessionSockets(ctx.env, ctx.agent.id, ctx.session.id);
    return { ok: true as const };
  }),
  me: protectedProcedure.query(({ ctx }) => ctx.agent),
});
