import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertUser } from '../testing/factories.js';
import { insertTaskRows } from '../testing/task-factories.js';
import { type TestDatabase, useTestDatabase } from '../testing/test-database.js';
import { formatDueTime } from './dto.js';
import { findDueReminder, insertNotification } from './notifications.queries.js';

class Rollback extends Error {}

let database: TestDatabase;
beforeAll(async () => {
  database = await useTestDatabase();
});
afterAll(() => database.close());

describe('findDueReminder', () => {
  it("matches a reminder by the task's due and reminder instants in the person's zone", async () => {
    const { db } = database;
    const user = await insertUser(db, { timezone: 'Asia/Kathmandu' });
    const [task] = await insertTaskRows(db, user.id, [
      { title: 'Pay rent', due_date: '2030-07-15', due_time: '09:15:00', reminder_minutes: 45 },
    ]);
    // 09:15 at UTC+05:45 is 03:30 UTC; 45 minutes before is 02:45.
    const current = {
      taskId: task!.id,
      dueAt: '2030-07-15T03:30:00Z',
      remindAt: '2030-07-15T02:45:00Z',
    };
    expect(await findDueReminder(db, current)).toEqual({
      taskId: task!.id,
      title: 'Pay rent',
      dueDate: '2030-07-15',
      dueTime: '09:15:00',
      userId: user.id,
      email: user.email,
      name: user.name,
      timezone: 'Asia/Kathmandu',
    });
    expect(
      await findDueReminder(db, { ...current, dueAt: '2030-07-15T09:15:00Z' }),
    ).toBeUndefined();
    expect(
      await findDueReminder(db, { ...current, remindAt: '2030-07-15T03:00:00Z' }),
    ).toBeUndefined();

    // The person moves: the same job is stale.
    await db.updateTable('users').set({ timezone: 'UTC' }).where('id', '=', user.id).execute();
    expect(await findDueReminder(db, current)).toBeUndefined();
    await db
      .updateTable('users')
      .set({ timezone: 'Asia/Kathmandu' })
      .where('id', '=', user.id)
      .execute();
    await db
      .updateTable('tasks')
      .set({ completed_at: new Date() })
      .where('id', '=', task!.id)
      .execute();
    expect(await findDueReminder(db, current)).toBeUndefined();
  });

  it("schedules nothing, and fails nothing, in a database without graphile-worker's schema", async () => {
    const { db } = database;
    const user = await insertUser(db);
    // The schema hidden inside a transaction that is rolled back (DDL is transactional).
    await db
      .transaction()
      .execute(async (trx) => {
        await sql`ALTER SCHEMA graphile_worker RENAME TO graphile_worker_hidden`.execute(trx);
        const [task] = await insertTaskRows(trx, user.id, [
          { due_date: '2030-01-01', due_time: '08:00' },
        ]);
        await trx
          .updateTable('tasks')
          .set({ due_time: '09:00' })
          .where('id', '=', task!.id)
          .execute();
        await trx
          .updateTable('users')
          .set({ timezone: 'Europe/Oslo' })
          .where('id', '=', user.id)
          .execute();
        await trx.deleteFrom('tasks').where('id', '=', task!.id).execute();
        throw new Rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      });
    const { rows } = await sql<{ present: boolean }>`
      SELECT to_regnamespace('graphile_worker') IS NOT NULL AS present`.execute(db);
    expect(rows).toEqual([{ present: true }]);
  });

  it('refuses a time zone Postgres does not know, and a due time without a date', async () => {
    const { db } = database;
    const user = await insertUser(db);
    await expect(
      db.updateTable('users').set({ timezone: 'Mars/Olympus' }).where('id', '=', user.id).execute(),
    ).rejects.toMatchObject({ code: '22023' });
    await expect(insertTaskRows(db, user.id, [{ due_time: '08:00' }])).rejects.toMatchObject({
      code: '23514',
      constraint: 'tasks_due_time_needs_date',
    });
  });
});

describe('insertNotification', () => {
  it('stores one notification per dedupe key', async () => {
    const { db } = database;
    const user = await insertUser(db);
    const input = {
      userId: user.id,
      kind: 'reminder',
      title: 'Reminder: Pay rent',
      body: 'due at 09:15',
      dedupeKey: `reminder:test:${user.id}`,
    };
    const first = await insertNotification(db, input);
    expect(first).toMatchObject({
      title: 'Reminder: Pay rent',
      emailStatus: 'pending',
      readAt: null,
    });
    expect(await insertNotification(db, { ...input, title: 'again' })).toBeUndefined();
    // Without a key, nothing is deduplicated.
    const { dedupeKey: _, ...unkeyed } = input;
    expect(await insertNotification(db, unkeyed)).toBeDefined();
    expect(await insertNotification(db, unkeyed)).toBeDefined();
  });
});

describe('formatDueTime', () => {
  it('drops zero seconds and fractions', () => {
    expect(formatDueTime('14:30:00')).toBe('14:30');
    expect(formatDueTime('07:05:09')).toBe('07:05:09');
    expect(formatDueTime('07:05:09.5')).toBe('07:05:09');
    expect(formatDueTime('23:59:00.25')).toBe('23:59');
  });
});
