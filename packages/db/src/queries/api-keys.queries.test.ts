import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertUser } from '../testing/factories.js';
import { type TestDatabase, useTestDatabase } from '../testing/test-database.js';
import { findApiKeyByHash, insertApiKey, listApiKeys, revokeApiKey } from './api-keys.queries.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await useTestDatabase();
});
afterAll(() => database.close());

/** A random key's hash and a key row of `userId` stored under it. */
async function storeKey(userId: string, overrides: { expiresAt?: Date | null } = {}) {
  const keyHash = createHash('sha256').update(randomBytes(32)).digest('hex');
  const apiKey = await insertApiKey(database.db, {
    userId,
    name: 'laptop script',
    prefix: 'sk_test1234',
    keyHash,
    scopes: ['tasks:read'],
    expiresAt: overrides.expiresAt ?? null,
  });
  return { keyHash, apiKey };
}

const lastUsedAt = async (id: string) =>
  (
    await database.db
      .selectFrom('api_keys')
      .select('last_used_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).last_used_at;

describe('api keys', () => {
  it('finds a live key with its user by hash, and never an unknown, revoked or expired one', async () => {
    const user = await insertUser(database.db);
    const { keyHash, apiKey } = await storeKey(user.id);
    expect(await findApiKeyByHash(database.db, keyHash)).toEqual({
      apiKey: { id: apiKey.id, scopes: ['tasks:read'] },
      user: { id: user.id, email: user.email, name: user.name },
    });
    expect(await findApiKeyByHash(database.db, 'f'.repeat(64))).toBeUndefined();

    const expired = await storeKey(user.id, { expiresAt: new Date(Date.now() - 1_000) });
    expect(await findApiKeyByHash(database.db, expired.keyHash)).toBeUndefined();
    const later = await storeKey(user.id, { expiresAt: new Date(Date.now() + 60_000) });
    expect(await findApiKeyByHash(database.db, later.keyHash)).toBeDefined();

    await revokeApiKey(database.db, { userId: user.id, apiKeyId: apiKey.id });
    expect(await findApiKeyByHash(database.db, keyHash)).toBeUndefined();
  });

  it('records use at most once a minute', async () => {
    const user = await insertUser(database.db);
    const { keyHash, apiKey } = await storeKey(user.id);
    expect(apiKey.lastUsedAt).toBeNull();

    await findApiKeyByHash(database.db, keyHash);
    const first = await lastUsedAt(apiKey.id);
    expect(first).toBeInstanceOf(Date);
    await findApiKeyByHash(database.db, keyHash);
    expect(await lastUsedAt(apiKey.id)).toEqual(first);

    await database.db
      .updateTable('api_keys')
      .set({ last_used_at: sql<Date>`now() - interval '2 minutes'` })
      .where('id', '=', apiKey.id)
      .execute();
    await findApiKeyByHash(database.db, keyHash);
    expect((await lastUsedAt(apiKey.id))!.getTime()).toBeGreaterThan(Date.now() - 10_000);
  });

  it("lists the owner's keys newest first; revoking is the owner's only and keeps the first time", async () => {
    const owner = await insertUser(database.db);
    const stranger = await insertUser(database.db);
    const older = await storeKey(owner.id);
    const newer = await storeKey(owner.id);
    await storeKey(stranger.id);

    const listed = await listApiKeys(database.db, { userId: owner.id });
    expect(listed.map((k) => k.id)).toEqual([newer.apiKey.id, older.apiKey.id]);
    expect(Object.keys(listed[0]!)).not.toContain('keyHash');

    expect(
      await revokeApiKey(database.db, { userId: stranger.id, apiKeyId: older.apiKey.id }),
    ).toBeUndefined();
    const revoked = await revokeApiKey(database.db, {
      userId: owner.id,
      apiKeyId: older.apiKey.id,
    });
    expect(revoked?.revokedAt).toBeInstanceOf(Date);
    const again = await revokeApiKey(database.db, { userId: owner.id, apiKeyId: older.apiKey.id });
    expect(again?.revokedAt).toEqual(revoked?.revokedAt);
  });
});
