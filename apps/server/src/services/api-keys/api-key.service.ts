import { createHash, randomBytes } from 'node:crypto';
import {
  type ApiKeyDto,
  type Database,
  findApiKeyByHash,
  insertApiKey,
  type Kysely,
} from '@stepwise/db';
import type { SessionUser } from '../../trpc/context.js';
import type { ApiKeyScope } from './api-key-scopes.js';

/** Every personal API key starts with this; session and visitor tokens never do. */
const API_KEY_PREFIX = 'sk_';
/** 32 random bytes: 256 bits, so a plain SHA-256 of the key is a safe thing to store. */
const KEY_BYTES = 32;
/** How much of the key is kept readable to tell keys apart: `sk_` and 8 characters. */
const DISPLAY_LENGTH = API_KEY_PREFIX.length + 8;
const DAY_MS = 24 * 3600_000;

/** The key an API call carries in `ctx.apiKey`: which key, and what it may do. */
export interface ApiKeyCaller {
  id: string;
  scopes: string[];
}

export const isApiKeyToken = (token: string) => token.startsWith(API_KEY_PREFIX);

/** SHA-256 (hex) of a key: what `api_keys.key_hash` holds. */
export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * A new key for `userId`: `key` is returned this once and only its hash is stored.
 *
 * @example
 * const { key, apiKey } = await createApiKey(db, { userId, name: 'CLI', scopes: ['tasks:read'] });
 * fetch(url, { headers: { authorization: `Bearer ${key}` } });
 */
export async function createApiKey(
  db: Kysely<Database>,
  input: {
    userId: string;
    name: string;
    scopes: ApiKeyScope[];
    expiresInDays?: number | undefined;
  },
): Promise<{ key: string; apiKey: ApiKeyDto }> {
  const key = `${API_KEY_PREFIX}${randomBytes(KEY_BYTES).toString('base64url')}`;
  const apiKey = await insertApiKey(db, {
    userId: input.userId,
    name: input.name,
    prefix: key.slice(0, DISPLAY_LENGTH),
    keyHash: hashApiKey(key),
    scopes: [...new Set(input.scopes)],
    expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * DAY_MS) : null,
  });
  return { key, apiKey };
}

/**
 * The user and key behind an `sk_…` bearer token, or null when the key is unknown, revoked or
 * expired. One indexed query, every time: a revocation takes effect at once on every instance.
 */
export async function authenticateApiKey(
  db: Kysely<Database>,
  token: string,
): Promise<{ user: SessionUser; apiKey: ApiKeyCaller } | null> {
  if (!isApiKeyToken(token)) return null;
  return (await findApiKeyByHash(db, hashApiKey(token))) ?? null;
}
