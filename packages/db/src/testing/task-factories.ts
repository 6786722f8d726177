import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, GoalsTable, Insertable, TasksTable } from '../index.js';

const suffix = () => randomBytes(4).toString('hex');

/** An active goal of `userId` with a plausible `requirements` object. */
export async function insertGoalRow(
  db: Kysely<Database>,
  userId: string,
  overrides: Partial<Insertable<GoalsTable>> = {},
) {
  return db
    .insertInto('goals')
    .values({
      user_id: userId,
      title: `Goal ${suffix()}`,
      requirements: JSON.stringify({ goal: 'test goal', durationWeeks: 2 }),
      status: 'active',
      ...overrides,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Tasks of `userId` in one multi-row insert; each entry overrides the random defaults. */
export async function insertTaskRows(
  db: Kysely<Database>,
  userId: string,
  tasks: Partial<Insertable<TasksTable>>[],
) {
  if (tasks.length === 0) return [];
  return db
    .insertInto('tasks')
    .values(tasks.map((task) => ({ user_id: userId, title: `Task ${suffix()}`, ...task })))
    .returningAll()
    .execute();
}

/**
 * A plan snapshot in the shape `@stepwise/ai`'s ZPlan validates: `weeks` of `days` of tasks,
 * dated from `startDate` (week w, day d = startDate + (w-1)*7 + (d-1)).
 *
 * @example
 * makePlan('2025-01-06', [[['Run 5k'], [], ['Stretch']]]); // week 1: day 1 and day 3
 */
export function makePlan(
  startDate: string,
  weeks: {
    theme?: string;
    days: (string | { title: string; effortMinutes?: number; description?: string })[][];
  }[],
) {
  const start = new Date(`${startDate}T00:00:00Z`).getTime();
  return {
    title: 'Test plan',
    summary: 'A plan made by makePlan',
    weeks: weeks.map((week, w) => ({
      week: w + 1,
      theme: week.theme ?? `Week ${w + 1}`,
      days: week.days.map((tasks, d) => ({
        day: d + 1,
        date: new Date(start + (w * 7 + d) * 86_400_000).toISOString().slice(0, 10),
        tasks: tasks.map((task) => {
          const t = typeof task === 'string' ? { title: task } : task;
          return {
            title: t.title,
            description: t.description ?? '',
            effortMinutes: t.effortMinutes ?? 30,
            category: 'practice',
          };
        }),
      })),
    })),
  };
}
