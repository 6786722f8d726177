import { authRouter } from '../routers/auth.router.js';
import { chatRouter } from '../routers/chat.router.js';
import { connectorRouter } from '../routers/connector.router.js';
import { goalRouter } from '../routers/goal.router.js';
import { healthRouter } from '../routers/health.router.js';
import { planRouter } from '../routers/plan.router.js';
import { publicRouter } from '../routers/public.router.js';
import { serviceRouter } from '../routers/service.router.js';
import { taskRouter } from '../routers/task.router.js';
import { workspaceRouter } from '../routers/workspace.router.js';
import { createCallerFactory, router } from './init.js';

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  plan: planRouter,
  goal: goalRouter,
  chat: chatRouter,
  task: taskRouter,
  workspace: workspaceRouter,
  service: serviceRouter,
  connector: connectorRouter,
  public: publicRouter,
});

export type AppRouter = typeof appRouter;

/** For tests and server-side calls: `createCaller(createContextInner({ services, user }))`. */
export const createCaller = createCallerFactory(appRouter);
