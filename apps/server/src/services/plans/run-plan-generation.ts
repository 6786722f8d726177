import { type GeneratedPlan, generatePlan } from '@stepwise/ai';
import { placeTasks, type TPlacedTask, type TPlanRequestResolved } from '@stepwise/ai/schema';
import { DomainError, isDomainError } from '@stepwise/core';
import {
  appendStreamEvent,
  finishGeneration,
  getGoalWithPlan,
  listStreamEvents,
  setGoalStatus,
  startGenerationAttempt,
  touchGeneration,
} from '@stepwise/db';
import type { AppServices } from '../app-services.js';
import { savePlanSnapshot } from '../goals/plan-versions.service.js';
import type { Jsonified, PlanProgressEvent, PlanProgressPhase } from './plan-events.js';

/** Thrown when the worker stops mid-generation: the job is retried, not failed. */
export class WorkerShutdownError extends Error {
  override readonly name = 'WorkerShutdownError';
}

type Services = Pick<AppServices, 'db' | 'ai' | 'hub' | 'logger' | 'env'>;

/**
 * One attempt at a plan generation: streams the model's plan, appending `status` and `task`
 * events as it goes, then stores goal, plan version and tasks in one transaction with the
 * `completed` event, or records `failed` with a specific code. Safe to run again after a
 * crash: an ended generation is left alone, and tasks already announced are not repeated.
 *
 * Throws only for faults worth a retry of the whole job (database unreachable, shutdown).
 */
export async function runPlanGeneration(
  services: Services,
  input: { generationId: string; signal?: AbortSignal; isLastAttempt: boolean },
): Promise<void> {
  const { db, hub, logger } = services;
  const generation = await startGenerationAttempt(db, input.generationId);
  if (!generation?.goal_id) return;
  const goalId = generation.goal_id;
  const log = logger.child({ generationId: generation.id, attempt: generation.attempts });
  const request = generation.input as unknown as TPlanRequestResolved;

  const cancel = new AbortController();
  const unsubscribe = hub.subscribe(generation.id, {
    onEvent: (event) => {
      if (event.type === 'failed') cancel.abort(new DomainError('CANCELLED', 'cancelled'));
    },
    onResync: () => {},
  });
  const onShutdown = () => cancel.abort(new WorkerShutdownError('worker shutting down'));
  input.signal?.addEventListener('abort', onShutdown);
  // Six beats per staleness window: one late beat never makes a live worker look dead.
  const heartbeat = setInterval(() => {
    touchGeneration(db, generation.id).catch((error: unknown) =>
      log.warn({ err: error }, 'heartbeat failed'),
    );
  }, services.env.WORKER_STALE_AFTER_MS / 6);

  // Events go out in order, one at a time, without holding up the model's stream.
  let writes: Promise<unknown> = Promise.resolve();
  const emit = (event: PlanProgressEvent) => {
    // Subscribers get it through NOTIFY, in commit order, like every other event.
    writes = writes.then(() =>
      appendStreamEvent(db, { generationId: generation.id, type: event.type, data: event }),
    );
  };
  const lastAnnounced = await lastAnnouncedTaskIndex(services, generation.id);
  let lastPhase: PlanProgressPhase | undefined;
  const onPhase = (phase: PlanProgressPhase) => {
    if (phase === lastPhase) return;
    lastPhase = phase;
    emit({ type: 'status', phase, attempt: generation.attempts });
  };
  const onTask = (task: TPlacedTask) => {
    if (task.position <= lastAnnounced) return;
    emit({ type: 'task', index: task.position, task });
  };

  try {
    let result: GeneratedPlan;
    try {
      result = await generatePlan({
        config: services.ai,
        request,
        signal: cancel.signal,
        onPhase,
        onTask,
      });
    } catch (error) {
      if (cancel.signal.reason instanceof WorkerShutdownError) throw cancel.signal.reason;
      throw error;
    }
    onPhase('saving');
    await writes;
    await storePlan(services, {
      generationId: generation.id,
      goalId,
      userId: generation.user_id,
      result,
      revision: generation.kind === 'revision',
    });
    log.info({ tasks: placeTasks(result.plan).length, offline: result.offline }, 'plan generated');
  } catch (error) {
    await writes.catch(() => {});
    if (error instanceof WorkerShutdownError) throw error;
    const domainError = isDomainError(error) ? error : undefined;
    if (!domainError && !input.isLastAttempt) {
      log.warn({ err: error }, 'generation attempt failed; the job will be retried');
      throw error;
    }
    if (!domainError) log.error({ err: error }, 'generation failed');
    await failGeneration(services, {
      generationId: generation.id,
      goalId,
      revision: generation.kind === 'revision',
      code: domainError?.code ?? 'INTERNAL',
      message: domainError?.message ?? 'the plan could not be generated',
    });
  } finally {
    clearInterval(heartbeat);
    unsubscribe();
    input.signal?.removeEventListener('abort', onShutdown);
  }
}

