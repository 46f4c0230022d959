import { TRPCError } from "@trpc/server";
import { emailOutbox } from "db";
import { desc, eq } from "drizzle-orm";
import { protectedProcedure, router } from "../trpc/init";

/** Development-only tools; production answers NOT_FOUND. */
const devProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.env.APP_ENV === "production") throw new TRPCError({ code: "NOT_FOUND" });
  return next();
});

export const devRouter = router({
  /** The local email outbox: what would have been sent on this agent's behalf. */
  outbox: devProcedure.query(async ({ ctx }) => {
    const rows = await ctx.db
      .select()
      .from(emailOutbox)
      .where(eq(emailOutbox.agentId, ctx.agent.id))
      .orderBy(desc(emailOutbox.createdAt))
      .limit(50);
    return rows.map((row) => ({ ...row, createdAt: row.createdAt.getTime() }));
  }),
});
