import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { GoalStatus } from '../schema.js';
import {
  type GoalDto,
  type PlanVersionDto,
  type TaskDto,
  toGoalDto,
  toPlanVersionDto,
  toTaskDto,
} from './dto.js';
import { prepared } from './prepared.js';
import type { Db } from './stream-events.queries.js';

export interface GoalWithPlan extends GoalDto {
  plan: PlanVersionDto | null;
  tasks: TaskDto[];
}

export async function insertGoal(
  db: Db,
  input: {
    userId: string;
    title: string;
    requirements: Record<string, unknown>;
    status?: GoalStatus;
  },
): Promise<GoalDto> {
  const row = await db
    .insertInto('goals')
    .values({
      user_id: input.userId,
      title: input.title,
      requirements: JSON.stringify(input.requirements),
      status: input.status ?? 'generating',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toGoalDto(row);
}

const goalWithPlan = prepared((db, goalId: string, userId: string) =>
  db
    .selectFrom('goals')
    .selectAll('goals')
    .select((eb) => [
      jsonObjectFrom(
        eb
          .selectFrom('plan_versions')
          .selectAll('plan_versions')
          .whereRef('plan_versions.goal_id', '=', 'goals.id')
          .where('plan_versions.is_current', '=', true),
      ).as('current_plan'),
      jsonArrayFrom(
        eb
          .selectFrom('tasks')
          .selectAll('tasks')
          .whereRef('tasks.goal_id', '=', 'goals.id')
          .orderBy('tasks.week')
          .orderBy('tasks.position'),
      ).as('goal_tasks'),
    ])
    .where('goals.id', '=', goalId)
    .where('goals.user_id', '=', userId),
);

/**
 * A goal of `userId` with its current plan version and that version's tasks, in one round
 * trip (json aggregation; no N+1). Undefined when missing or someone else's.
 */
export async function getGoalWithPlan(
  db: Db,
  input: { userId: string; goalId: string },
): Promise<GoalWithPlan | undefined> {
  const [row] = await goalWithPlan.execute(db, input.goalId, input.userId);
  if (!row) return undefined;
  const { current_plan, goal_tasks, ...goal } = row;
  return {
    ...toGoalDto(goal),
    plan: current_plan ? toPlanVersionDto(current_plan) : null,
    tasks: goal_tasks.map(toTaskDto),
  };
}

export async function setGoalStatus(
  db: Db,
  input: {
    goalId: string;
    status: GoalStatus;
    failureCode?: string | null;
    failureMessage?: string | null;
  },
): Promise<void> {
  await db
    .updateTable('goals')
    .set({
      status: input.status,
      failure_code: input.failureCode ?? null,
      failure_message: input.failureMessage ?? null,
    })
    .where('id', '=', input.goalId)
    .execute();
}
