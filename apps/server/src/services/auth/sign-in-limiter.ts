import { DomainError } from '@stepwise/core';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';

export interface SignInLimiterOptions {
  pool: pg.Pool;
  maxPerAccount: number;
  maxPerIp: number;
  windowSeconds: number;
}

export interface SignInLimiter {
  /** Counts one attempt; throws RATE_LIMITED (with `retryAfterMs`) past either limit. */
  consume(email: string, ip: string): Promise<void>;
  /** A successful sign-in clears the account's counter (not the IP's). */
  reset(email: string): Promise<void>;
}

/**
 * Sign-in throttling per account and per IP, stored in Postgres (table `rate_limits`) so
 * every server instance shares the counters.
 */
export function createSignInLimiter(options: SignInLimiterOptions): SignInLimiter {
  const common = {
    storeClient: options.pool,
    storeType: 'pool',
    tableName: 'rate_limits',
    tableCreated: true,
    duration: options.windowSeconds,
  };
  const perAccount = new RateLimiterPostgres({
    ...common,
    keyPrefix: 'signin:account',
    points: options.maxPerAccount,
  });
  const perIp = new RateLimiterPostgres({
    ...common,
    keyPrefix: 'signin:ip',
    points: options.maxPerIp,
  });

  return {
    async consume(email, ip) {
      try {
        await Promise.all([perAccount.consume(email.toLowerCase()), perIp.consume(ip)]);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        throw new DomainError('RATE_LIMITED', 'too many sign-in attempts; try again later', {
          details: { retryAfterMs: error.msBeforeNext },
        });
      }
    },
    async reset(email) {
      await perAccount.delete(email.toLowerCase());
    },
  };
}
