import { type Selectable, sql } from 'kysely';
import type { ApiKeysTable } from '../schema.js';
import type { Db } from './stream-events.queries.js';

/** A personal API key as its owner sees it: never the key, nor its hash. */
export interface ApiKeyDto {
  id: string;
  name: string;
  /** The key's first characters, to tell keys apart (`sk_AbCd1234`). */
  prefix: string;
  scopes: string[];
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

/** Who an API key acts for, and what it may do. */
export interface ApiKeyLookup {
  apiKey: { id: string; scopes: string[] };
  user: { id: string; email: string; name: string };
}

const toApiKeyDto = (row: Selectable<ApiKeysTable>): ApiKeyDto => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  scopes: row.scopes,
  lastUsedAt: row.last_used_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  createdAt: row.created_at,
});

/** Stores a new key of `userId` by the SHA-256 (hex) of the key; the key itself is not kept. */
export async function insertApiKey(
  db: Db,
  input: {
    userId: string;
    name: string;
    prefix: string;
    keyHash: string;
    scopes: string[];
    expiresAt: Date | null;
  },
): Promise<ApiKeyDto> {
  const row = await db
    .insertInto('api_keys')
    .values({
      user_id: input.userId,
      name: input.name,
      prefix: input.prefix,
      key_hash: input.keyHash,
      scopes: input.scopes,
      expires_at: input.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toApiKeyDto(row);
}

/** The caller's keys, newest first, revoked and expired ones included. */
export async function listApiKeys(db: Db, input: { userId: string }): Promise<ApiKeyDto[]> {
  const rows = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('user_id', '=', input.userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toApiKeyDto);
}

/**
 * Revokes one of the caller's keys; revoking it again keeps the first revocation time.
 * Undefined when the key is missing or someone else's.
 */
export async function revokeApiKey(
  db: Db,
  input: { userId: string; apiKeyId: string },
): Promise<ApiKeyDto | undefined> {
  const row = await db
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
    .where('id', '=', input.apiKeyId)
    .where('user_id', '=', input.userId)
    .returningAll()
    .executeTakeFirst();
  return row && toApiKeyDto(row);
}

/**
 * The key with this hash and its user, when the key is neither revoked nor expired; in the
 * same round trip, its `last_used_at` is moved to now when it is more than a minute old (so
 * a busy key writes once a minute, not once a request).
 */
export async function findApiKeyByHash(db: Db, keyHash: string): Promise<ApiKeyLookup | undefined> {
  const row = await db
    .with('key', (qb) =>
      qb
        .selectFrom('api_keys')
        .innerJoin('users', 'users.id', 'api_keys.user_id')
        .select([
          'api_keys.id',
          'api_keys.scopes',
          'api_keys.last_used_at',
          'users.id as user_id',
          'users.email',
          'users.name',
        ])
        .where('api_keys.key_hash', '=', keyHash)
        .where('api_keys.revoked_at', 'is', null)
        .where((eb) =>
          eb.or([
            eb('api_keys.expires_at', 'is', null),
            eb('api_keys.expires_at', '>', sql<Date>`now()`),
          ]),
        ),
    )
    .with('touched', (qb) =>
      qb
        .updateTable('api_keys')
        .from('key')
        .set({ last_used_at: sql<Date>`now()` })
        .whereRef('api_keys.id', '=', 'key.id')
        .where((eb) =>
          eb.or([
            eb('key.last_used_at', 'is', null),
            eb('key.last_used_at', '<', sql<Date>`now() - interval '1 minute'`),
          ]),
        )
        .returning('api_keys.id'),
    )
    .selectFrom('key')
    .select(['id', 'scopes', 'user_id', 'email', 'name'])
    .executeTakeFirst();
  return (
    row && {
      apiKey: { id: row.id, scopes: row.scopes },
      user: { id: row.user_id, email: row.email, name: row.name },
    }
  );
}
