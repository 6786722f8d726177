import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertUser } from '../testing/factories.js';
import { insertGoalRow, insertTaskRows } from '../testing/task-factories.js';
import { type TestDatabase, useTestDatabase } from '../testing/test-database.js';
import { getLatestChangeEventId, readChangePage } from './change-events.queries.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await useTestDatabase();
});
afterAll(() => database.close());

const eventsOf = async (userId: string, afterId = '0') =>
  (await readChangePage(database.db, { userId, afterId, limit: 1_000 })).events;

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

async function insertPlanVersion(userId: string, goalId: string, version = 1) {
  return database.db
    .insertInto('plan_versions')
    .values({
      goal_id: goalId,
      user_id: userId,
      version,
      source: 'generated',
      title: `Plan ${version}`,
      summary: 'A summary',
      plan: JSON.stringify({ title: `Plan ${version}`, weeks: [{ week: 1, days: [] }] }),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

describe('change_events (record_change trigger)', () => {
  it('writes a person’s events at commit, numbered in commit order, not statement order', async () => {
    const user = await insertUser(database.db);
    const [first, second] = await insertTaskRows(database.db, user.id, [{}, {}]);
    const start = await getLatestChangeEventId(database.db, user.id);

    const firstWrote = deferred();
    const secondCommitted = deferred();
    // The first transaction changes its task first but commits last.
    const slow = database.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('tasks')
        .set({ title: 'changed first' })
        .where('id', '=', first!.id)
        .execute();
      firstWrote.resolve();
      await secondCommitted.promise;
      // The other transaction committed: its event is visible, this one's is not yet.
      expect(await eventsOf(user.id, start)).toHaveLength(1);
    });
    await firstWrote.promise;
    expect(await eventsOf(user.id, start)).toEqual([]);
    await database.db
      .updateTable('tasks')
      .set({ completed_at: new Date() })
      .where('id', '=', second!.id)
      .execute();
    secondCommitted.resolve();
    await slow;

    const events = await eventsOf(user.id, start);
    expect(events.map((e) => [e.entityId, e.type])).toEqual([
      [second!.id, 'task.completed'],
      [first!.id, 'task.updated'],
    ]);
    expect(BigInt(events[0]!.id)).toBeLessThan(BigInt(events[1]!.id));
  });

  it('records a goal delete with a tombstone for each cascaded task and plan version', async () => {
    const user = await insertUser(database.db);
    const goal = await insertGoalRow(database.db, user.id);
    const version = await insertPlanVersion(user.id, goal.id);
    const tasks = await insertTaskRows(database.db, user.id, [
      { goal_id: goal.id, plan_version_id: version.id },
      { goal_id: goal.id, plan_version_id: version.id },
    ]);
    const [standalone] = await insertTaskRows(database.db, user.id, [{}]);
    const before = await getLatestChangeEventId(database.db, user.id);

    await database.db.deleteFrom('goals').where('id', '=', goal.id).execute();

    const page = await readChangePage(database.db, {
      userId: user.id,
      afterId: before,
      limit: 100,
    });
    expect(page.events.map((e) => `${e.type} ${e.entityId}`).sort()).toEqual(
      [
        `goal.deleted ${goal.id}`,
        `plan_version.deleted ${version.id}`,
        ...tasks.map((t) => `task.deleted ${t.id}`),
      ].sort(),
    );
    expect(page.events.every((e) => e.action === 'deleted')).toBe(true);
    expect(page.rows.goals.size + page.rows.tasks.size + page.rows.planVersions.size).toBe(0);
    // The standalone task is untouched and not reported.
    expect(page.events.some((e) => e.entityId === standalone!.id)).toBe(false);
  });

  it('keeps each person’s events to themselves', async () => {
    const alice = await insertUser(database.db);
    const bob = await insertUser(database.db);
    await insertTaskRows(database.db, alice.id, [{ title: 'alice 1' }, { title: 'alice 2' }]);
    await insertGoalRow(database.db, bob.id);

    const aliceEvents = await eventsOf(alice.id);
    const bobEvents = await eventsOf(bob.id);
    expect(aliceEvents.map((e) => e.type)).toEqual(['task.created', 'task.created']);
    expect(bobEvents.map((e) => e.type)).toEqual(['goal.created']);
    const page = await readChangePage(database.db, { userId: bob.id, afterId: '0', limit: 10 });
    expect(page.rows.tasks.size).toBe(0);
  });
});

describe('readChangePage', () => {
  it('pages by event id and loads the current rows, plan versions without their snapshot', async () => {
    const user = await insertUser(database.db);
    const goal = await insertGoalRow(database.db, user.id, { title: 'Run a 10k' });
    const version = await insertPlanVersion(user.id, goal.id);
    const [task] = await insertTaskRows(database.db, user.id, [
      { goal_id: goal.id, title: 'Easy run', due_date: '2026-03-02', tags: ['run'] },
    ]);
    await database.db
      .updateTable('tasks')
      .set({ title: 'Easy 5k run' })
      .where('id', '=', task!.id)
      .execute();

    const all = await readChangePage(database.db, { userId: user.id, afterId: '0', limit: 10 });
    expect(all.events.map((e) => e.type)).toEqual([
      'goal.created',
      'plan_version.created',
      'task.created',
      'task.updated',
    ]);
    const ids = all.events.map((e) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
    // The row as it is now, whichever event named it.
    expect(all.rows.tasks.get(task!.id)).toMatchObject({
      id: task!.id,
      goalId: goal.id,
      title: 'Easy 5k run',
      dueDate: '2026-03-02',
      tags: ['run'],
      completedAt: null,
    });
    expect(all.rows.tasks.get(task!.id)?.createdAt).toBeInstanceOf(Date);
    expect(all.rows.goals.get(goal.id)).toMatchObject({ id: goal.id, title: 'Run a 10k' });
    expect(all.rows.planVersions.get(version.id)).toEqual({
      id: version.id,
      goalId: goal.id,
      version: 1,
      isCurrent: version.is_current,
      source: 'generated',
      title: 'Plan 1',
      summary: 'A summary',
      createdAt: version.created_at,
    });

    const firstTwo = await readChangePage(database.db, { userId: user.id, afterId: '0', limit: 2 });
    expect(firstTwo.events.map((e) => e.id)).toEqual(all.events.slice(0, 2).map((e) => e.id));
    expect(firstTwo.rows.tasks.size).toBe(0);
    const rest = await readChangePage(database.db, {
      userId: user.id,
      afterId: firstTwo.events[1]!.id,
      limit: 10,
    });
    expect(rest.events.map((e) => e.id)).toEqual(all.events.slice(2).map((e) => e.id));
    expect(await getLatestChangeEventId(database.db, user.id)).toBe(all.events.at(-1)!.id);
    expect(await getLatestChangeEventId(database.db, (await insertUser(database.db)).id)).toBe('0');
  });
});
