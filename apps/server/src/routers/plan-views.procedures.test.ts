import type { TPlan } from '@stepwise/ai/schema';
import { insertGoalRow, makePlan } from '@stepwise/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { savePlanSnapshot } from '../services/goals/plan-versions.service.js';
import { createTestServices, signedInCaller, type TestServices } from '../testing/test-services.js';
import { createContextInner, type SessionUser } from '../trpc/context.js';
import { createCallerFactory, router } from '../trpc/init.js';
import { planViewProcedures } from './plan-views.procedures.js';

// The procedures on their own router, so these tests do not depend on how planRouter spreads them.
const createCaller = createCallerFactory(router({ plan: router(planViewProcedures) }));

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

const v1 = makePlan('2025-01-06', [
  { theme: 'Base', days: [['Run 5k', 'Stretch'], [], [{ title: 'Intervals', effortMinutes: 40 }]] },
  { theme: 'Build', days: [['Long run'], ['Rest day']] },
]) as TPlan;
const v2 = makePlan('2025-01-06', [
  {
    theme: 'Base',
    days: [[], ['Run 5k', 'Hill sprints'], [{ title: 'Intervals', effortMinutes: 50 }]],
  },
  { theme: 'Build up', days: [['Long run'], ['Rest day']] },
  { theme: 'Race', days: [['Race day']] },
]) as TPlan;

async function goalWithTwoVersions() {
  const { user } = await signedInCaller(services);
  const caller = createCaller(createContextInner({ services, user: user as SessionUser }));
  const goal = await insertGoalRow(services.db, user.id);
  const save = (plan: TPlan, source: 'generated' | 'revised') =>
    services.db
      .transaction()
      .execute((trx) => savePlanSnapshot(trx, { goalId: goal.id, userId: user.id, plan, source }));
  const first = await save(v1, 'generated');
  // Progress on version 1: two tasks done.
  const done = first.tasks.filter((t) => t.title === 'Run 5k' || t.title === 'Long run');
  await services.db
    .updateTable('tasks')
    .set({ completed_at: new Date('2025-01-07T10:00:00Z') })
    .where(
      'id',
      'in',
      done.map((t) => t.id),
    )
    .execute();
  await save(v2, 'revised');
  return { user, caller, goal };
}

