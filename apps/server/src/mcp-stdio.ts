import '@stepwise/db/env-file';
import path from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { openDatabase } from '@stepwise/db';
import { TRPCError } from '@trpc/server';
import { pino } from 'pino';
import { type Env, loadEnv } from './env.js';
import { type RunningWorker, startWorker } from './jobs/start-worker.js';
import { createLogger } from './logger.js';
import { authenticateApiKey } from './services/api-keys/api-key.service.js';
import { createServices } from './services/create-services.js';
import { createMcpServer } from './services/mcp/create-mcp-server.js';
import { createContextInner } from './trpc/context.js';

// `pnpm -s --filter @stepwise/server mcp`: the MCP tools over stdio, for MCP clients that start
// their servers as processes. STEPWISE_API_KEY (sk_…) says whose tasks and plans, and how far;
// the database is DATABASE_URL's, or the embedded one as for `pnpm dev`. Stdout carries the
// protocol only: logs go to stderr.
for (const method of ['log', 'info', 'debug'] as const) console[method] = console.error;

let env: Env;
try {
  env = loadEnv();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
const logger = createLogger(env, pino.destination(2)).child({ process: 'mcp-stdio' });
const apiKey = env.STEPWISE_API_KEY;
if (!apiKey) {
  process.stderr.write('set STEPWISE_API_KEY to a personal API key (sk_…, from apiKey.create)\n');
  process.exit(2);
}

const database = await openDatabase({
  url: env.DATABASE_URL,
  port: env.EMBEDDED_PG_PORT,
  dataDir: env.DATA_DIR ? path.join(env.DATA_DIR, 'pg') : undefined,
  migrate: env.AUTO_MIGRATE,
  max: Math.min(env.DATABASE_POOL_SIZE, 4),
  onPoolError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
  onWarning: (message) => logger.warn({ component: 'postgres' }, message),
});
if (!(await authenticateApiKey(database.db, apiKey))) {
  process.stderr.write('STEPWISE_API_KEY is not a valid API key (unknown, revoked or expired)\n');
  await database.close();
  process.exit(2);
}
const services = await createServices({ env, database, logger });

let worker: RunningWorker | undefined;
let stopping: Promise<void> | undefined;
const stop = () => {
  stopping ??= (async () => {
    services.shutdown.abort();
    await worker?.stop();
    await services.hub.close();
    await database.close();
    process.exit(0);
  })();
  return stopping;
};
// Plan generations are jobs: run them here too unless RUN_WORKER=false (e.g. a server's
// worker already serves this database).
if (env.RUN_WORKER) {
  worker = await startWorker(services, {
    concurrency: env.WORKER_CONCURRENCY,
    sweepIntervalMs: env.WORKER_SWEEP_INTERVAL_MS,
  });
}

// The key is looked up again for each call, so revoking it stops this process's access too.
const server = createMcpServer(async () => {
  const caller = await authenticateApiKey(services.db, apiKey);
  if (!caller) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'the API key was revoked or expired' });
  }
  return createContextInner({ services, ...caller, log: logger, requestId: 'mcp-stdio' });
});
const transport = new StdioServerTransport();
await server.connect(transport);
logger.info({ worker: Boolean(worker) }, 'MCP server on stdio');

// The client closes our stdin (or signals us) when it is done.
process.stdin.once('end', () => void stop());
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop());
