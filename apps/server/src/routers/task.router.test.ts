import { listTasks } from '@stepwise/db';
import { insertGoalRow, insertTaskRows } from '@stepwise/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
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
    // Midday on the 15th for this person (UTC, the default zone).
    const now = new Date('2025-03-15T12:00:00Z');
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
    const stats = await getStats(services.db, { userId: user.id, goalId: goal.id, now });
    expect(stats).toMatchObject({
      today: '2025-03-15',
      total: 6,
      done: 3,
      open: 3,
      overdue: 1,
      completionPercent: 50,
    });
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

    const all = await getStats(services.db, { userId: user.id, now });
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
      now: new Date('2025-03-01T12:00:00Z'),
    });
    expect(stale.forecastFinishDate).toBeNull();
    const empty = await getStats(services.db, {
      userId: user.id,
      goalId: (await insertGoalRow(services.db, user.id)).id,
      now: new Date('2025-03-01T12:00:00Z'),
    });
    expect(empty).toMatchObject({ total: 0, completionPercent: 0, forecastFinishDate: null });
  });
});

describe('due times', () => {
  it('stores a due time and reminder minutes, answers them in every task view', async () => {
    const { caller, user } = await signedInCaller(services);
    const goal = await insertGoalRow(services.db, user.id);
    // Due dates long past: these tasks get no reminder job.
    const standup = await caller.task.create({
      title: 'Stand-up',
      goalId: goal.id,
      dueDate: '2020-05-04',
      dueTime: '09:30',
    });
    expect(standup).toMatchObject({ dueDate: '2020-05-04', dueTime: '09:30', reminderMinutes: 30 });
    const precise = await caller.task.create({
      title: 'Launch',
      dueDate: '2020-05-04',
      dueTime: '07:05:09',
      reminderMinutes: null,
    });
    expect(precise).toMatchObject({ dueTime: '07:05:09', reminderMinutes: null });
    const plain = await caller.task.create({ title: 'Someday' });
    expect(plain).toMatchObject({ dueTime: null, reminderMinutes: 30 });

    expect(await caller.task.get({ taskId: standup.id })).toMatchObject({ dueTime: '09:30' });
    const listed = await caller.task.list({ goalId: goal.id });
    expect(listed.items.map((t) => t.dueTime)).toEqual(['09:30']);
    const view = await caller.goal.get({ goalId: goal.id });
    expect(view.tasks[0]).toMatchObject({ dueTime: '09:30', reminderMinutes: 30 });

    const moved = await caller.task.update({
      taskId: standup.id,
      dueTime: '10:00:00',
      reminderMinutes: 5,
    });
    expect(moved).toMatchObject({ dueTime: '10:00', reminderMinutes: 5 });
    // Clearing the due date clears the time of day with it.
    const undated = await caller.task.update({ taskId: standup.id, dueDate: null });
    expect(undated).toMatchObject({ dueDate: null, dueTime: null });
  });

  it('refuses a due time without a due date, and malformed times, as BAD_REQUEST', async () => {
    const { caller } = await signedInCaller(services);
    const error = await caller.task
      .create({ title: 'Timeless', dueTime: '10:00' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BAD_REQUEST' });
    const cause = (error as { cause?: unknown }).cause;
    expect(cause).toBeInstanceOf(ZodError);
    expect((cause as ZodError).issues.map((i) => i.path)).toEqual([['dueTime']]);

    const undated = await caller.task.create({ title: 'No date yet' });
    await expect(
      caller.task.update({ taskId: undated.id, dueTime: '10:00' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'a due time needs a due date' });
    await expect(
      caller.task.update({ taskId: undated.id, dueDate: null, dueTime: '10:00' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    for (const dueTime of ['24:00', '9:30', '10:60', '10:00:60', '10:00 PM']) {
      await expect(
        caller.task.create({ title: 'Odd time', dueDate: '2020-01-01', dueTime }),
        dueTime,
      ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    for (const reminderMinutes of [-1, 40_321, 1.5]) {
      await expect(
        caller.task.create({ title: 'Odd reminder', reminderMinutes }),
      ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    // Nothing was stored by the refused update.
    expect(await caller.task.get({ taskId: undated.id })).toMatchObject({ dueTime: null });
  });
});

describe("the person's today", () => {
  // 10:30 UTC on the 15th is 23:30 on the 14th in Pago Pago (UTC-11) and 00:30 on the 16th in
  // Kiritimati (UTC+14): three people, three todays, at one instant.
  const now = new Date('2025-03-15T10:30:00Z');
  const ZONES = [
    { timezone: 'Pacific/Pago_Pago', today: '2025-03-14' },
    { timezone: 'UTC', today: '2025-03-15' },
    { timezone: 'Pacific/Kiritimati', today: '2025-03-16' },
  ] as const;

  /** A person in `timezone` with tasks A–E due around the 15th, and F done at 10:00 UTC on it. */
  async function personIn(timezone: string) {
    const person = await signedInCaller(services);
    await person.caller.auth.updateProfile({ timezone });
    await insertTaskRows(services.db, person.user.id, [
      { title: 'A', due_date: '2025-03-14' },
      { title: 'B', due_date: '2025-03-15' },
      { title: 'C', due_date: '2025-03-15', due_time: '09:00' },
      { title: 'D', due_date: '2025-03-15', due_time: '11:00' },
      { title: 'E', due_date: '2025-03-16' },
      { title: 'F', completed_at: new Date('2025-03-15T10:00:00Z') },
    ]);
    return person;
  }

  it("counts overdue tasks and completion days on each person's clock (task.stats)", async () => {
    const overdue = { 'Pacific/Pago_Pago': 0, UTC: 2, 'Pacific/Kiritimati': 4 };
    for (const zone of ZONES) {
      const { user } = await personIn(zone.timezone);
      const stats = await getStats(services.db, { userId: user.id, now });
      expect(stats, zone.timezone).toMatchObject({
        today: zone.today,
        overdue: overdue[zone.timezone],
        // F was completed at 10:00 UTC: a different calendar day in each zone.
        pace: { doneInWindow: 1 },
      });
      // 13 days later, at 11:30 UTC, the 14-day window starts on the local 15th in Pago Pago
      // (F was done on its 14th: out), on the 15th in UTC and the 16th in Kiritimati (in).
      const later = await getStats(services.db, {
        userId: user.id,
        now: new Date('2025-03-28T11:30:00Z'),
      });
      expect(later.pace.doneInWindow, zone.timezone).toBe(
        zone.timezone === 'Pacific/Pago_Pago' ? 0 : 1,
      );
    }
  });

  it("filters task.list by the person's today and overdue", async () => {
    const expected = {
      'Pacific/Pago_Pago': { today: ['A'], overdue: [] },
      UTC: { today: ['B', 'C', 'D'], overdue: ['A', 'C'] },
      'Pacific/Kiritimati': { today: ['E'], overdue: ['A', 'B', 'C', 'D'] },
    };
    for (const zone of ZONES) {
      const { user, caller } = await personIn(zone.timezone);
      const titles = async (due: 'today' | 'overdue') =>
        (await listTasks(services.db, { userId: user.id, filters: { due }, limit: 50, now })).items
          .map((t) => t.title)
          .sort();
      expect(await titles('today'), zone.timezone).toEqual(expected[zone.timezone].today);
      expect(await titles('overdue'), zone.timezone).toEqual(expected[zone.timezone].overdue);
      // Through the router, on the real clock: every one of these dates is long past.
      const live = await caller.task.list({ due: 'overdue' });
      expect(live.items.map((t) => t.title).sort()).toEqual(['A', 'B', 'C', 'D', 'E']);
    }
  });

  it("starts a recurring task without a due date again from the person's today", async () => {
    for (const zone of ZONES) {
      const { user, caller } = await signedInCaller(services);
      await caller.auth.updateProfile({ timezone: zone.timezone });
      const task = await caller.task.create({ title: 'Journal', recurrence: 'FREQ=DAILY' });
      const { next } = await setTaskComplete(services.db, {
        userId: user.id,
        taskId: task.id,
        completed: true,
        now,
      });
      const tomorrow = new Date(`${zone.today}T00:00:00Z`);
      tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
      expect(next?.dueDate, zone.timezone).toBe(tomorrow.toISOString().slice(0, 10));
    }
  });

  it('keeps the due time and reminder on the next occurrence', async () => {
    const { caller } = await signedInCaller(services);
    const task = await caller.task.create({
      title: 'Take vitamins',
      recurrence: 'FREQ=DAILY',
      dueDate: '2020-01-01',
      dueTime: '08:15',
      reminderMinutes: 10,
    });
    const { next } = await caller.task.setComplete({ taskId: task.id, completed: true });
    expect(next).toMatchObject({ dueDate: '2020-01-02', dueTime: '08:15', reminderMinutes: 10 });
  });
});