describe('plan views', () => {
  it('keeps completion across a version change (matched by task key)', async () => {
    const { caller, goal } = await goalWithTwoVersions();
    const week1 = await caller.plan.week({ goalId: goal.id, week: 1 });
    const week2 = await caller.plan.week({ goalId: goal.id, week: 2 });
    const tasks = [...week1.days, ...week2.days].flatMap((d) => d.tasks);
    const completed = tasks.filter((t) => t.completedAt).map((t) => t.title);
    expect(completed.sort()).toEqual(['Long run', 'Run 5k']);
  });

  it('lists the weeks with theme, date range, counts and effort', async () => {
    const { caller, goal } = await goalWithTwoVersions();
    expect(await caller.plan.weeks({ goalId: goal.id })).toEqual([
      {
        week: 1,
        theme: 'Base',
        startDate: '2025-01-06',
        endDate: '2025-01-12',
        taskCount: 3,
        completedCount: 1,
        effortMinutes: 110,
        completedMinutes: 30,
      },
      {
        week: 2,
        theme: 'Build up',
        startDate: '2025-01-13',
        endDate: '2025-01-19',
        taskCount: 2,
        completedCount: 1,
        effortMinutes: 60,
        completedMinutes: 30,
      },
      {
        week: 3,
        theme: 'Race',
        startDate: '2025-01-20',
        endDate: '2025-01-26',
        taskCount: 1,
        completedCount: 0,
        effortMinutes: 30,
        completedMinutes: 0,
      },
    ]);
  });

  it('shows one week as seven days with their tasks', async () => {
    const { caller, goal } = await goalWithTwoVersions();
    const week = await caller.plan.week({ goalId: goal.id, week: 1 });
    expect(week).toMatchObject({
      week: 1,
      theme: 'Base',
      startDate: '2025-01-06',
      endDate: '2025-01-12',
    });
    expect(week.days.map((d) => [d.day, d.date, d.tasks.map((t) => t.title)])).toEqual([
      [1, '2025-01-06', []],
      [2, '2025-01-07', ['Run 5k', 'Hill sprints']],
      [3, '2025-01-08', ['Intervals']],
      [4, '2025-01-09', []],
      [5, '2025-01-10', []],
      [6, '2025-01-11', []],
      [7, '2025-01-12', []],
    ]);
    await expect(caller.plan.week({ goalId: goal.id, week: 9 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('plan versions', () => {
  it('lists versions newest first, one current', async () => {
    const { caller, goal } = await goalWithTwoVersions();
    const versions = await caller.plan.versions({ goalId: goal.id });
    expect(versions.map((v) => [v.version, v.isCurrent, v.source])).toEqual([
      [2, true, 'revised'],
      [1, false, 'generated'],
    ]);
  });

  it('diffs two versions by task key, grouped by week', async () => {
    const { caller, goal } = await goalWithTwoVersions();
    const diff = await caller.plan.diff({ goalId: goal.id, from: 1, to: 2 });
    expect(diff).toMatchObject({ from: 1, to: 2, added: 2, removed: 1, changed: 2 });
    expect(
      diff.weeks.map((w) => ({
        week: w.week,
        theme: w.theme,
        added: w.added.map((t) => t.taskKey),
        removed: w.removed.map((t) => t.taskKey),
        changed: w.changed.map((c) => [c.taskKey, c.fields]),
      })),
    ).toEqual([
      {
        week: 1,
        theme: null,
        added: ['w1:hill-sprints'],
        removed: ['w1:stretch'],
        changed: [
          ['w1:run-5k', ['day', 'date']],
          ['w1:intervals', ['effortMinutes']],
        ],
      },
      {
        week: 2,
        theme: { before: 'Build', after: 'Build up' },
        added: [],
        removed: [],
        changed: [],
      },
      {
        week: 3,
        theme: { before: null, after: 'Race' },
        added: ['w3:race-day'],
        removed: [],
        changed: [],
      },
    ]);
    const intervals = diff.weeks[0]!.changed[1]!;
    expect([intervals.before.effortMinutes, intervals.after.effortMinutes]).toEqual([40, 50]);

    const back = await caller.plan.diff({ goalId: goal.id, from: 2, to: 1 });
    expect(back).toMatchObject({ added: 1, removed: 2, changed: 2 });
    expect(await caller.plan.diff({ goalId: goal.id, from: 2, to: 2 })).toMatchObject({
      added: 0,
      removed: 0,
      changed: 0,
      weeks: [],
    });
    await expect(caller.plan.diff({ goalId: goal.id, from: 1, to: 7 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('restores an old version as a new current one, keeping progress', async () => {
    const { caller, goal } = await goalWithTwoVersions();
    const restored = await caller.plan.restore({ goalId: goal.id, version: 1 });
    expect(restored.planVersion).toMatchObject({ version: 3, isCurrent: true, source: 'restored' });
    expect(restored.planVersion.plan).toEqual(v1);
    expect(restored.tasks.map((t) => [t.title, t.completedAt !== null])).toEqual([
      ['Run 5k', true],
      ['Stretch', false],
      ['Intervals', false],
      ['Long run', true],
      ['Rest day', false],
    ]);
    expect(await caller.plan.diff({ goalId: goal.id, from: 1, to: 3 })).toMatchObject({
      weeks: [],
    });
    const weeks = await caller.plan.weeks({ goalId: goal.id });
    expect(weeks.map((w) => [w.week, w.theme])).toEqual([
      [1, 'Base'],
      [2, 'Build'],
    ]);
  });

  it('keeps exactly one current version under concurrent restores', async () => {
    const { caller, goal } = await goalWithTwoVersions();
    const results = await Promise.all(
      [1, 2, 1, 2, 1, 2].map((version) => caller.plan.restore({ goalId: goal.id, version })),
    );
    expect(results.map((r) => r.planVersion.version).sort((a, b) => a - b)).toEqual([
      3, 4, 5, 6, 7, 8,
    ]);
    const rows = await services.db
      .selectFrom('plan_versions')
      .select(['version', 'is_current'])
      .where('goal_id', '=', goal.id)
      .orderBy('version')
      .execute();
    expect(rows.filter((r) => r.is_current)).toEqual([{ version: 8, is_current: true }]);
    // The goal's tasks are exactly the current version's, progress intact.
    const current = results.find((r) => r.planVersion.version === 8)!;
    const tasks = await services.db
      .selectFrom('tasks')
      .select(['plan_version_id', 'title', 'completed_at'])
      .where('goal_id', '=', goal.id)
      .execute();
    expect(new Set(tasks.map((t) => t.plan_version_id))).toEqual(new Set([current.planVersion.id]));
    expect(
      tasks
        .filter((t) => t.completed_at)
        .map((t) => t.title)
        .sort(),
    ).toEqual(['Long run', 'Run 5k']);
  });

  it("answers NOT_FOUND for another user's goal", async () => {
    const { goal } = await goalWithTwoVersions();
    const { user } = await signedInCaller(services);
    const stranger = createCaller(createContextInner({ services, user }));
    const notFound = { code: 'NOT_FOUND' };
    await expect(stranger.plan.weeks({ goalId: goal.id })).rejects.toMatchObject(notFound);
    await expect(stranger.plan.week({ goalId: goal.id, week: 1 })).rejects.toMatchObject(notFound);
    await expect(stranger.plan.versions({ goalId: goal.id })).rejects.toMatchObject(notFound);
    await expect(stranger.plan.diff({ goalId: goal.id, from: 1, to: 2 })).rejects.toMatchObject(
      notFound,
    );
    await expect(stranger.plan.restore({ goalId: goal.id, version: 1 })).rejects.toMatchObject(
      notFound,
    );
    const versions = await services.db
      .selectFrom('plan_versions')
      .select('version')
      .where('goal_id', '=', goal.id)
      .execute();
    expect(versions).toHaveLength(2);
  });
});
