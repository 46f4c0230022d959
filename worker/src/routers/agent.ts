import { getNotificationSettings, updateNotificationSettings } from "../agents/notifications/preferences";
import { rescheduleNotifications } from "../agents/notifications/scheduler";
import { profileInput } from "../schemas/agent";
import { notificationSettingsInput } from "../schemas/notifications";
import { updateProfile } from "../services/agents";
import { protectedProcedure, router } from "../trpc/init";

export const agentRouter = router({
  updateProfile: protectedProcedure.input(profileInput).mutation(async ({ ctx, input }) => {
    const agent = await updateProfile(ctx.db, ctx.agent.id, input);
    // A new time zone moves the digest time and the end of quiet hours.
    await rescheduleNotifications(ctx.env, ctx.agent.id);
    return agent;
  }),
  getNotificationPreferences: protectedProcedure.query(({ ctx }) =>
    getNotificationSettings(ctx.db, ctx.agent.id),
  ),
  updateNotificationPreferences: protectedProcedure
    .input(notificationSettingsInput)
    .mutation(({ ctx, input }) => updateNotificationSettings(ctx.env, ctx.db, ctx.agent.id, input)),
});
