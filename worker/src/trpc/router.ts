import { agentRouter } from "../routers/agent";
import { authRouter } from "../routers/auth";
import { router } from "./init";

export const appRouter = router({
  auth: authRouter,
  agent: agentRouter,
});

export type AppRouter = typeof appRouter;
