import { agentRouter } from "../routers/agent";
import { authRouter } from "../routers/auth";
import { contentRouter } from "../routers/content";
import { dashboardRouter } from "../routers/dashboard";
import { devRouter } from "../routers/dev";
import { listingsRouter } from "../routers/listings";
import { marketingRouter } from "../routers/marketing";
import { notificationsRouter } from "../routers/notifications";
import { postsRouter } from "../routers/posts";
import { socialAccountsRouter } from "../routers/social-accounts";
import { router } from "./init";

export const appRouter = router({
  auth: authRouter,
  agent: agentRouter,
  dashboard: dashboardRouter,
  listings: listingsRouter,
  content: contentRouter,
  marketing: marketingRouter,
  socialAccounts: socialAccountsRouter,
  posts: postsRouter,
  notifications: notificationsRouter,
  dev: devRouter,
});

export type AppRouter = typeof appRouter;
