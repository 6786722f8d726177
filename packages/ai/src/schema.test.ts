import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  planDate,
  resolvePlanRequest,
  weekdayName,
  ZPlacedTask,
  ZPlan,
  ZPlanRequest,
  ZPlanTask,
  ZUsage,
} from './schema.js';

describe('ZPlanRequest', () => {
  it('applies the documented defaults and trims the goal', () => {
    expect(ZPlanRequest.parse({ goal: '  Learn Rust  ' })).toEqual({
      goal: 'Learn Rust',
      durationWeeks: 4,
      dailyHours: 1,
      level: 'beginner',
    });
  });

  it.each([
    [{ goal: 'ab' }, 'goal'],
    [{ goal: 'x'.repeat(501) }, 'goal'],
    [{ goal: 'Learn Go', durationWeeks: 0 }, 'durationWeeks'],
    [{ goal: 'Learn Go', durationWeeks: 53 }, 'durationWeeks'],
    [{ goal: 'Learn Go', durationWeeks: 2.5 }, 'durationWeeks'],
    [{ goal: 'Learn Go', dailyHours: 0.2 }, 'dailyHours'],
    [{ goal: 'Learn Go', dailyHours: 12.5 }, 'dailyHours'],
    [{ goal: 'Learn Go', level: 'expert' }, 'level'],
    [{ goal: 'Learn Go', startDate: '2025-02-30' }, 'startDate'],
    [{ goal: 'Learn Go', startDate: '06/01/2025' }, 'startDate'],
    [{ goal: 'Learn Go', notes: 'n'.repeat(2001) }, 'notes'],
  ])('rejects %j at %s', (input, field) => {
    const result = ZPlanRequest.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([field]);
  });

  it('accepts the bounds', () => {
    const input = { goal: 'abc', durationWeeks: 52, dailyHours: 0.25, startDate: '2024-02-29' };
    expect(ZPlanRequest.safeParse(input).success).toBe(true);
    expect(ZPlanRequest.safeParse({ goal: 'abc', durationWeeks: 1, dailyHours: 12 }).success).toBe(
      true,
    );
  });
});

describe('resolvePlanRequest', () => {
  it('starts today when no start date is given and ends on the last day of the last week', () => {
    const resolved = resolvePlanRequest(ZPlanRequest.parse({ goal: 'Learn Go' }), '2025-01-06');
    expect(resolved.startDate).toBe('2025-01-06');
    expect(resolved.endDate).toBe('2025-02-02');
    expect(daysBetween(resolved.startDate, resolved.endDate)).toBe(4 * 7 - 1);
  });

  it('keeps a given start date and crosses month and leap-year boundaries', () => {
    const input = ZPlanRequest.parse({
      goal: 'Learn Go',
      durationWeeks: 1,
      startDate: '2024-02-26',
    });
    expect(resolvePlanRequest(input, '2030-01-01')).toMatchObject({
      startDate: '2024-02-26',
      endDate: '2024-03-03',
    });
  });
});

describe('plan dates', () => {
  it('places week w day d at startDate + (w-1)*7 + (d-1)', () => {
    expect(planDate('2025-01-01', 1, 1)).toBe('2025-01-01');
    expect(planDate('2025-01-01', 2, 3)).toBe('2025-01-10');
    expect(planDate('2025-12-29', 1, 7)).toBe('2026-01-04');
  });

  it('is not shifted by daylight saving changes', () => {
    expect(addDays('2025-03-29', 1)).toBe('2025-03-30');
    expect(addDays('2025-03-30', 1)).toBe('2025-03-31');
    expect(addDays('2025-10-26', -1)).toBe('2025-10-25');
  });

  it('names weekdays', () => {
    expect(weekdayName('2025-01-01')).toBe('Wednesday');
    expect(weekdayName('2025-01-05')).toBe('Sunday');
  });
});

describe('plan shapes', () => {
  it('lowercases categories and defaults descriptions of tasks', () => {
    expect(ZPlanTask.parse({ title: 'Read', effortMinutes: 30, category: ' Reading ' })).toEqual({
      title: 'Read',
      description: '',
      effortMinutes: 30,
      category: 'reading',
    });
  });

  it.each([
    { title: '', effortMinutes: 30, category: 'a' },
    { title: 'x'.repeat(201), effortMinutes: 30, category: 'a' },
    { title: 'x', effortMinutes: 4, category: 'a' },
    { title: 'x', effortMinutes: 721, category: 'a' },
    { title: 'x', effortMinutes: 30.5, category: 'a' },
    { title: 'x', effortMinutes: 30, category: '' },
    { title: 'x', effortMinutes: 30, category: 'c'.repeat(41) },
  ])('rejects the task %j', (task) => {
    expect(ZPlanTask.safeParse(task).success).toBe(false);
  });

  it('rejects days outside 1–7 and malformed dates', () => {
    const plan = (day: number, date: string) => ({
      title: 't',
      summary: '',
      weeks: [{ week: 1, theme: 'w', days: [{ day, date, tasks: [] }] }],
    });
    expect(ZPlan.safeParse(plan(1, '2025-01-01')).success).toBe(true);
    expect(ZPlan.safeParse(plan(0, '2025-01-01')).success).toBe(false);
    expect(ZPlan.safeParse(plan(8, '2025-01-01')).success).toBe(false);
    expect(ZPlan.safeParse(plan(1, '2025-1-1')).success).toBe(false);
  });

  it('places a task with week, day, date and position', () => {
    const placed = {
      title: 'x',
      effortMinutes: 5,
      category: 'a',
      week: 1,
      day: 1,
      date: '2025-01-01',
      position: 0,
    };
    expect(ZPlacedTask.parse(placed)).toMatchObject({ description: '', position: 0 });
    expect(ZPlacedTask.safeParse({ ...placed, position: -1 }).success).toBe(false);
  });

  it('allows an unknown cost', () => {
    const usage = { promptTokens: 1, completionTokens: 2, totalTokens: 3, costUsd: null };
    expect(ZUsage.parse(usage)).toEqual(usage);
  });
});

describe('the schema entry point', () => {
  it('imports nothing but zod, so browsers and React Native can load it', async () => {
    const { readFile } = await import('node:fs/promises');
    const { dirname, resolve } = await import('node:path');
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = async (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = await readFile(file, 'utf8');
      for (const match of source.matchAll(
        /^(?:import|export)\s+(type\s+)?[^'"]*from\s+'([^']+)'/gm,
      )) {
        const [, typeOnly, specifier] = match;
        if (!specifier || typeOnly) continue;
        if (specifier.startsWith('.')) {
          await visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
        } else {
          external.add(specifier);
        }
      }
    };
    await visit(resolve(import.meta.dirname, 'schema.ts'));
    expect([...external]).toEqual(['zod']);
    expect(seen.size).toBeGreaterThan(3);
  });
});
