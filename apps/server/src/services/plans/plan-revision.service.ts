import { summarizePlan } from '@stepwise/ai';
import {
  placeTasks,
  resolvePlanRequest,
  type TPlan,
  type TPlanRequestResolved,
} from '@stepwise/ai/schema';
import { DomainError } from '@stepwise/core';
import { appendStreamEvent, type Database, getGoalWithPlan, type Kysely } from '@stepwise/db';
import type { AppServices } from '../app-services.js';
import type { PlanProgressEvent } from './plan-events.js';
import { enqueueGeneration, GENERATE_PLAN_TASK } from './plan-generation.service.js';
import { assignTaskKeys } from './task-keys.js';

/**
 * Starts a revision of a goal's current plan: a generation of kind `revision` whose request
 * is the goal's own, with the instructions and a summary of the current plan as notes (what an
 * LLM reads) and as `revision` the instructions, the current snapshot and which of its tasks
 * are done (what the offline planner works from). The timeline is the current plan's, plus any
 * weeks the instructions ask for (`resolvePlanRequest`). The result becomes a new current
 * version (source `revised`) that keeps completed tasks.
 * `enqueue: false` leaves running it to the caller (the chat reply runs it inline).
 */
export async function startPlanRevision(
  services: Pick<AppServices, 'db'>,
  input: { userId: string; goalId: string; instructions: string; enqueue: boolean },
): Promise<{ generationId: string }> {
  return services.db.transaction().execute(async (trx) => {
    const request = await revisionRequest(trx, input);
    const generation = await trx
      .insertInto('generations')
      .values({
        user_id: input.userId,
        goal_id: input.goalId,
        kind: 'revision',
        input: JSON.stringify(request),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const queued: PlanProgressEvent = {
      type: 'queued',
      generationId: generation.id,
      goalId: input.goalId,
    };
    await appendStreamEvent(trx, { generationId: generation.id, type: queued.type, data: queued });
    if (input.enqueue) {
      await enqueueGeneration(trx, GENERATE_PLAN_TASK, generation.id);
    }
    return { generationId: generation.id };
  });
}

async function revisionRequest(
  db: Kysely<Database>,
  input: { userId: string; goalId: string; instructions: string },
): Promise<TPlanRequestResolved> {
  const goal = await getGoalWithPlan(db, { userId: input.userId, goalId: input.goalId });
  if (!goal) throw new DomainError('NOT_FOUND', 'goal not found');
  if (!goal.plan) throw new DomainError('CONFLICT', 'the goal has no plan to revise yet');
  const current = goal.plan.plan as unknown as TPlan;
  const progress = goal.tasks.map((t) => ({
    title: t.title,
    week: t.week ?? 0,
    day: t.day ?? 0,
    completed: t.completedAt !== null,
  }));
  const base = goal.requirements as unknown as TPlanRequestResolved;
  // Completion follows task keys; the positions of done keys in the snapshot are what is kept.
  const doneKeys = new Set(
    goal.tasks.flatMap((t) => (t.completedAt !== null && t.taskKey ? [t.taskKey] : [])),
  );
  const completed = assignTaskKeys(placeTasks(current)).flatMap((key, position) =>
    doneKeys.has(key) ? [position] : [],
  );
  const notes = [
    base.notes ? `Original notes: ${base.notes}` : '',
    `Revise the current plan as follows: ${input.instructions}`,
    'Keep tasks that are already done, with the same titles, in the same weeks.',
    `Current plan (version ${goal.plan.version}):\n${summarizePlan(current, progress)}`,
  ]
    .filter(Boolean)
    .join('\n\n')
    .slice(0, 6_000);
  return resolvePlanRequest(
    { ...base, notes, revision: { instructions: input.instructions, current, completed } },
    base.startDate,
  );
}
