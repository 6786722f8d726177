import { resolvePlanRequest, type TPlanRequest, ZPlanRequest } from '@stepwise/ai/schema';
import { DomainError } from '@stepwise/core';
import {
  appendStreamEvent,
  type Db,
  enqueueJob,
  findGeneration,
  finishGeneration,
  insertGoal,
  removeJob,
  setGoalStatus,
} from '@stepwise/db';
import type { AppServices } from '../app-services.js';
import { userToday } from '../tasks/local-date.js';
import type { PlanProgressEvent } from './plan-events.js';

export const GENERATE_PLAN_TASK = 'generate-plan';
export const generationJobKey = (generationId: string) => `generation:${generationId}`;

/**
 * Queues the job that runs a generation (plan, revision or chat reply), inside the
 * transaction that created it: one job per generation (its key), up to 3 attempts.
 */
export function enqueueGeneration(trx: Db, task: string, generationId: string) {
  return enqueueJob(trx, {
    task,
    payload: { generationId },
    jobKey: generationJobKey(generationId),
    maxAttempts: 3,
  });
}

/**
 * Creates the goal, its generation and the durable job in one transaction, and returns at
 * once; the model's work happens in the worker (see runPlanGeneration). Without a
 * `startDate` the plan starts on the person's today, in their time zone.
 */
export async function startPlanGeneration(
  services: Pick<AppServices, 'db'>,
  input: { userId: string; request: TPlanRequest; today?: string },
): Promise<{ goalId: string; generationId: string }> {
  const parsed = ZPlanRequest.parse(input.request);
  // The person's zone is read only when the plan's start date is left to default.
  const today = input.today ?? parsed.startDate ?? (await userToday(services.db, input.userId));
  const request = resolvePlanRequest(parsed, today);
  return services.db.transaction().execute(async (trx) => {
    const goal = await insertGoal(trx, {
      userId: input.userId,
      title: request.goal,
      requirements: request,
    });
    const generation = await trx
      .insertInto('generations')
      .values({
        user_id: input.userId,
        goal_id: goal.id,
        kind: 'plan',
        input: JSON.stringify(request),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const queued: PlanProgressEvent = {
      type: 'queued',
      generationId: generation.id,
      goalId: goal.id,
    };
    await appendStreamEvent(trx, { generationId: generation.id, type: queued.type, data: queued });
    await enqueueGeneration(trx, GENERATE_PLAN_TASK, generation.id);
    return { goalId: goal.id, generationId: generation.id };
  });
}

/**
 * Stops a generation: it ends as `cancelled` with a `failed { code: 'CANCELLED' }` event; a
 * job not yet started is removed, a running one notices the event and stops the model.
 */
export async function cancelGeneration(
  services: Pick<AppServices, 'db'>,
  input: { userId: string; generationId: string },
): Promise<{ cancelled: boolean }> {
  const generation = await findGeneration(services.db, input);
  // Plans and revisions only: replies end with chat.stop (their streams end with `end`).
  if (generation?.kind !== 'plan' && generation?.kind !== 'revision') {
    throw new DomainError('NOT_FOUND', 'generation not found');
  }
  return services.db.transaction().execute(async (trx) => {
    const cancelled = await finishGeneration(trx, {
      generationId: generation.id,
      status: 'cancelled',
      errorCode: 'CANCELLED',
      errorMessage: 'cancelled by the user',
    });
    if (!cancelled) return { cancelled: false };
    if (generation.goal_id && generation.kind === 'plan') {
      await setGoalStatus(trx, {
        goalId: generation.goal_id,
        status: 'failed',
        failureCode: 'CANCELLED',
        failureMessage: 'cancelled by the user',
      });
    }
    const failed: PlanProgressEvent = {
      type: 'failed',
      code: 'CANCELLED',
      message: 'cancelled by the user',
    };
    await appendStreamEvent(trx, { generationId: generation.id, type: failed.type, data: failed });
    await removeJob(trx, generationJobKey(generation.id));
    return { cancelled: true };
  });
}
