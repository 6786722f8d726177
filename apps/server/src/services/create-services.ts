import { resolveAiConfig } from '@stepwise/ai';
import type { Database, Kysely } from '@stepwise/db';
import type pg from 'pg';
import type { Env } from '../env.js';
import type { Logger } from '../logger.js';
import type { AppServices } from './app-services.js';
import { createAuth } from './auth/create-auth.js';
import { SessionCache } from './auth/session-cache.js';
import { createSignInLimiter } from './auth/sign-in-limiter.js';
import { createEventHub } from './events/event-hub.js';
import { createGenerationFanout } from './events/generation-fanout.js';
import { createPublicLimiter } from './public/public-limits.js';
import { createChangeFeed } from './sync/change-feed.js';

/**
 * Wires the long-lived services on top of an open database: auth, sign-in limits, the AI
 * configuration, the LISTEN hub with the generation fan-out and the change feed on it. Starts no
 * worker. The job queue's schema comes with the migrations (`migrateToLatest`).
 */
export async function createServices(input: {
  env: Env;
  database: { db: Kysely<Database>; pool: pg.Pool; url: string };
  logger: Logger;
}): Promise<AppServices> {
  const { env, database, logger } = input;
  const baseURL = env.AUTH_BASE_URL ?? `http://localhost:${env.PORT}`;
  const hub = await createEventHub({ url: database.url, db: database.db, logger });
  const shutdown = new AbortController();
  return {
    env,
    db: database.db,
    pool: database.pool,
    logger,
    shutdown,
    hub,
    fanout: createGenerationFanout({
      db: database.db,
      hub,
      shutdown: shutdown.signal,
      onReadError: (error, generationId) =>
        logger.warn({ err: error, generationId }, 'could not read stream events'),
    }),
    changeFeed: createChangeFeed({
      db: database.db,
      hub,
      shutdown: shutdown.signal,
      onReadError: (error, userId) =>
        logger.warn({ err: error, userId }, 'could not read change events'),
    }),
    ai: resolveAiConfig({
      apiKey: env.OPENAI_API_KEY,
      baseUrl: env.OPENAI_BASE_URL,
      provider: env.AI_PROVIDER,
      planModel: env.AI_PLAN_MODEL,
      chatModel: env.AI_CHAT_MODEL,
      requestTimeoutMs: env.AI_REQUEST_TIMEOUT_MS,
      idleTimeoutMs: env.AI_IDLE_TIMEOUT_MS,
      deadlineMs: env.AI_DEADLINE_MS,
    }),
    auth: createAuth({
      db: database.db,
      secret: env.AUTH_SECRET,
      baseURL,
      trustedOrigins: env.CORS_ORIGINS.filter((origin) => origin !== '*'),
      logger: logger.child({ component: 'auth' }),
    }),
    sessionCache: new SessionCache(env.SESSION_CACHE_MS),
    publicLimiter: createPublicLimiter({
      pool: database.pool,
      maxPerIpPerMinute: env.PUBLIC_MAX_PER_IP_PER_MINUTE,
      maxPerConversationPerMinute: env.PUBLIC_MAX_PER_CONVERSATION_PER_MINUTE,
    }),
    signInLimiter: createSignInLimiter({
      pool: database.pool,
      maxPerAccount: env.SIGNIN_MAX_PER_ACCOUNT,
      maxPerIp: env.SIGNIN_MAX_PER_IP,
      windowSeconds: env.SIGNIN_WINDOW_SECONDS,
    }),
  };
}
