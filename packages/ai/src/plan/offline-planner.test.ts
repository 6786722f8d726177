import { describe, expect, it } from 'vitest';
import { checkPlan } from './check-plan.js';
import { buildOfflinePlan } from './offline-planner.js';
import { ZPlan } from './plan.schema.js';
import { resolvePlanRequest, type TPlanRequest, ZPlanRequest } from './plan-request.schema.js';

const today = '2025-01-06';
const resolve = (input: TPlanRequest) => resolvePlanRequest(ZPlanRequest.parse(input), today);

describe('buildOfflinePlan', () => {
  it.each<TPlanRequest>([
    { goal: 'Learn to juggle', durationWeeks: 1, dailyHours: 0.25 },
    { goal: 'Become fluent in Spanish', durationWeeks: 52, dailyHours: 12, level: 'advanced' },
    { goal: 'Run a half marathon', durationWeeks: 10, dailyHours: 1, level: 'intermediate' },
    {
      goal: 'Learn Python for data science',
      durationWeeks: 3,
      dailyHours: 2.5,
      startDate: '2024-02-27',
    },
    { goal: `Master ${'very '.repeat(90)}long goals`, durationWeeks: 7, dailyHours: 0.3 },
  ])('passes checkPlan unchanged for %j', (input) => {
    const request = resolve(input);
    const plan = buildOfflinePlan(request);
    expect(ZPlan.parse(plan)).toEqual(plan);
    expect(checkPlan(plan, request)).toEqual({ plan, fixes: [] });
    expect(plan.weeks).toHaveLength(request.durationWeeks);
  });

  it('fills the daily hours without exceeding them', () => {
    const request = resolve({ goal: 'Learn SQL', dailyHours: 1.5 });
    for (const day of buildOfflinePlan(request).weeks.flatMap((w) => w.days)) {
      const minutes = day.tasks.reduce((sum, t) => sum + t.effortMinutes, 0);
      expect(minutes).toBe(90);
    }
  });

  it('works more days a week at higher levels and rests on day 7', () => {
    const days = (level: 'beginner' | 'intermediate' | 'advanced') =>
      buildOfflinePlan(resolve({ goal: 'Learn SQL', level })).weeks[0]?.days.map((d) => d.day);
    expect(days('beginner')).toEqual([1, 2, 4, 5]);
    expect(days('intermediate')).toEqual([1, 2, 3, 4, 5]);
    expect(days('advanced')).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('moves from foundations through practice and projects to review', () => {
    const plan = buildOfflinePlan(resolve({ goal: 'Learn SQL', durationWeeks: 8 }));
    const themes = plan.weeks.map((w) => w.theme.split(':')[0]);
    expect(themes[0]).toBe('Foundations');
    expect(themes.at(-1)).toBe('Review');
    const order = ['Foundations', 'Practice', 'Projects', 'Review'];
    const firstPhase = themes.map((theme) => order.indexOf(theme?.split(' → ')[0] ?? ''));
    expect(firstPhase).toEqual([...firstPhase].sort((a, b) => a - b));
    expect(new Set(themes.flatMap((t) => t?.split(' → ') ?? []))).toEqual(new Set(order));
  });

  it('mentions the goal and says no AI model was used', () => {
    const plan = buildOfflinePlan(resolve({ goal: 'Learn SQL' }));
    expect(plan.title).toContain('Learn SQL');
    expect(plan.summary).toMatch(/without an AI model/);
    expect(plan.weeks[0]?.days[0]?.tasks[0]?.title).toContain('Learn SQL');
  });

  it('is deterministic', () => {
    const request = resolve({ goal: 'Learn SQL', durationWeeks: 5 });
    expect(buildOfflinePlan(request)).toEqual(buildOfflinePlan(request));
  });
});
