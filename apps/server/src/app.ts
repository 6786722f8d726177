import type { HttpBindings } from '@hono/node-server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { type RequestIdVariables, requestId } from 'hono/request-id';
import type { Logger } from './logger.js';
import type { AppServices } from './services/app-services.js';
import { checkDatabase } from './services/health.service.js';
import { mcpRoute } from './services/mcp/mcp-route.js';
import { apiDocs } from './services/openapi/api-docs.js';
import { REST_PREFIX } from './services/openapi/openapi-document.js';
import { restHandler } from './services/openapi/rest-handler.js';
import { createHttpContextFactory } from './trpc/create-context.js';
import { appRouter } from './trpc/root.js';
import { subscriptionStreams } from './trpc/subscription-streams.js';

const EXPOSED = { 'access-control-expose-headers': 'x-request-id' };

export type AppEnv = { Variables: RequestIdVariables & { log: Logger } };

/**
 * The HTTP surface: CORS, request ids and logs, `/health`, `/ready`, tRPC at `/trpc` (batched
 * queries and mutations, SSE subscriptions), the REST view of the main procedures at `/api`
 * (`/openapi.json`, interactive docs at `/docs`) and the MCP endpoint at `/mcp`.
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
    // Set on the response itself: a handler's own Response does not carry headers that
    // middlewares prepared before it existed. Time to the response head (a stream's body may
    // go on for long after).
    // (Unless a route wrote its head to the socket itself, as the SSE subscriptions do.)
    if (!(c.env as Partial<HttpBindings> | undefined)?.outgoing?.headersSent) {
      c.res.headers.set('x-request-id', c.get('requestId'));
      c.res.headers.set('server-timing', `app;dur=${ms}`);
    }
    log.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms }, 'request');
  });
  const anyOrigin = origins.includes('*');
  // plan.progress and chat.stream write their own head (one serialization per event for all
  // subscribers), so they come before middlewares that prepare response headers.
  app.use(
    '/trpc/*',
    subscriptionStreams(services, (origin) => {
      if (anyOrigin) return { 'access-control-allow-origin': '*', ...EXPOSED };
      if (origin && origins.includes(origin)) {
        return { 'access-control-allow-origin': origin, vary: 'Origin', ...EXPOSED };
      }
      return {};
    }),
  );
  const corsHeaders = cors({
    origin: anyOrigin ? '*' : origins,
    allowHeaders: [
      'authorization',
      'content-type',
      'trpc-accept',
      'x-request-id',
      'last-event-id',
      'mcp-protocol-version',
    ],
    exposeHeaders: ['x-request-id', 'www-authenticate'],
    maxAge: 600,
  });
  // CORS concerns browsers, which always send Origin on cross-origin requests.
  app.use((c, next) => (c.req.header('origin') ? corsHeaders(c, next) : next()));

  app.get('/health', (c) => c.json({ ok: true }));
  app.get('/ready', async (c) => {
    const readiness = await checkDatabase(services.db);
    return c.json(readiness, readiness.ok ? 200 : 503);
  });

  for (const path of ['/trpc/*', `${REST_PREFIX}/*`, '/mcp']) {
    app.use(path, limitBody(1024 * 1024));
  }
  app.all(`${REST_PREFIX}/*`, restHandler(services));
  app.route('/', apiDocs());
  app.all('/mcp', mcpRoute(services));

  const createContext = createHttpContextFactory(services);
  app.use('/trpc/*', (c) =>
    fetchRequestHandler({
      router: appRouter,
      endpoint: '/trpc',
      req: c.req.raw,
      createContext: (opts) => createContext(opts, c),
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

/**
 * Hono's bodyLimit, for bodies without a declared length only: a declared Content-Length is
 * checked from the header, without touching the body (which would make the Node adapter
 * build a full web Request for every call).
 */
function limitBody(maxSize: number): MiddlewareHandler<AppEnv> {
  const streamed = bodyLimit({ maxSize });
  return (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && !c.req.header('transfer-encoding')) {
      return Number(length) > maxSize ? Promise.resolve(c.text('Payload Too Large', 413)) : next();
    }
    return streamed(c, next);
  };
}
