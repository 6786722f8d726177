import { DomainError } from '@stepwise/core';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';

export interface PublicLimiter {
  /** One public request (a conversation started or a message sent) from `ip`. */
  consumeIp(ip: string): Promise<void>;
  /** One message sent in `conversationId`. */
  consumeConversation(conversationId: string): Promise<void>;
}

/**
 * Per-IP and per-conversation rates of the public chat, counted in Postgres (`rate_limits`) so
 * every instance shares them. Past a limit: RATE_LIMITED (TOO_MANY_REQUESTS) with
 * `retryAfterMs`, before anything is stored.
 */
export function createPublicLimiter(options: {
  pool: pg.Pool;
  maxPerIpPerMinute: number;
  maxPerConversationPerMinute: number;
}): PublicLimiter {
  const common = {
    storeClient: options.pool,
    storeType: 'pool',
    tableName: 'rate_limits',
    tableCreated: true,
    duration: 60,
  };
  const perIp = new RateLimiterPostgres({
    ...common,
    keyPrefix: 'public:ip',
    points: options.maxPerIpPerMinute,
  });
  const perConversation = new RateLimiterPostgres({
    ...common,
    keyPrefix: 'public:conversation',
    points: options.maxPerConversationPerMinute,
  });
  const consume = async (limiter: RateLimiterPostgres, key: string, what: string) => {
    try {
      await limiter.consume(key);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      throw new DomainError('RATE_LIMITED', `too many messages ${what}; try again shortly`, {
        details: { retryAfterMs: error.msBeforeNext, limit: what },
      });
    }
  };
  return {
    consumeIp: (ip) => consume(perIp, networkOf(ip), 'from this address'),
    consumeConversation: (id) => consume(perConversation, id, 'in this conversation'),
  };
}

/**
 * The key an address is limited by: an IPv4 address itself, an IPv6 address's /64 (one
 * subscriber gets a whole /64, so single addresses are free to rotate).
 */
export function networkOf(ip: string): string {
  if (!ip.includes(':') || ip.startsWith('::ffff:')) return ip.replace(/^::ffff:/, '');
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g || '0', 16).toString(16))
    .join(':')}::/64`;
}
