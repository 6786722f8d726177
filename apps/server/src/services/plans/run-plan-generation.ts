import { generatePlan } from '@stepwise/ai';
import { placeTasks, type TPlacedTask, type TPlanRequestResolved } from '@stepwise/ai/schema';
import { DomainError } from '@stepwise/core';
import { getGoalWithPlan, listStreamEvents, setGoalStatus } from '@stepwise/db';
import {
  type GenerationPipeline,
  type GenerationServices,
  type RunGenerationInput,
  runGeneration,
} from '../generations/run-generation.js';
import { savePlanSnapshot } from '../goals/plan-versions.service.js';
import {
  type Jsonified,
  PLAN_TERMINAL_TYPES,
  type PlanProgressEvent,
  type PlanProgressPhase,
} from './plan-events.js';

/**
 * Plan generations and revisions: streams the model's plan, emitting `status` and `task` events
 * as it goes, then stores goal, plan version and tasks in one transaction with the `completed`
 * event; a failure ends with `failed { code, message }` (and a failed goal, unless it was a
 * revision). Safe to run again after a crash: tasks already announced are not repeated.
 * Attempts, heartbeat, `plan.cancel`, ordered writes and the failure path are the harness's
 * (`runGeneration`).
 */
export const planPipeline: GenerationPipeline<PlanProgressEvent> = {
  kinds: ['plan', 'revision'],
  terminalTypes: PLAN_TERMINAL_TYPES,

  async run({ services, generation, log, signal, emit, complete }) {
    const goalId = generation.goal_id;
    if (!goalId) throw new DomainError('INTERNAL', 'the plan generation has no goal');
    const revision = generation.kind === 'revision';
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

    const result = await generatePlan({
      config: services.ai,
      request: generation.input as unknown as TPlanRequestResolved,
      signal,
      onPhase,
      onTask,
    });
    onPhase('saving');
    const { plan, fixes } = result;
    const stored = await complete(result, async (trx) => {
      const saved = await savePlanSnapshot(trx, {
        goalId,
        userId: generation.user_id,
        source: revision ? 'revised' : 'generated',
        plan,
        generationId: generation.id,
      });
      // A first plan makes the goal active; a revision leaves its status as the person set it.
      if (!revision) await setGoalStatus(trx, { goalId, status: 'active' });
      const goal = await getGoalWithPlan(trx, { userId: generation.user_id, goalId });
      if (!goal) throw new DomainError('NOT_FOUND', 'goal deleted during generation');
      const { plan: _plan, tasks: _tasks, ...goalOnly } = goal;
      return {
        type: 'completed',
        goal: toJson(goalOnly),
        plan: toJson(saved.planVersion),
        tasks: toJson(saved.tasks),
        fixes,
        offline: result.offline,
      };
    });
    if (stored)
      log.info({ tasks: placeTasks(plan).length, offline: result.offline }, 'plan generated');
  },

  async failed(trx, generation, failure) {
    // A failed revision leaves the goal and its current plan as they were.
    if (generation.kind !== 'revision' && generation.goal_id) {
      await setGoalStatus(trx, {
        goalId: generation.goal_id,
        status: 'failed',
        failureCode: failure.code,
        failureMessage: failure.message,
      });
    }
    return { type: 'failed', code: failure.code, message: failure.message };
  },
};

/** Runs one attempt of a plan or revision job; see `planPipeline`. */
export function runPlanGeneration(services: GenerationServices, input: RunGenerationInput) {
  return runGeneration(services, input, planPipeline);
}

async function lastAnnouncedTaskIndex(
  services: GenerationServices,
  generationId: string,
): Promise<number> {
  const events = await listStreamEvents(services.db, { generationId, limit: 10_000 });
  let last = -1;
  for (const event of events) {
    if (event.type === 'task') last = Math.max(last, Number(event.data.index));
  }
  return last;
}

/** The JSON form of a DTO, as it is stored in the event log. */
function toJson<T>(value: T): Jsonified<T> {
  return JSON.parse(JSON.stringify(value)) as Jsonified<T>;
}
