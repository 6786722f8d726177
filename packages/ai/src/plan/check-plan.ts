import { DomainError } from '@stepwise/core';
import type { TPlan, TPlanDay, TPlanTask, TPlanWeek } from './plan.schema.js';
import { planDate } from './plan-dates.js';
import type { TPlanRequestResolved } from './plan-request.schema.js';

/** A plan that satisfies the person's constraints, and what was changed to get there. */
export interface CheckedPlan {
  plan: TPlan;
  /** Human-readable descriptions of every change; empty when the plan was already valid. */
  fixes: string[];
}

const MIN_TASK_MINUTES = 5;

function reject(message: string, details?: Record<string, unknown>): never {
  throw new DomainError('PLAN_CONSTRAINTS', message, details ? { details } : {});
}

function sortedBy<T>(items: readonly T[], key: (item: T) => number): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => key(a.item) - key(b.item) || a.index - b.index)
    .map(({ item }) => item);
}

function totalMinutes(tasks: readonly TPlanTask[]): number {
  return tasks.reduce((sum, task) => sum + task.effortMinutes, 0);
}

/**
 * Scales a day's tasks down proportionally (in 5-minute steps, at least 5 minutes each), then
 * drops trailing tasks while the day is still over the limit. Tasks are written most important
 * first, so the trailing ones are the ones to lose.
 */
function fitDay(tasks: readonly TPlanTask[], capMinutes: number) {
  const before = totalMinutes(tasks);
  if (before <= capMinutes) return { tasks: [...tasks], scaled: false, dropped: 0 };
  const ratio = capMinutes / before;
  const scaled = tasks.map((task) => ({
    ...task,
    effortMinutes: Math.max(
      MIN_TASK_MINUTES,
      Math.floor((task.effortMinutes * ratio) / MIN_TASK_MINUTES) * MIN_TASK_MINUTES,
    ),
  }));
  let dropped = 0;
  while (totalMinutes(scaled) > capMinutes && scaled.length > 1) {
    scaled.pop();
    dropped++;
  }
  return { tasks: scaled, scaled: true, dropped };
}

/** Merges days that share a number (tasks kept in order) and orders days 1–7. */
function normalizeDays(days: readonly TPlanDay[]): { days: TPlanDay[]; merged: number } {
  const byDay = new Map<number, TPlanDay>();
  let merged = 0;
  for (const day of sortedBy(days, (d) => d.day)) {
    const existing = byDay.get(day.day);
    if (existing) {
      existing.tasks.push(...day.tasks);
      merged++;
    } else {
      byDay.set(day.day, { ...day, tasks: [...day.tasks] });
    }
  }
  return { days: [...byDay.values()], merged };
}

/**
 * Checks a validated plan against the person's constraints and fixes what can be fixed
 * deterministically; throws `DomainError('PLAN_CONSTRAINTS')` for what cannot.
 *
 * Rules, in order:
 * - a plan without weeks is rejected;
 * - weeks are sorted by their number (ties keep their order) and renumbered 1..n;
 * - weeks beyond `durationWeeks` are dropped;
 * - days are sorted by number and days sharing a number are merged;
 * - every date is recomputed from week and day (`planDate`: week w day d is
 *   `startDate + (w-1)*7 + (d-1)`), which keeps every date inside [startDate, endDate];
 * - days without tasks are dropped;
 * - a day over `dailyHours * 60` minutes has its efforts scaled down proportionally (5-minute
 *   steps, at least 5 minutes per task); if still over, its trailing tasks are dropped;
 * - a week left without tasks is rejected.
 *
 * @example
 * const { plan, fixes } = checkPlan(parsed, resolvePlanRequest(input, today));
 */
export function checkPlan(plan: TPlan, request: TPlanRequestResolved): CheckedPlan {
  const fixes: string[] = [];
  if (plan.weeks.length === 0) reject('the plan has no weeks');

  let weeks: TPlanWeek[] = sortedBy(plan.weeks, (w) => w.week);
  if (weeks.some((week, index) => week !== plan.weeks[index])) {
    fixes.push('weeks sorted by week number');
  }
  if (weeks.some((week, index) => week.week !== index + 1)) {
    fixes.push(`weeks renumbered 1–${weeks.length}`);
    weeks = weeks.map((week, index) => ({ ...week, week: index + 1 }));
  }
  if (weeks.length > request.durationWeeks) {
    const extra = weeks.length - request.durationWeeks;
    fixes.push(
      `dropped ${extra} week(s) beyond the ${request.durationWeeks}-week timeline ending ${request.endDate}`,
    );
    weeks = weeks.slice(0, request.durationWeeks);
  }

  const capMinutes = Math.floor(request.dailyHours * 60);
  let mergedDays = 0;
  let redatedDays = 0;
  let emptyDays = 0;
  let scaledDays = 0;
  let droppedTasks = 0;

  const checkedWeeks = weeks.map((week): TPlanWeek => {
    const normalized = normalizeDays(week.days);
    mergedDays += normalized.merged;
    const days: TPlanDay[] = [];
    for (const day of normalized.days) {
      if (day.tasks.length === 0) {
        emptyDays++;
        continue;
      }
      const date = planDate(request.startDate, week.week, day.day);
      if (date !== day.date) redatedDays++;
      const fitted = fitDay(day.tasks, capMinutes);
      if (fitted.scaled) scaledDays++;
      droppedTasks += fitted.dropped;
      days.push({ ...day, date, tasks: fitted.tasks });
    }
    if (days.length === 0) {
      reject(`week ${week.week} has no tasks`, { week: week.week });
    }
    return { ...week, days };
  });

  if (mergedDays > 0) fixes.push(`merged ${mergedDays} day(s) that repeated a day number`);
  if (redatedDays > 0) fixes.push(`recomputed ${redatedDays} date(s) from week and day`);
  if (emptyDays > 0) fixes.push(`dropped ${emptyDays} day(s) without tasks`);
  if (scaledDays > 0) {
    fixes.push(
      `scaled effort down on ${scaledDays} day(s) to fit ${request.dailyHours} h (${capMinutes} min) a day`,
    );
  }
  if (droppedTasks > 0) {
    fixes.push(`dropped ${droppedTasks} trailing task(s) that did not fit the daily limit`);
  }

  return { plan: { ...plan, weeks: checkedWeeks }, fixes };
}
