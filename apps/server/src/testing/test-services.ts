import {
  insertSession,
  insertUser,
  type TestDatabase,
  useTestDatabase,
} from '@stepwise/db/testing';
import { type Env, loadEnv } from '../env.js';
import { createLogger } from '../logger.js';
import type { AppServices } from '../services/app-services.js';
import { createServices } from '../services/create-services.js';
import { createContextInner, type SessionUser } from '../trpc/context.js';
import { createCaller } from '../trpc/root.js';

/** Settings for tests: quiet logs, no in-process worker unless a test starts one. */
export function testEnv(overrides: Record<string, string> = {}): Env {
  return loadEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: '0',
    AUTH_SECRET: 'test-secret-test-secret-test-secret-1234',
    RUN_WORKER: 'false',
    ...overrides,
  });
}

export interface TestServices extends AppServices {
  database: TestDatabase;
  close(): Promise<void>;
}

/** The real services on this worker's test database. */
export async function createTestServices(
  envOverrides: Record<string, string> = {},
): Promise<TestServices> {
  const env = testEnv(envOverrides);
  const database = await useTestDatabase({ max: 10 });
  const services = await createServices({ env, database, logger: createLogger(env) });
  return {
    ...services,
    database,
    close: async () => {
      services.shutdown.abort();
      await services.hub.close();
      await database.close();
    },
  };
}

/** A new user with a session, and a tRPC caller acting as them. */
export async function signedInCaller(services: AppServices, overrides: { email?: string } = {}) {
  const row = await insertUser(services.db, overrides);
  const session = await insertSession(services.db, row.id);
  const user: SessionUser = { id: row.id, email: row.email, name: row.name };
  const caller = createCaller(createContextInner({ services, user, sessionToken: session.token }));
  return { user, token: session.token, caller };
}

export function anonymousCaller(services: AppServices) {
  return createCaller(createContextInner({ services }));
}
