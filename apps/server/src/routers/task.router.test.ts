import { insertGoalRow, insertTaskRows } from '@stepwise/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStats, setTaskComplete } from '../services/tasks/task.service.js';
import { createTestServices, signedInCaller, type TestServices } from '../testing/test-services.js';

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

describe('task', () => {
  it('creates, reads, updates, lists and deletes tasks, standalone or in a goal', async () => {
    const { caller, user } = await signedInCaller(services);
    const goal = await insertGoalRow(services.db, user.id);
    const standalone = await caller.task.create({
      title: '  Renew passport ',
      priority: 'urgent',
      tags: ['admin', 'admin', 'travel'],
      dueDate: '2025-05-01',
    });
    expect(standalone).toMatchObject({
      title: 'Renew passport',
      goalId: null,
      priority: 'urgent',
      tags: ['admin', 'travel'],
      dueDate: '2025-05-01',
      completedAt: null,
    });
    const inGoal = await caller.task.create({
      title: 'Long run',
      goalId: goal.id,
      effortMinutes: 60,
    });
    const second = await caller.task.create({ title: 'Intervals', goalId: goal.id });
    expect(second.position).toBe(inGoal.position + 1);
    expect(await caller.task.get({ taskId: inGoal.id })).toEqual(inGoal);

    const updated = await caller.task.update({
      taskId: inGoal.id,
      notes: 'easy pace',
      priority: 'low',
      dueDate: '2025-05-03',
      category: null,
    });
    expect(updated).toMatchObject({ notes: 'easy pace', priority: 'low', dueDate: '2025-05-03' });

    const page = await caller.task.list({ goalId: goal.id, sort: 'title', limit: 1 });
    expect(page.items.map((t) => t.title)).toEqual(['Intervals']);
    const rest = await caller.task.list({
      goalId: goal.id,
      sort: 'title',
      cursor: page.nextCursor,
    });
    expect(rest.items.map((t) => t.title)).toEqual(['Long run']);
    expect(rest.nextCursor).toBeNull();
    const urgent = await caller.task.list({
      priority: ['urgent'],
      tagsAll: ['travel'],
      search: 'passp',
    });
    expect(urgent.items.map((t) => t.id)).toEqual([standalone.id]);

    expect(await caller.task.delete({ taskId: standalone.id })).toEqual({ taskId: standalone.id });
    await expect(caller.task.get({ taskId: standalone.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it("answers NOT_FOUND for another user's task or goal", async () => {
    const owner = await signedInCaller(services);
    const stranger = await signedInCaller(services);
    const goal = await insertGoalRow(services.db, owner.user.id);
    const task = await owner.caller.task.create({ title: 'Mine', goalId: goal.id });
    const notFound = { code: 'NOT_FOUND' };
    await expect(stranger.caller.task.get({ taskId: task.id })).rejects.toMatchObject(notFound);
    await expect(
      stranger.caller.task.update({ taskId: task.id, title: 'Theirs' }),
    ).rejects.toMatchObject(notFound);
    await expect(stranger.caller.task.delete({ taskId: task.id })).rejects.toMatchObject(notFound);
    await expect(
      stranger.caller.task.setComplete({ taskId: task.id, completed: true }),
    ).rejects.toMatchObject(notFound);
    await expect(
      stranger.caller.task.create({ title: 'Sneaky', goalId: goal.id }),
    ).rejects.toMatchObject(notFound);
    await expect(stranger.caller.task.stats({ goalId: goal.id })).rejects.toMatchObject(notFound);
    expect((await stranger.caller.task.list({ goalId: goal.id })).items).toEqual([]);
    expect(await owner.caller.task.get({ taskId: task.id })).toMatchObject({ title: 'Mine' });
  });

  it('rejects invalid input with field errors', async () => {
    const { caller } = await signedInCaller(services);
    await expect(
      caller.task.create({ title: 'Bad rule', recurrence: 'FREQ=SOMETIMES' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      caller.task.create({ title: 'Bad date', dueDate: '2025-02-30x' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(caller.task.list({ cursor: 'garbage' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(caller.task.get({ taskId: 'not-a-uuid' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });
});

describe('task.setComplete', () => {
  it('completes and reopens a task', async () => {
    const { caller } = await signedInCaller(services);
    const task = await caller.task.create({ title: 'Once' });
    const done = await caller.task.setComplete({ taskId: task.id, completed: true });
    expect(done.task.completedAt).toBeInstanceOf(Date);
    expect(done.next).toBeNull();
    const open = await caller.task.setComplete({ taskId: task.id, completed: false });
    expect(open.task.completedAt).toBeNull();
  });

  it('creates the next occurrence once: daily, weekdays and month ends', async () => {
    const { caller } = await signedInCaller(services);
    const cases = [
      { recurrence: 'FREQ=DAILY', dueDate: '2025-02-28', next: '2025-03-01' },
      // 2025-01-03 is a Friday: the next Monday/Wednesday is the 6th.
      { recurrence: 'FREQ=WEEKLY;BYDAY=MO,WE', dueDate: '2025-01-03', next: '2025-01-06' },
      { recurrence: 'FREQ=WEEKLY;BYDAY=MO,WE', dueDate: '2025-01-06', next: '2025-01-08' },
      { recurrence: 'RRULE:FREQ=MONTHLY;BYMONTHDAY=-1', dueDate: '2025-01-31', next: '2025-02-28' },
      { recurrence: 'FREQ=MONTHLY;BYMONTHDAY=-1', dueDate: '2024-02-29', next: '2024-03-31' },
    ];
    for (const c of cases) {
      const task = await caller.task.create({
        title: `Recurring ${c.recurrence}`,
        recurrence: c.recurrence,
        dueDate: c.dueDate,
        tags: ['habit'],
        priority: 'high',
      });
      const first = await caller.task.setComplete({ taskId: task.id, completed: true });
      expect(first.next, c.recurrence).toMatchObject({
        title: task.title,
        dueDate: c.next,
        tags: ['habit'],
        priority: 'high',
        completedAt: null,
        recurrence: task.recurrence,
      });
      // Completing again, or reopening and completing, creates nothing new.
      const again = await caller.task.setComplete({ taskId: task.id, completed: true });
      await caller.task.setComplete({ taskId: task.id, completed: false });
      const third = await caller.task.setComplete({ taskId: task.id, completed: true });
      expect(again.next?.id).toBe(first.next?.id);
      expect(third.next?.id).toBe(first.next?.id);
      const children = await services.db
        .selectFrom('tasks')
        .select('id')
        .where('recurrence_parent_id', '=', task.id)
        .execute();
      expect(children).toHaveLength(1);
      // The occurrence recurs in turn.
      const next = await caller.task.setComplete({ taskId: first.next!.id, completed: true });
      expect(next.next?.dueDate).toBeDefined();
    }
  });

  it('creates one occurrence under concurrent completions', async () => {
    const { caller, user } = await signedInCaller(services);
    const task = await caller.task.create({
      title: 'Water plants',
      recurrence: 'FREQ=DAILY',
      dueDate: '2025-06-01',
    });
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        setTaskComplete(services.db, { userId: user.id, taskId: task.id, completed: true }),
      ),
    );
    const nextIds = new Set(results.map((r) => r.next?.id));
    expect(nextIds.size).toBe(1);
    const children = await services.db
      .selectFrom('tasks')
      .select('due_date')
      .where('recurrence_parent_id', '=', task.id)
      .execute();
    expect(children).toEqual([{ due_date: '2025-06-02' }]);
  });
});

describe('task.stats', () => {
  it('counts, groups effort by week and forecasts from the recent pace', async () => {
    const { user, caller } = await signedInCaller(services);
    const goal = await insertGoalRow(services.db, user.id);
    const today = '2025-03-15';
    const doneAt = (date: string) => new Date(`${date}T12:00:00Z`);
    await insertTaskRows(services.db, user.id, [
      {
        goal_id: goal.id,
        week: 1,
        due_date: '2025-03-03',
        effort_minutes: 30,
        completed_at: doneAt('2025-03-03'),
      },
      {
        goal_id: goal.id,
        week: 1,
        due_date: '2025-03-04',
        effort_minutes: 45,
        completed_at: doneAt('2025-03-10'),
      },
      { goal_id: goal.id, week: 1, due_date: '2025-03-05', effort_minutes: 15 },
      {
        goal_id: goal.id,
        week: 2,
        due_date: '2025-03-10',
        effort_minutes: 60,
        completed_at: doneAt('2025-03-14'),
      },
      { goal_id: goal.id, week: 2, due_date: '2025-03-20', effort_minutes: 20 },
      { goal_id: goal.id, week: 2, due_date: '2025-03-21', effort_minutes: null },
      { due_date: '2025-03-01' }, // standalone, overdue: only in the all-tasks stats
    ]);
    const stats = await getStats(services.db, { userId: user.id, goalId: goal.id, today });
    expect(stats).toMatchObject({ total: 6, done: 3, open: 3, overdue: 1, completionPercent: 50 });
    expect(stats.weeks).toEqual([
      {
        week: 1,
        startDate: '2025-03-03',
        endDate: '2025-03-05',
        taskCount: 3,
        doneCount: 2,
        plannedMinutes: 90,
        doneMinutes: 75,
      },
      {
        week: 2,
        startDate: '2025-03-10',
        endDate: '2025-03-21',
        taskCount: 3,
        doneCount: 1,
        plannedMinutes: 80,
        doneMinutes: 60,
      },
    ]);
    // 3 completions in the 14 days up to the 15th: 3/14 a day, 3 open → ceil(14) = 14 days.
    expect(stats.pace).toEqual({ windowDays: 14, doneInWindow: 3, tasksPerDay: 0.214 });
    expect(stats.forecastFinishDate).toBe('2025-03-29');

    const all = await getStats(services.db, { userId: user.id, today });
    expect(all).toMatchObject({ total: 7, done: 3, open: 4, overdue: 2 });
    // Calendar weeks, Monday first: 2025-03-01 is a Saturday.
    expect(all.weeks.map((w) => [w.startDate, w.endDate, w.taskCount])).toEqual([
      ['2025-02-24', '2025-03-02', 1],
      ['2025-03-03', '2025-03-09', 3],
      ['2025-03-10', '2025-03-16', 1],
      ['2025-03-17', '2025-03-23', 2],
    ]);
    // Through the router (today's date): the shape is the same.
    expect(await caller.task.stats({ goalId: goal.id })).toMatchObject({ total: 6, done: 3 });
  });

  it('forecasts nothing without a recent pace, and the last completion when all is done', async () => {
    const { user } = await signedInCaller(services);
    const goal = await insertGoalRow(services.db, user.id);
    await insertTaskRows(services.db, user.id, [
      { goal_id: goal.id, completed_at: new Date('2025-01-02T10:00:00Z') },
      { goal_id: goal.id },
    ]);
    const stale = await getStats(services.db, {
      userId: user.id,
      goalId: goal.id,
      today: '2025-03-01',
    });
    expect(stale.forecastFinishDate).toBeNull();
    const empty = await getStats(services.db, {
      userId: user.id,
      goalId: (await insertGoalRow(services.db, user.id)).id,
      today: '2025-03-01',
    });
    expect(empty).toMatchObject({ total: 0, completionPercent: 0, forecastFinishDate: null });
  });
});
