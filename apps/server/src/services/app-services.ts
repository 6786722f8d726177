import type { AiConfig } from '@stepwise/ai';
import type { Database, Kysely } from '@stepwise/db';
import type pg from 'pg';
import type { Env } from '../env.js';
import type { Logger } from '../logger.js';
import type { Auth } from './auth/create-auth.js';
import type { SessionCache } from './auth/session-cache.js';
import type { SignInLimiter } from './auth/sign-in-limiter.js';
import type { EventHub } from './events/event-hub.js';
import type { GenerationFanout } from './events/generation-fanout.js';
import type { PublicLimiter } from './public/public-limits.js';
import type { ChangeFeed } from './sync/change-feed.js';

/** Long-lived dependencies shared by every request: built once per process in `createServices`. */
export type AppServices = {
  env: Env;
  db: Kysely<Database>;
  pool: pg.Pool;
  auth: Auth;
  signInLimiter: SignInLimiter;
  publicLimiter: PublicLimiter;
  sessionCache: SessionCache;
  logger: Logger;
  /** LLM provider settings; `mode: 'offline'` without an API key or base URL. */
  ai: AiConfig;
  /** This instance's LISTEN fan-out of stream events. */
  hub: EventHub;
  /** Every follower of a generation on this instance served from one hub subscription. */
  fanout: GenerationFanout;
  /** Every device of a person on this instance follows their changes through one read each. */
  changeFeed: ChangeFeed;
  /** Aborted when the server shuts down: open subscriptions end on it. */
  shutdown: AbortController;
};
