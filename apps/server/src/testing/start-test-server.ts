import { useTestDatabase } from '@stepwise/db/testing';
import { createLogger } from '../logger.js';
import { type RunningServer, startServer } from '../server.js';
import { testEnv } from './test-services.js';

/**
 * A real server on 127.0.0.1, port 0, over this worker's test database (a fresh pool per
 * server, so two servers act like two instances). `env` overrides settings, e.g.
 * `{ RUN_WORKER: 'true', OPENAI_BASE_URL: mock.url }`.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const settings = testEnv(env);
  const database = await useTestDatabase({ max: 10 });
  return startServer({ env: settings, logger: createLogger(settings), database });
}
