import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, Insertable, UsersTable } from '../index.js';

const suffix = () => randomBytes(5).toString('hex');

/** A user row with random, valid defaults. Signs nobody in: see `insertSession`. */
export async function insertUser(
  db: Kysely<Database>,
  overrides: Partial<Insertable<UsersTable>> = {},
) {
  const id = overrides.id ?? randomUUID().replaceAll('-', '');
  return db
    .insertInto('users')
    .values({ id, name: `Test ${suffix()}`, email: `user-${suffix()}@example.test`, ...overrides })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A session row, whose token works as a bearer token for `userId`. */
export async function insertSession(db: Kysely<Database>, userId: string, ttlMs = 3_600_000) {
  return db
    .insertInto('sessions')
    .values({
      id: randomUUID().replaceAll('-', ''),
      user_id: userId,
      token: randomBytes(24).toString('base64url'),
      expires_at: new Date(Date.now() + ttlMs),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
