import type { Database, Kysely } from '@stepwise/db';
import { betterAuth } from 'better-auth';
import { bearer } from 'better-auth/plugins';
import type { Logger } from '../../logger.js';

export interface CreateAuthOptions {
  db: Kysely<Database>;
  secret: string;
  baseURL: string;
  trustedOrigins: string[];
  logger: Logger;
}

const timestamps = { createdAt: 'created_at', updatedAt: 'updated_at' } as const;

/**
 * better-auth with email + password and bearer tokens, on our Kysely instance and the
 * snake_case tables of our own migrations (so it never creates or alters tables itself).
 * Its HTTP routes are not mounted: the tRPC `auth.*` procedures call `auth.api` directly.
 */
export function createAuth(options: CreateAuthOptions) {
  return betterAuth({
    secret: options.secret,
    baseURL: options.baseURL,
    trustedOrigins: options.trustedOrigins,
    database: { db: options.db, type: 'postgres' },
    emailAndPassword: { enabled: true, minPasswordLength: 8, maxPasswordLength: 128 },
    // We throttle sign-in ourselves, per account and per IP, across instances.
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    logger: {
      log: (level, message) => options.logger[level]({ component: 'auth' }, message),
    },
    plugins: [bearer()],
    user: {
      modelName: 'users',
      fields: { emailVerified: 'email_verified', ...timestamps },
    },
    session: {
      modelName: 'sessions',
      fields: {
        userId: 'user_id',
        expiresAt: 'expires_at',
        ipAddress: 'ip_address',
        userAgent: 'user_agent',
        ...timestamps,
      },
    },
    account: {
      modelName: 'accounts',
      fields: {
        userId: 'user_id',
        accountId: 'account_id',
        providerId: 'provider_id',
        accessToken: 'access_token',
        refreshToken: 'refresh_token',
        idToken: 'id_token',
        accessTokenExpiresAt: 'access_token_expires_at',
        refreshTokenExpiresAt: 'refresh_token_expires_at',
        ...timestamps,
      },
    },
    verification: {
      modelName: 'verifications',
      fields: { expiresAt: 'expires_at', ...timestamps },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;
