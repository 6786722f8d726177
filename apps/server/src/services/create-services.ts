import type { DbHandle } from '@stepwise/db';
import type { Env } from '../env.js';
import type { Logger } from '../logger.js';
import type { AppServices } from './app-services.js';
import { createAuth } from './auth/create-auth.js';
import { createSignInLimiter } from './auth/sign-in-limiter.js';

/** Wires the long-lived services on top of an open database. Starts nothing by itself. */
export function createServices(input: { env: Env; database: DbHandle; logger: Logger }): AppServices {
  const { env, database, logger } = input;
  const baseURL = env.AUTH_BASE_URL ?? `http://localhost:${env.PORT}`;
  return {
    env,
    db: database.db,
    pool: database.pool,
    logger,
    shutdown: new AbortController(),
    auth: createAuth({
      db: database.db,
      secret: env.AUTH_SECRET,
      baseURL,
      trustedOrigins: env.CORS_ORIGINS.filter((origin) => origin !== '*'),
      logger: logger.child({ component: 'auth' }),
    }),
    signInLimiter: createSignInLimiter({
      pool: database.pool,
      maxPerAccount: env.SIGNIN_MAX_PER_ACCOUNT,
      maxPerIp: env.SIGNIN_MAX_PER_IP,
      windowSeconds: env.SIGNIN_WINDOW_SECONDS,
    }),
  };
}
