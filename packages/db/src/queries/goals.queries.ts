import { asPlainJson } from '@stepwise/core';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { GoalStatus } from '../schema.js';
import {
  type GoalDto,
  type GoalTaskDto,
  type PlanVersionDto,
  type PlanVersionSummaryDto,
  type TaskDto,
  toGoalDto,
  toGoalTaskDto,
  toPlanVersionDto,
  toTaskDto,
} from './dto.js';
import { prepared } from './prepared.js';
import type { Db } from './stream-events.queries.js';

export interface GoalWithPlan extends GoalDto {
  plan: PlanVersionDto | null;
  tasks: TaskDto[];
}

/** What `goal.get` answers: the plan's snapshot only when asked for. */
export interface GoalView extends GoalDto {
  plan: (PlanVersionSummaryDto & { plan?: Record<string, unknown> }) | null;
  tasks: GoalTaskDto[];
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

const GOAL_VIEW_TASK_COLUMNS = [
  'tasks.id',
  'tasks.week',
  'tasks.day',
  'tasks.title',
  'tasks.notes',
  'tasks.category',
  'tasks.effort_minutes',
  'tasks.priority',
  'tasks.tags',
  'tasks.start_date',
  'tasks.due_date',
  'tasks.due_time',
  'tasks.reminder_minutes',
  'tasks.recurrence',
  'tasks.completed_at',
  'tasks.position',
] as const;

const PLAN_SUMMARY_COLUMNS = [
  'plan_versions.id',
  'plan_versions.version',
  'plan_versions.source',
  'plan_versions.title',
  'plan_versions.summary',
  'plan_versions.generation_id',
  'plan_versions.created_at',
] as const;

const goalView = (withSnapshot: boolean) =>
  prepared((db, goalId: string, userId: string) =>
    db
      .selectFrom('goals')
      .select([
        'goals.id',
        'goals.title',
        'goals.status',
        'goals.requirements',
        'goals.failure_code',
        'goals.failure_message',
        'goals.created_at',
        'goals.updated_at',
      ])
      .select((eb) => [
        jsonObjectFrom(
          eb
            .selectFrom('plan_versions')
            .select(PLAN_SUMMARY_COLUMNS)
            .$if(withSnapshot, (q) => q.select('plan_versions.plan'))
            .whereRef('plan_versions.goal_id', '=', 'goals.id')
            .where('plan_versions.is_current', '=', true),
        ).as('current_plan'),
        jsonArrayFrom(
          eb
            .selectFrom('tasks')
            .select(GOAL_VIEW_TASK_COLUMNS)
            .whereRef('tasks.goal_id', '=', 'goals.id')
            .orderBy('tasks.week')
            .orderBy('tasks.position'),
        ).as('goal_tasks'),
      ])
      .where('goals.id', '=', goalId)
      .where('goals.user_id', '=', userId),
  );
const GOAL_VIEW = { lean: goalView(false), withSnapshot: goalView(true) };

/**
 * `goal.get`: a goal of `userId`, its current plan version (the snapshot only with
 * `withSnapshot`) and that goal's tasks with the fields a plan view shows, in one round trip.
 * Undefined when missing or someone else's.
 */
export async function getGoalView(
  db: Db,
  input: { userId: string; goalId: string; withSnapshot?: boolean },
): Promise<GoalView | undefined> {
  const query = input.withSnapshot ? GOAL_VIEW.withSnapshot : GOAL_VIEW.lean;
  const [row] = await query.execute(db, input.goalId, input.userId);
  if (!row) return undefined;
  const { current_plan: plan, goal_tasks, ...goal } = row;
  return {
    ...toGoalDto(goal),
    plan: plan && {
      id: plan.id,
      version: plan.version,
      source: plan.source,
      title: plan.title,
      summary: plan.summary,
      generationId: plan.generation_id,
      createdAt: new Date(plan.created_at),
      ...('plan' in plan ? { plan: asPlainJson(plan.plan as Record<string, unknown>) } : {}),
    },
    tasks: goal_tasks.map(toGoalTaskDto),
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
