import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from './migrate.js';
import { insertUser } from './testing/factories.js';
import { type TestDatabase, useTestDatabase } from './testing/test-database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await useTestDatabase();
});
afterAll(() => database.close());

describe('schema', () => {
  it('is fully migrated, and migrating again applies nothing', async () => {
    expect(await migrateToLatest(database)).toEqual([]);
    const tables = await database.db.introspection.getTables();
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'users',
        'sessions',
        'accounts',
        'verifications',
        'goals',
        'plan_versions',
        'tasks',
        'generations',
        'stream_events',
        'conversations',
        'messages',
        'change_events',
        'notifications',
        'webhooks',
        'api_keys',
      ]),
    );
    // graphile-worker's schema comes with ours: triggers queue jobs into it.
    const { rows } = await sql<{ present: boolean }>`
      SELECT to_regproc('graphile_worker.add_job') IS NOT NULL AS present
    `.execute(database.db);
    expect(rows[0]?.present).toBe(true);
  });

  it('allows only one current plan version per goal', async () => {
    const { db } = database;
    const user = await insertUser(db);
    const goal = await db
      .insertInto('goals')
      .values({ user_id: user.id, title: 'Run 10k', requirements: JSON.stringify({}) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const version = (n: number) => ({
      goal_id: goal.id,
      user_id: user.id,
      version: n,
      is_current: true,
      source: 'generated' as const,
      title: 'v',
      plan: JSON.stringify({ weeks: [] }),
    });
    await db.insertInto('plan_versions').values(version(1)).execute();
    await expect(db.insertInto('plan_versions').values(version(2)).execute()).rejects.toMatchObject(
      {
        code: '23505',
      },
    );
  });

  it('keeps updated_at current and cascades a user delete to everything they own', async () => {
    const { db } = database;
    const user = await insertUser(db);
    const goal = await db
      .insertInto('goals')
      .values({ user_id: user.id, title: 'Learn SQL', requirements: JSON.stringify({ a: 1 }) })
      .returningAll()
      .executeTakeFirstOrThrow();
    await db
      .insertInto('tasks')
      .values({
        user_id: user.id,
        goal_id: goal.id,
        title: 'Read chapter 1',
        due_date: '2026-01-31',
      })
      .execute();
    await sql`SELECT pg_sleep(0.01)`.execute(db);
    const updated = await db
      .updateTable('goals')
      .set({ title: 'Learn Postgres' })
      .where('id', '=', goal.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    expect(updated.updated_at.getTime()).toBeGreaterThan(goal.updated_at.getTime());
    const task = await db
      .selectFrom('tasks')
      .select('due_date')
      .where('goal_id', '=', goal.id)
      .executeTakeFirstOrThrow();
    expect(task.due_date).toBe('2026-01-31');

    await db.deleteFrom('users').where('id', '=', user.id).execute();
    const left = await db
      .selectFrom('tasks')
      .select('id')
      .where('user_id', '=', user.id)
      .union(db.selectFrom('goals').select('id').where('user_id', '=', user.id))
      .execute();
    expect(left).toEqual([]);
  });

  it('rejects an unknown goal status', async () => {
    const user = await insertUser(database.db);
    await expect(
      sql`INSERT INTO goals (id, user_id, title, requirements, status)
          VALUES (${randomUUID()}, ${user.id}, 'x', '{}', 'bogus')`.execute(database.db),
    ).rejects.toMatchObject({ code: '23514' });
  });
});
