import { apiKeyRouter } from '../routers/api-key.router.js';
import { authRouter } from '../routers/auth.router.js';
import { chatRouter } from '../routers/chat.router.js';
import { connectorRouter } from '../routers/connector.router.js';
import { goalRouter } from '../routers/goal.router.js';
import { healthRouter } from '../routers/health.router.js';
import { notificationRouter } from '../routers/notification.router.js';
import { planRouter } from '../routers/plan.router.js';
import { publicRouter } from '../routers/public.router.js';
import { serviceRouter } from '../routers/service.router.js';
import { syncRouter } from '../routers/sync.router.js';
import { taskRouter } from '../routers/task.router.js';
import { webhookRouter } from '../routers/webhook.router.js';
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
  sync: syncRouter,
  notification: notificationRouter,
  webhook: webhookRouter,
  apiKey: apiKeyRouter,
});

export type AppRouter = typeof appRouter;

/** For tests and server-side calls: `createCaller(createContextInner({ services, user }))`. */
export const createCaller = createCallerFactory(appRouter);
