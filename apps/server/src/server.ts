import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { type OpenDatabase, openDatabase } from '@stepwise/db';
import { createApp } from './app.js';
import type { Env } from './env.js';
import { type RunningWorker, startWorker } from './jobs/start-worker.js';
import { createLogger, type Logger } from './logger.js';
import type { AppServices } from './services/app-services.js';
import { createServices } from './services/create-services.js';

export interface RunningServer {
  url: string;
  port: number;
  services: AppServices;
  /** Stops accepting, ends open streams, waits (bounded) for requests, closes the database. */
  close(): Promise<void>;
}

/**
 * Opens the database (embedded when DATABASE_URL is unset), migrates when AUTO_MIGRATE,
 * and serves the app. Tests pass an already open `database` and `PORT=0`.
 */
export async function startServer(input: {
  env: Env;
  logger?: Logger;
  database?: Pick<OpenDatabase, 'db' | 'pool' | 'close' | 'url'>;
}): Promise<RunningServer> {
  const { env } = input;
  const logger = input.logger ?? createLogger(env);
  const database =
    input.database ??
    (await openDatabase({
      url: env.DATABASE_URL,
      port: env.EMBEDDED_PG_PORT,
      dataDir: env.DATA_DIR ? path.join(env.DATA_DIR, 'pg') : undefined,
      migrate: env.AUTO_MIGRATE,
      max: env.DATABASE_POOL_SIZE,
      onPoolError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
      onLog: (line) => logger.debug({ component: 'postgres' }, line),
      onWarning: (message) => logger.warn({ component: 'postgres' }, message),
    }));

  const services = await createServices({ env, database, logger });
  const worker: RunningWorker | undefined = env.RUN_WORKER
    ? await startWorker(services, {
        concurrency: env.WORKER_CONCURRENCY,
        sweepIntervalMs: env.WORKER_SWEEP_INTERVAL_MS,
      })
    : undefined;
  const app = createApp(services);
  const server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.PORT, env.HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${port}`;
  const { ai } = services;
  logger.info(
    {
      url,
      database: input.database ? 'provided' : env.DATABASE_URL ? 'url' : 'embedded',
      worker: env.RUN_WORKER ? 'in-process' : 'off',
      ai:
        ai.mode === 'offline'
          ? 'offline planner and assistant (no OPENAI_API_KEY or OPENAI_BASE_URL)'
          : {
              provider: ai.provider,
              baseUrl: ai.baseUrl ?? 'api.openai.com',
              planModel: ai.planModel,
              chatModel: ai.chatModel,
            },
    },
    'listening',
  );

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      services.shutdown.abort();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          logger.warn('shutdown timeout: closing remaining connections');
          if ('closeAllConnections' in server) server.closeAllConnections();
        }, env.SHUTDOWN_TIMEOUT_MS);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      });
      await worker?.stop();
      await services.hub.close();
      await database.close();
      logger.info('stopped');
    })();
    return closing;
  };
  return { url, port, services, close };
}
