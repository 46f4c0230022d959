import { getNotificationSettings, updateNotificationSettings } from "../agents/notifications/preferences";
import { rescheduleNotifications } from "../agents/notifications/scheduler";
import { profileInput } from "../schemas/agent";
import { brandImageKindInput, brandInput } from "../schemas/brand";
import { notificationSettingsInput } from "../schemas/notifications";
import { updateProfile } from "../services/agents";
import { getBrand, removeBrandImage, updateBrand } from "../services/brand";
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
  getBrand: protectedProcedure.query(({ ctx }) => getBrand(ctx.db, ctx.agent.id)),
  updateBrand: protectedProcedure
    .input(brandInput)
    .mutation(({ ctx, input }) => updateBrand(ctx.db, ctx.agent.id, input)),
  // Uploads are not procedures: POST /api/brand/<kind> takes the raw file (routes/brand.ts).
  removeBrandImage: protectedProcedure
    .input(brandImageKindInput)
    .mutation(({ ctx, input }) => removeBrandImage(ctx.env, ctx.db, ctx.agent.id, input.kind)),
});
