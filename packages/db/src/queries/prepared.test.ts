import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertUser } from '../testing/factories.js';
import { insertGoalRow, insertTaskRows } from '../testing/task-factories.js';
import { type TestDatabase, useTestDatabase } from '../testing/test-database.js';
import { prepared } from './prepared.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await useTestDatabase();
});
afterAll(() => database.close());

describe('prepared queries', () => {
  it('compiles once and binds each call’s own arguments, in a transaction too', async () => {
    const { db } = database;
    const userA = await insertUser(db);
    const userB = await insertUser(db);
    let builds = 0;
    const titleOf = prepared((db, id: string, userId: string) => {
      builds++;
      return db
        .selectFrom('goals')
        .select('title')
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .where('status', '!=', 'archived');
    });
    const a = await insertGoalRow(db, userA.id, { title: 'A' });
    const b = await insertGoalRow(db, userB.id, { title: 'B' });
    expect(await titleOf.execute(db, a.id, userA.id)).toEqual([{ title: 'A' }]);
    expect(await titleOf.execute(db, b.id, userB.id)).toEqual([{ title: 'B' }]);
    expect(await titleOf.execute(db, b.id, userA.id)).toEqual([]);
    await db.transaction().execute(async (trx) => {
      expect(await titleOf.execute(trx, a.id, userA.id)).toEqual([{ title: 'A' }]);
    });
    expect(builds).toBe(1);
  });

  it('refuses a build that uses an argument to shape the query', async () => {
    const { db } = database;
    const user = await insertUser(db);
    const goal = await insertGoalRow(db, user.id, { title: 'G' });
    await insertTaskRows(db, user.id, [{ goal_id: goal.id, title: 't' }]);
    const shaped = prepared((db, column: string) =>
      db.selectFrom('tasks').select(column === 'title' ? 'title' : 'notes'),
    );
    await expect(shaped.execute(db, 'title')).rejects.toThrow(/argument 0 is not a parameter/);
  });
});
