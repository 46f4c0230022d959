import { markReadInput, notificationListInput } from "../schemas/notifications";
import { listNotifications, markRead, pushUnread, unreadCount } from "../services/notify";
import { protectedProcedure, router } from "../trpc/init";

export const notificationsRouter = router({
  list: protectedProcedure
    .input(notificationListInput)
    .query(({ ctx, input }) => listNotifications(ctx.db, ctx.agent.id, input)),
  markRead: protectedProcedure.input(markReadInput).mutation(async ({ ctx, input }) => {
    const result = await markRead(ctx.db, ctx.agent.id, input.ids);
    // The agent's other tabs update their bell.
    if (result.marked) await pushUnread(ctx.env, ctx.agent.id, result.unreadCount);
    return result;
  }),
  markAllRead: protectedProcedure.mutation(async ({ ctx }) => {
    const result = await markRead(ctx.db, ctx.agent.id, "all");
    if (result.marked) await pushUnread(ctx.env, ctx.agent.id, result.unreadCount);
    return result;
  }),
  unreadCount: protectedProcedure.query(async ({ ctx }) => ({
    unreadCount: await unreadCount(ctx.db, ctx.agent.id),
  })),
});
