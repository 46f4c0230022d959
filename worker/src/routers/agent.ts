import { profileInput } from "../schemas/agent";
import { updateProfile } from "../services/agents";
import { protectedProcedure, router } from "../trpc/init";

export const agentRouter = router({
  updateProfile: protectedProcedure
    .input(profileInput)
    .mutation(({ ctx, input }) => updateProfile(ctx.db, ctx.agent.id, input)),
});