async function lastAnnouncedTaskIndex(services: Services, generationId: string): Promise<number> {
  const events = await listStreamEvents(services.db, { generationId, limit: 10_000 });
  let last = -1;
  for (const event of events) {
    if (event.type === 'task') last = Math.max(last, Number(event.data.index));
  }
  return last;
}

async function storePlan(
  services: Services,
  input: {
    generationId: string;
    goalId: string;
    userId: string;
    result: GeneratedPlan;
    revision: boolean;
  },
) {
  const { plan, usage, fixes } = input.result;
  await services.db.transaction().execute(async (trx) => {
    const finished = await finishGeneration(trx, {
      generationId: input.generationId,
      status: 'completed',
      usage,
      provider: input.result.provider,
      model: input.result.model,
      offline: input.result.offline,
    });
    // Cancelled while the model was writing: store nothing.
    if (!finished) return;
    const saved = await savePlanSnapshot(trx, {
      goalId: input.goalId,
      userId: input.userId,
      source: input.revision ? 'revised' : 'generated',
      plan,
      generationId: input.generationId,
    });
    // A first plan makes the goal active; a revision leaves its status as the person set it.
    if (!input.revision) await setGoalStatus(trx, { goalId: input.goalId, status: 'active' });
    const goal = await getGoalWithPlan(trx, { userId: input.userId, goalId: input.goalId });
    if (!goal) throw new DomainError('NOT_FOUND', 'goal deleted during generation');
    const { plan: _plan, tasks: _tasks, ...goalOnly } = goal;
    const completed: PlanProgressEvent = {
      type: 'completed',
      goal: toJson(goalOnly),
      plan: toJson(saved.planVersion),
      tasks: toJson(saved.tasks),
      fixes,
      offline: input.result.offline,
    };
    await appendStreamEvent(trx, {
      generationId: input.generationId,
      type: completed.type,
      data: completed,
    });
  });
}

export async function failGeneration(
  services: Services,
  input: {
    generationId: string;
    goalId: string;
    code: string;
    message: string;
    revision?: boolean;
  },
) {
  await services.db.transaction().execute(async (trx) => {
    const finished = await finishGeneration(trx, {
      generationId: input.generationId,
      status: 'failed',
      errorCode: input.code,
      errorMessage: input.message,
    });
    if (!finished) return;
    // A failed revision leaves the goal and its current plan as they were.
    if (!input.revision) {
      await setGoalStatus(trx, {
        goalId: input.goalId,
        status: 'failed',
        failureCode: input.code,
        failureMessage: input.message,
      });
    }
    const failed: PlanProgressEvent = { type: 'failed', code: input.code, message: input.message };
    await appendStreamEvent(trx, {
      generationId: input.generationId,
      type: failed.type,
      data: failed,
    });
  });
}

/** The JSON form of a DTO, as it is stored in the event log. */
function toJson<T>(value: T): Jsonified<T> {
  return JSON.parse(JSON.stringify(value)) as Jsonified<T>;
}
