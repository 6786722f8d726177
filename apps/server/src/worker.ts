import '@stepwise/db/env-file';
import path from 'node:path';
import { openDatabase } from '@stepwise/db';
import { loadEnv } from './env.js';
import { startWorker } from './jobs/start-worker.js';
import { createLogger } from './logger.js';
import { createServices } from './services/create-services.js';

// `pnpm worker`: a job worker without the HTTP API, for running any number of them apart.
const env = loadEnv();
const logger = createLogger(env).child({ process: 'worker' });
const database = await openDatabase({
  url: env.DATABASE_URL,
  port: env.EMBEDDED_PG_PORT,
  dataDir: env.DATA_DIR ? path.join(env.DATA_DIR, 'pg') : undefined,
  migrate: env.AUTO_MIGRATE,
  max: env.DATABASE_POOL_SIZE,
  onPoolError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
  onWarning: (message) => logger.warn({ component: 'postgres' }, message),
});
const services = await createServices({ env, database, logger });
const worker = await startWorker(services, {
  concurrency: env.WORKER_CONCURRENCY,
  sweepIntervalMs: env.WORKER_SWEEP_INTERVAL_MS,
});
logger.info({ concurrency: env.WORKER_CONCURRENCY }, 'worker started');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    logger.info({ signal }, 'worker stopping');
    services.shutdown.abort();
    await worker.stop();
    await services.hub.close();
    await database.close();
    process.exit(0);
  });
}
