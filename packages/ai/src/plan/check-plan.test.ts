import { DomainError } from '@stepwise/core';
import { describe, expect, it } from 'vitest';
import { examplePlan } from '../testing/example-plan.js';
import { checkPlan } from './check-plan.js';
import type { TPlan, TPlanTask } from './plan.schema.js';
import {
  resolvePlanRequest,
  type TPlanRequestResolved,
  ZPlanRequest,
} from './plan-request.schema.js';

const startDate = '2025-01-06';

function request(
  overrides: Partial<{ durationWeeks: number; dailyHours: number }> = {},
): TPlanRequestResolved {
  return resolvePlanRequest(
    ZPlanRequest.parse({ goal: 'Learn Go', startDate, ...overrides }),
    startDate,
  );
}

function task(title: string, effortMinutes: number): TPlanTask {
  return { title, description: '', effortMinutes, category: 'practice' };
}

function expectRejection(run: () => unknown, message: RegExp) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('PLAN_CONSTRAINTS');
    expect((error as DomainError).message).toMatch(message);
    return;
  }
  throw new Error('expected a PLAN_CONSTRAINTS rejection');
}

describe('checkPlan', () => {
  it('returns a valid plan unchanged, with no fixes', () => {
    const plan = examplePlan({ weeks: 4, startDate });
    expect(checkPlan(plan, request())).toEqual({ plan, fixes: [] });
  });

  it('rejects a plan without weeks', () => {
    expectRejection(() => checkPlan({ title: 't', summary: '', weeks: [] }, request()), /no weeks/);
  });

  it('sorts weeks by number, keeping the order of ties, and renumbers them 1..n', () => {
    const base = examplePlan({ weeks: 3, startDate });
    const [w1, w2, w3] = base.weeks;
    if (!w1 || !w2 || !w3) throw new Error('fixture');
    const plan: TPlan = {
      ...base,
      weeks: [
        { ...w3, week: 7 },
        { ...w1, week: 2, theme: 'first' },
        { ...w2, week: 2, theme: 'second' },
      ],
    };
    const { plan: checked, fixes } = checkPlan(plan, request());
    expect(checked.weeks.map((w) => [w.week, w.theme])).toEqual([
      [1, 'first'],
      [2, 'second'],
      [3, 'Theme 3'],
    ]);
    expect(fixes).toEqual(
      expect.arrayContaining(['weeks sorted by week number', 'weeks renumbered 1–3']),
    );
    expect(checked.weeks[2]?.days[0]?.date).toBe('2025-01-20');
  });

  it('drops weeks beyond the requested duration', () => {
    const plan = examplePlan({ weeks: 6, startDate });
    const { plan: checked, fixes } = checkPlan(plan, request({ durationWeeks: 4 }));
    expect(checked.weeks.map((w) => w.week)).toEqual([1, 2, 3, 4]);
    expect(fixes).toEqual(['dropped 2 week(s) beyond the 4-week timeline ending 2025-02-02']);
  });

  it('accepts a plan shorter than the timeline', () => {
    const plan = examplePlan({ weeks: 2, startDate });
    expect(checkPlan(plan, request({ durationWeeks: 4 })).fixes).toEqual([]);
  });

  it('orders days and merges days that repeat a number', () => {
    const plan: TPlan = {
      title: 't',
      summary: '',
      weeks: [
        {
          week: 1,
          theme: 'w',
          days: [
            { day: 5, date: '2025-01-10', tasks: [task('e', 10)] },
            { day: 2, date: '2025-01-07', tasks: [task('b1', 10)] },
            { day: 2, date: '2025-01-07', tasks: [task('b2', 10)] },
          ],
        },
      ],
    };
    const { plan: checked, fixes } = checkPlan(plan, request());
    expect(checked.weeks[0]?.days.map((d) => [d.day, d.tasks.map((t) => t.title)])).toEqual([
      [2, ['b1', 'b2']],
      [5, ['e']],
    ]);
    expect(fixes).toEqual(['merged 1 day(s) that repeated a day number']);
  });

  it('recomputes dates from week and day so they stay inside the timeline', () => {
    const plan = examplePlan({ weeks: 2, startDate });
    const shifted: TPlan = {
      ...plan,
      weeks: plan.weeks.map((week) => ({
        ...week,
        days: week.days.map((day) => ({ ...day, date: '2030-12-31' })),
      })),
    };
    const req = request({ durationWeeks: 2 });
    const { plan: checked, fixes } = checkPlan(shifted, req);
    expect(checked).toEqual(plan);
    expect(fixes).toEqual(['recomputed 6 date(s) from week and day']);
    for (const day of checked.weeks.flatMap((w) => w.days)) {
      expect(day.date >= req.startDate && day.date <= req.endDate).toBe(true);
    }
  });

  it('drops days without tasks', () => {
    const plan = examplePlan({ weeks: 1, days: [1, 2], startDate });
    const day2 = plan.weeks[0]?.days[1];
    if (!day2) throw new Error('fixture');
    day2.tasks = [];
    const { plan: checked, fixes } = checkPlan(plan, request());
    expect(checked.weeks[0]?.days.map((d) => d.day)).toEqual([1]);
    expect(fixes).toEqual(['dropped 1 day(s) without tasks']);
  });

  it('scales effort down proportionally to fit the daily hours', () => {
    const plan = examplePlan({ weeks: 1, days: [1], startDate });
    const day = plan.weeks[0]?.days[0];
    if (!day) throw new Error('fixture');
    day.tasks = [task('a', 90), task('b', 30)];
    const { plan: checked, fixes } = checkPlan(plan, request({ dailyHours: 1 }));
    expect(checked.weeks[0]?.days[0]?.tasks.map((t) => t.effortMinutes)).toEqual([45, 15]);
    expect(fixes).toEqual(['scaled effort down on 1 day(s) to fit 1 h (60 min) a day']);
  });

  it('keeps at least 5 minutes per task and drops trailing tasks that still do not fit', () => {
    const plan = examplePlan({ weeks: 1, days: [1], startDate });
    const day = plan.weeks[0]?.days[0];
    if (!day) throw new Error('fixture');
    day.tasks = [task('a', 60), task('b', 10), task('c', 10), task('d', 10)];
    const { plan: checked, fixes } = checkPlan(plan, request({ dailyHours: 0.25 }));
    const tasks = checked.weeks[0]?.days[0]?.tasks ?? [];
    expect(tasks.map((t) => [t.title, t.effortMinutes])).toEqual([
      ['a', 10],
      ['b', 5],
    ]);
    expect(tasks.reduce((sum, t) => sum + t.effortMinutes, 0)).toBeLessThanOrEqual(15);
    expect(fixes).toEqual([
      'scaled effort down on 1 day(s) to fit 0.25 h (15 min) a day',
      'dropped 2 trailing task(s) that did not fit the daily limit',
    ]);
  });

  it('rejects a week left without tasks', () => {
    const plan = examplePlan({ weeks: 2, startDate });
    const week2 = plan.weeks[1];
    if (!week2) throw new Error('fixture');
    week2.days = week2.days.map((day) => ({ ...day, tasks: [] }));
    expectRejection(() => checkPlan(plan, request()), /week 2 has no tasks/);
  });

  it('does not mutate its input', () => {
    const plan = examplePlan({ weeks: 2, startDate, effortMinutes: 100 });
    const copy = structuredClone(plan);
    checkPlan({ ...plan, weeks: [...plan.weeks].reverse() }, request());
    expect(plan).toEqual(copy);
  });
});
