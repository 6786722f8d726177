import { sql } from 'kysely';
import type { Db } from './stream-events.queries.js';

export interface SessionLookup {
  user: { id: string; email: string; name: string };
  expiresAt: Date;
}

/** The user of an unexpired session token, in one round trip; undefined otherwise. */
export async function findSessionByToken(
  db: Db,
  token: string,
): Promise<SessionLookup | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.id', 'users.email', 'users.name', 'sessions.expires_at'])
    .where('sessions.token', '=', token)
    .where('sessions.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return (
    row && { user: { id: row.id, email: row.email, name: row.name }, expiresAt: row.expires_at }
  );
}
