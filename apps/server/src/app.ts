import { trpcServer } from '@hono/trpc-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { type RequestIdVariables, requestId } from 'hono/request-id';
import type { Logger } from './logger.js';
import type { AppServices } from './services/app-services.js';
import { checkDatabase } from './services/health.service.js';
import { createHttpContextFactory } from './trpc/create-context.js';
import { appRouter } from './trpc/root.js';
import { subscriptionStreams } from './trpc/subscription-streams.js';

export type AppEnv = { Variables: RequestIdVariables & { log: Logger } };

/**
 * The HTTP surface: CORS, request ids and logs, `/health`, `/ready`, and tRPC at `/trpc`
 * (batched queries and mutations, SSE subscriptions).
 *
 * @example
 * const app = createApp(services);
 * const res = await app.request('/ready');
 */
export function createApp(services: AppServices) {
  const app = new Hono<AppEnv>();
  const origins = services.env.CORS_ORIGINS;

  app.use(requestId());
  app.use(async (c, next) => {
    const log = services.logger.child({ requestId: c.get('requestId') });
    c.set('log', log);
    const started = performance.now();
    await next();
    const ms = Math.round((performance.now() - started) * 100) / 100;
    // Time to the response head (a stream's body may go on for long after).
    c.res.headers.set('server-timing', `app;dur=${ms}`);
    log.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms }, 'request');
  });
  app.use(
    cors({
      origin: origins.includes('*') ? '*' : origins,
      allowHeaders: [
        'authorization',
        'content-type',
        'trpc-accept',
        'x-request-id',
        'last-event-id',
      ],
      exposeHeaders: ['x-request-id'],
      maxAge: 600,
    }),
  );

  app.get('/health', (c) => c.json({ ok: true }));
  app.get('/ready', async (c) => {
    const readiness = await checkDatabase(services.db);
    return c.json(readiness, readiness.ok ? 200 : 503);
  });

  // plan.progress and chat.stream: one serialization per event for all subscribers.
  app.use('/trpc/*', subscriptionStreams(services));
  app.use('/trpc/*', bodyLimit({ maxSize: 1024 * 1024 }));
  app.use(
    '/trpc/*',
    trpcServer({
      router: appRouter,
      endpoint: '/trpc',
      createContext: createHttpContextFactory(services),
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') {
          services.logger.error({ err: error.cause ?? error, path }, 'trpc error');
        }
      },
    }),
  );
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  return app;
}
