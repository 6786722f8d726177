import { addDays, type TPlan, type TPlanWeek, ZPlan } from '@stepwise/ai/schema';
import { DomainError } from '@stepwise/core';
import {
  type Database,
  getPlanWeekStats,
  getPlanWeekTasks,
  type Kysely,
  type TaskDto,
} from '@stepwise/db';

/** A stored snapshot as a plan; snapshots were validated when saved, so this only narrows. */
export function readSnapshot(plan: Record<string, unknown> | null): TPlan | null {
  if (!plan) return null;
  const parsed = ZPlan.safeParse(plan);
  if (!parsed.success) throw new DomainError('INTERNAL', 'stored plan snapshot is invalid');
  return parsed.data;
}

/** Day 1 of a plan week: weeks are rolling 7-day blocks, so any dated day gives it. */
function weekStart(week: TPlanWeek | undefined): string | null {
  const day = week?.days[0];
  return day ? addDays(day.date, -(day.day - 1)) : null;
}

export interface PlanWeekSummary {
  week: number;
  theme: string | null;
  startDate: string | null;
  endDate: string | null;
  taskCount: number;
  completedCount: number;
  effortMinutes: number;
  completedMinutes: number;
}

/**
 * The weeks of a goal's current plan: theme and date range from the snapshot, counts and
 * effort from the goal's tasks as they are now (so completions show). NOT_FOUND for someone
 * else's goal; no weeks before the first plan version.
 */
export async function getPlanWeeks(
  db: Kysely<Database>,
  input: { userId: string; goalId: string },
): Promise<PlanWeekSummary[]> {
  const data = await getPlanWeekStats(db, input);
  if (!data) throw new DomainError('NOT_FOUND', 'goal not found');
  const plan = readSnapshot(data.plan);
  const planWeeks = new Map((plan?.weeks ?? []).map((w) => [w.week, w]));
  const stats = new Map(data.weeks.map((w) => [w.week, w]));
  const numbers = [...new Set([...planWeeks.keys(), ...stats.keys()])].sort((a, b) => a - b);
  return numbers.map((week) => {
    const planWeek = planWeeks.get(week);
    const stat = stats.get(week);
    const start = weekStart(planWeek) ?? stat?.firstDate ?? null;
    return {
      week,
      theme: planWeek?.theme ?? null,
      startDate: start,
      endDate: planWeek && start ? addDays(start, 6) : (stat?.lastDate ?? null),
      taskCount: stat?.taskCount ?? 0,
      completedCount: stat?.completedCount ?? 0,
      effortMinutes: stat?.effortMinutes ?? 0,
      completedMinutes: stat?.completedMinutes ?? 0,
    };
  });
}

export interface PlanWeekView {
  week: number;
  theme: string | null;
  startDate: string | null;
  endDate: string | null;
  /** Days 1–7 in order, each with its tasks (by position); `date` null when unknown. */
  days: { day: number; date: string | null; tasks: TaskDto[] }[];
}

/** One week of a goal's current plan with its seven days and their tasks. */
export async function getPlanWeek(
  db: Kysely<Database>,
  input: { userId: string; goalId: string; week: number },
): Promise<PlanWeekView> {
  const data = await getPlanWeekTasks(db, input);
  if (!data) throw new DomainError('NOT_FOUND', 'goal not found');
  const planWeek = readSnapshot(data.plan)?.weeks.find((w) => w.week === input.week);
  if (!planWeek && data.tasks.length === 0) throw new DomainError('NOT_FOUND', 'week not found');
  const start = weekStart(planWeek);
  const days = Array.from({ length: 7 }, (_, i) => ({
    day: i + 1,
    date: start ? addDays(start, i) : null,
    tasks: [] as TaskDto[],
  }));
  for (const task of data.tasks) {
    const day = days[(task.day ?? 1) - 1];
    day?.tasks.push(task);
    if (day && !day.date && task.dueDate) day.date = task.dueDate;
  }
  return {
    week: input.week,
    theme: planWeek?.theme ?? null,
    startDate: start ?? days.find((d) => d.date)?.date ?? null,
    endDate: start ? addDays(start, 6) : null,
    days,
  };
}
