import { sql } from 'kysely';
import type { PlanVersionSource } from '../schema.js';
import { type PlanVersionDto, type TaskDto, toPlanVersionDto, toTaskDto } from './dto.js';
import type { Db } from './stream-events.queries.js';

export interface PlanTaskInput {
  taskKey: string;
  week: number;
  day: number;
  date: string;
  title: string;
  notes: string;
  category: string | null;
  effortMinutes: number | null;
  position: number;
  /** Done already (an imported plan); a task whose key was done before stays done anyway. */
  completedAt?: Date | null;
}

/**
 * Stores a plan as the goal's new current version and replaces the goal's tasks with its
 * tasks (one multi-row insert). Tasks whose `taskKey` existed before keep their completion,
 * so a revision never loses progress. Run it inside a transaction.
 */
export async function savePlanVersion(
  trx: Db,
  input: {
    goalId: string;
    userId: string;
    source: PlanVersionSource;
    title: string;
    summary: string;
    plan: Record<string, unknown>;
    generationId: string | null;
    tasks: PlanTaskInput[];
  },
): Promise<{ planVersion: PlanVersionDto; tasks: TaskDto[] }> {
  // Serialises concurrent saves for one goal (version numbers, the one-current rule).
  await trx.selectFrom('goals').select('id').where('id', '=', input.goalId).forUpdate().execute();
  await trx
    .updateTable('plan_versions')
    .set({ is_current: false })
    .where('goal_id', '=', input.goalId)
    .where('is_current', '=', true)
    .execute();

  const planVersion = await trx
    .insertInto('plan_versions')
    .values({
      goal_id: input.goalId,
      user_id: input.userId,
      // Under the goal's row lock: no other save can take the same number.
      version: sql<number>`(SELECT coalesce(max(version), 0) + 1 FROM plan_versions WHERE goal_id = ${input.goalId})`,
      is_current: true,
      source: input.source,
      title: input.title,
      summary: input.summary,
      plan: JSON.stringify(input.plan),
      generation_id: input.generationId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();

  const completed = await trx
    .deleteFrom('tasks')
    .where('goal_id', '=', input.goalId)
    .where('task_key', 'is not', null)
    .returning(['task_key', 'completed_at'])
    .execute();
  const completedAt = new Map(
    completed.filter((t) => t.completed_at !== null).map((t) => [t.task_key, t.completed_at]),
  );

  const tasks =
    input.tasks.length === 0
      ? []
      : await trx
          .insertInto('tasks')
          .values(
            input.tasks.map((task) => ({
              user_id: input.userId,
              goal_id: input.goalId,
              plan_version_id: planVersion.id,
              task_key: task.taskKey,
              week: task.week,
              day: task.day,
              title: task.title,
              notes: task.notes,
              category: task.category,
              effort_minutes: task.effortMinutes,
              start_date: task.date,
              due_date: task.date,
              position: task.position,
              completed_at: completedAt.get(task.taskKey) ?? task.completedAt ?? null,
            })),
          )
          .returningAll()
          .execute();
  tasks.sort((a, b) => a.position - b.position);
  return { planVersion: toPlanVersionDto(planVersion), tasks: tasks.map(toTaskDto) };
}
