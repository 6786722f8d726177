import { authRouter } from '../routers/auth.router.js';
import { healthRouter } from '../routers/health.router.js';
import { createCallerFactory, router } from './init.js';

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
});

export type AppRouter = typeof appRouter;

/** For tests and server-side calls: `createCaller(createContextInner({ services, user }))`. */
export const createCaller = createCallerFactory(appRouter);
