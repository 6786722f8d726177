import '@stepwise/db/env-file';
import { loadEnv } from './env.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';

// `pnpm dev` / `pnpm start`: the API (and, unless RUN_WORKER=false, the job worker).
const env = loadEnv();
const logger = createLogger(env);
process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));

const server = await startServer({ env, logger }).catch((error: unknown) => {
  logger.fatal({ err: error }, 'could not start');
  process.exit(1);
});

// A terminal's Ctrl-C reaches both `tsx watch` (which forwards it) and us, so one keypress
// can arrive twice: only a repeat after 2 s means "stop now".
let firstSignalAt: number | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (firstSignalAt !== undefined) {
      if (Date.now() - firstSignalAt < 2_000) return;
      logger.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    firstSignalAt = Date.now();
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
