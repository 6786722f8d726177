import { insertGoalRow, insertTaskRows } from '@stepwise/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, signedInCaller, type TestServices } from '../testing/test-services.js';

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

describe('goal.list', () => {
  it('pages newest first with task counts, filters by status, ignores other users', async () => {
    const { caller, user } = await signedInCaller(services);
    const other = await signedInCaller(services);
    await insertGoalRow(services.db, other.user.id);
    const goals: Awaited<ReturnType<typeof insertGoalRow>>[] = [];
    for (let i = 0; i < 7; i++) {
      goals.push(
        await insertGoalRow(services.db, user.id, {
          title: `Goal ${i}`,
          status: i % 3 === 0 ? 'archived' : 'active',
          // Two share a timestamp: the id breaks the tie.
          created_at: new Date(Date.UTC(2025, 0, 1, 0, i === 6 ? 5 : i)),
        }),
      );
    }
    await insertTaskRows(services.db, user.id, [
      { goal_id: goals[0]!.id, completed_at: new Date() },
      { goal_id: goals[0]!.id },
    ]);
    const seen = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof caller.goal.list>> = await caller.goal.list({
        limit: 3,
        cursor,
      });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const expected = [...goals].sort(
      (a, b) => b.created_at.getTime() - a.created_at.getTime() || (b.id < a.id ? -1 : 1),
    );
    expect(seen.map((g) => g.id)).toEqual(expected.map((g) => g.id));
    expect(seen.find((g) => g.id === goals[0]!.id)).toMatchObject({
      taskCount: 2,
      completedCount: 1,
    });

    const archived = await caller.goal.list({ status: 'archived' });
    expect(archived.items.map((g) => g.title).sort()).toEqual(['Goal 0', 'Goal 3', 'Goal 6']);
    expect(archived.nextCursor).toBeNull();
  });

  it('never repeats or skips a goal while goals are created between pages', async () => {
    const { caller, user } = await signedInCaller(services);
    const original: { id: string }[] = [];
    for (let i = 0; i < 6; i++) original.push(await insertGoalRow(services.db, user.id));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const [page]: [{ items: { id: string }[]; nextCursor: string | null }, unknown] =
        await Promise.all([
          caller.goal.list({ limit: 2, cursor }),
          insertGoalRow(services.db, user.id),
        ]);
      seen.push(...page.items.map((g) => g.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const goal of original) expect(seen).toContain(goal.id);
  });

  it('rejects a bad cursor and an out-of-range limit', async () => {
    const { caller } = await signedInCaller(services);
    await expect(caller.goal.list({ cursor: 'nope' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(caller.goal.list({ limit: 101 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(caller.goal.list({ limit: 0 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('goal.update and goal.delete', () => {
  it('renames and sets the status; refuses a generating goal', async () => {
    const { caller, user } = await signedInCaller(services);
    const goal = await insertGoalRow(services.db, user.id);
    expect(await caller.goal.update({ goalId: goal.id, title: ' Marathon ' })).toMatchObject({
      title: 'Marathon',
      status: 'active',
    });
    expect(await caller.goal.update({ goalId: goal.id, status: 'completed' })).toMatchObject({
      title: 'Marathon',
      status: 'completed',
    });
    await expect(caller.goal.update({ goalId: goal.id })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    const generating = await insertGoalRow(services.db, user.id, { status: 'generating' });
    await expect(
      caller.goal.update({ goalId: generating.id, status: 'active' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('deletes a goal with its tasks and plan versions', async () => {
    const { caller, user } = await signedInCaller(services);
    const goal = await insertGoalRow(services.db, user.id);
    await services.db
      .insertInto('plan_versions')
      .values({
        goal_id: goal.id,
        user_id: user.id,
        version: 1,
        is_current: true,
        source: 'generated',
        title: 'Plan',
        plan: JSON.stringify({ title: 'Plan', summary: '', weeks: [] }),
      })
      .execute();
    const [task] = await insertTaskRows(services.db, user.id, [{ goal_id: goal.id }]);
    expect(await caller.goal.delete({ goalId: goal.id })).toEqual({ goalId: goal.id });
    await expect(caller.goal.get({ goalId: goal.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const left = await services.db
      .selectFrom('tasks')
      .select('id')
      .where('id', '=', task!.id)
      .union(services.db.selectFrom('plan_versions').select('id').where('goal_id', '=', goal.id))
      .execute();
    expect(left).toEqual([]);
    await expect(caller.goal.delete({ goalId: goal.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it("answers NOT_FOUND for another user's goal and leaves it alone", async () => {
    const owner = await signedInCaller(services);
    const stranger = await signedInCaller(services);
    const goal = await insertGoalRow(services.db, owner.user.id, { title: 'Private' });
    const notFound = { code: 'NOT_FOUND' };
    await expect(stranger.caller.goal.get({ goalId: goal.id })).rejects.toMatchObject(notFound);
    await expect(
      stranger.caller.goal.update({ goalId: goal.id, title: 'Hijacked' }),
    ).rejects.toMatchObject(notFound);
    await expect(
      stranger.caller.goal.update({ goalId: goal.id, status: 'archived' }),
    ).rejects.toMatchObject(notFound);
    await expect(stranger.caller.goal.delete({ goalId: goal.id })).rejects.toMatchObject(notFound);
    expect((await stranger.caller.goal.list({})).items).toEqual([]);
    expect(await owner.caller.goal.get({ goalId: goal.id })).toMatchObject({
      title: 'Private',
      status: 'active',
    });
  });
});

describe('goal.get', () => {
  it('lists the tasks with the fields a plan view shows, the snapshot only when asked', async () => {
    const { caller } = await signedInCaller(services);
    const { goalId } = await caller.goal.import({
      goal: 'Read four books',
      startDate: '2026-03-02',
      tasks: [
        { title: 'Book one', date: '2026-03-02', completed: true },
        { title: 'Book two', date: '2026-03-10', effortMinutes: 60 },
      ],
    });
    const lean = await caller.goal.get({ goalId });
    expect(lean.plan).toMatchObject({ version: 1, source: 'imported', title: 'Read four books' });
    expect(lean.plan).not.toHaveProperty('plan');
    expect(Object.keys(lean.tasks[0]!).sort()).toEqual(
      [
        'category',
        'completedAt',
        'day',
        'dueDate',
        'dueTime',
        'effortMinutes',
        'id',
        'notes',
        'position',
        'priority',
        'recurrence',
        'reminderMinutes',
        'startDate',
        'tags',
        'title',
        'week',
      ].sort(),
    );
    expect(lean.tasks[0]!.completedAt).toBeInstanceOf(Date);

    const full = await caller.goal.get({ goalId, withSnapshot: true });
    expect(full.plan?.plan).toMatchObject({
      title: 'Read four books',
      weeks: [{ week: 1 }, { week: 2 }],
    });
    expect(JSON.stringify(lean).length).toBeLessThan(JSON.stringify(full).length);
  });
});

describe('goal.import', () => {
  it('stores the goal, version 1 of its plan and its tasks in weeks from the start date', async () => {
    const { caller } = await signedInCaller(services);
    const result = await caller.goal.import({
      goal: 'Move my running plan over',
      summary: 'From my old app',
      tasks: [
        // Out of order on purpose; the earliest date is the start.
        { title: 'Long run', date: '2026-05-10', effortMinutes: 90, category: 'Running' },
        { title: 'Easy run', date: '2026-05-04', effortMinutes: 30, completed: true },
        { title: 'Tempo run', date: '2026-05-04', effortMinutes: 45 },
        { title: 'Race', date: '2026-05-26', effortMinutes: 120 },
      ],
    });
    expect(result.taskCount).toBe(4);

    const goal = await caller.goal.get({ goalId: result.goalId, withSnapshot: true });
    expect(goal).toMatchObject({
      status: 'active',
      requirements: {
        goal: 'Move my running plan over',
        startDate: '2026-05-04',
        endDate: '2026-05-31',
        durationWeeks: 4,
        dailyHours: 2,
      },
    });
    expect(
      goal.tasks.map((t) => [t.title, t.week, t.day, t.dueDate, t.completedAt !== null]),
    ).toEqual([
      ['Easy run', 1, 1, '2026-05-04', true],
      ['Tempo run', 1, 1, '2026-05-04', false],
      ['Long run', 1, 7, '2026-05-10', false],
      ['Race', 4, 2, '2026-05-26', false],
    ]);
    expect(goal.tasks[2]!.category).toBe('running');
    // Every week is there, empty ones too, so plan.weeks and revisions see the whole span.
    const weeks = (goal.plan!.plan as { weeks: { week: number; days: unknown[] }[] }).weeks;
    expect(weeks.map((w) => [w.week, w.days.length])).toEqual([
      [1, 2],
      [2, 0],
      [3, 0],
      [4, 1],
    ]);
    const stats = await caller.task.stats({ goalId: result.goalId });
    expect(stats).toMatchObject({ total: 4, done: 1 });
  });

  it('refuses tasks before the start date or beyond 52 weeks, and empty lists, storing nothing', async () => {
    const { caller } = await signedInCaller(services);
    await expect(
      caller.goal.import({
        goal: 'Bad dates',
        startDate: '2026-05-04',
        tasks: [
          { title: 'Too early', date: '2026-05-03' },
          { title: 'Too late', date: '2027-05-03' },
        ],
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(caller.goal.import({ goal: 'Nothing', tasks: [] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect((await caller.goal.list({})).items).toEqual([]);
  });
});
