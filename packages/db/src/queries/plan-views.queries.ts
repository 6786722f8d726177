import type { ExpressionBuilder } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Database } from '../schema.js';
import { type TaskDto, toTaskDto } from './dto.js';
import type { Db } from './stream-events.queries.js';

export interface PlanWeekStatsRow {
  week: number;
  taskCount: number;
  completedCount: number;
  effortMinutes: number;
  completedMinutes: number;
  firstDate: string | null;
  lastDate: string | null;
}

/** The goal's current plan snapshot, as a `plan` column of a select from `goals`. */
const currentPlanSnapshot = (eb: ExpressionBuilder<Database, 'goals'>) =>
  eb
    .selectFrom('plan_versions')
    .select('plan')
    .whereRef('plan_versions.goal_id', '=', 'goals.id')
    .where('plan_versions.is_current', '=', true)
    .as('plan');

/**
 * The current plan snapshot of one of the caller's goals and its tasks aggregated per plan
 * week, in one round trip (served by `tasks_goal_week_idx`). Undefined when the goal is
 * missing or someone else's; `plan` is null before the first version exists.
 */
export async function getPlanWeekStats(
  db: Db,
  input: { userId: string; goalId: string },
): Promise<{ plan: Record<string, unknown> | null; weeks: PlanWeekStatsRow[] } | undefined> {
  const row = await db
    .selectFrom('goals')
    .select((eb) => [
      currentPlanSnapshot(eb),
      jsonArrayFrom(
        eb
          .selectFrom('tasks')
          .select((t) => [
            'tasks.week',
            t.fn.countAll<number>().as('task_count'),
            t.fn.count<number>('tasks.completed_at').as('completed_count'),
            t.fn.coalesce(t.fn.sum<number>('tasks.effort_minutes'), t.lit(0)).as('effort'),
            t.fn
              .coalesce(
                t.fn
                  .sum<number>('tasks.effort_minutes')
                  .filterWhere('tasks.completed_at', 'is not', null),
                t.lit(0),
              )
              .as('completed_effort'),
            t.fn.min<string | null>('tasks.due_date').as('first_date'),
            t.fn.max<string | null>('tasks.due_date').as('last_date'),
          ])
          .whereRef('tasks.goal_id', '=', 'goals.id')
          .where('tasks.week', 'is not', null)
          .groupBy('tasks.week')
          .orderBy('tasks.week'),
      ).as('weeks'),
    ])
    .where('goals.id', '=', input.goalId)
    .where('goals.user_id', '=', input.userId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    plan: (row.plan as Record<string, unknown> | null) ?? null,
    weeks: row.weeks.map((w) => ({
      week: Number(w.week),
      taskCount: Number(w.task_count),
      completedCount: Number(w.completed_count),
      effortMinutes: Number(w.effort),
      completedMinutes: Number(w.completed_effort),
      firstDate: w.first_date,
      lastDate: w.last_date,
    })),
  };
}

/**
 * The current plan snapshot of one of the caller's goals and the tasks of one plan week, by
 * day then position, in one round trip. Undefined when the goal is not the caller's.
 */
export async function getPlanWeekTasks(
  db: Db,
  input: { userId: string; goalId: string; week: number },
): Promise<{ plan: Record<string, unknown> | null; tasks: TaskDto[] } | undefined> {
  const row = await db
    .selectFrom('goals')
    .select((eb) => [
      currentPlanSnapshot(eb),
      jsonArrayFrom(
        eb
          .selectFrom('tasks')
          .selectAll('tasks')
          .whereRef('tasks.goal_id', '=', 'goals.id')
          .where('tasks.week', '=', input.week)
          .orderBy('tasks.day')
          .orderBy('tasks.position'),
      ).as('tasks'),
    ])
    .where('goals.id', '=', input.goalId)
    .where('goals.user_id', '=', input.userId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    plan: (row.plan as Record<string, unknown> | null) ?? null,
    tasks: row.tasks.map(toTaskDto),
  };
}
