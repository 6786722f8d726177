import type { ChatToolCall } from '@stepwise/ai';
import { DomainError } from '@stepwise/core';
import { deleteTask, getGoalWithPlan, insertTask, listTasks, updateTask } from '@stepwise/db';
import type { AppServices } from '../app-services.js';
import { diffPlanVersions } from '../goals/plan-versions.service.js';
import { startPlanRevision } from '../plans/plan-revision.service.js';
import { runPlanGeneration } from '../plans/run-plan-generation.js';
import { setTaskComplete } from '../tasks/task.service.js';
import type { ChatStreamEvent } from './chat-events.js';

type Services = Pick<AppServices, 'db' | 'ai' | 'hub' | 'logger' | 'env'>;

export interface ToolContext {
  userId: string;
  /** The conversation's goal: the default for new tasks and what `revise_plan` revises. */
  goalId: string | null;
  signal?: AbortSignal | undefined;
  /** Appends a chat event (for `plan_updated`). */
  emit(event: ChatStreamEvent): Promise<void>;
}

const compactTask = (t: {
  id: string;
  title: string;
  dueDate: string | null;
  priority: string;
  completedAt: Date | null;
  week: number | null;
  day: number | null;
}) => ({
  id: t.id,
  title: t.title,
  dueDate: t.dueDate,
  priority: t.priority,
  done: t.completedAt !== null,
  week: t.week,
  day: t.day,
});

/**
 * Runs one agent tool call on the caller's own data. Every id is looked up together with the
 * caller's user id, so another user's task answers NOT_FOUND and is never touched. A thrown
 * error goes back to the model as the tool's result; the reply goes on.
 */
export async function executeChatTool(
  services: Services,
  context: ToolContext,
  call: ChatToolCall,
): Promise<unknown> {
  const { db } = services;
  const { userId } = context;
  const notFound = () => new DomainError('NOT_FOUND', 'no such task of yours');
  switch (call.name) {
    case 'list_tasks': {
      const { items } = await listTasks(db, {
        userId,
        filters: {
          status: call.args.status ?? 'open',
          ...(call.args.week !== undefined ? { week: call.args.week } : {}),
          ...(call.args.dueFrom ? { dueFrom: call.args.dueFrom } : {}),
          ...(call.args.dueTo ? { dueTo: call.args.dueTo } : {}),
          ...(call.args.search ? { search: call.args.search } : {}),
          ...(context.goalId ? { goalId: context.goalId } : {}),
        },
        sort: 'due',
        limit: Math.min(call.args.limit ?? 20, 50),
      });
      return { tasks: items.map(compactTask) };
    }
    case 'add_task': {
      const { goalId, ...fields } = call.args;
      const task = await insertTask(db, { userId, goalId: goalId ?? context.goalId, ...fields });
      return { task: compactTask(task) };
    }
    case 'update_task': {
      const { taskId, notes, ...fields } = call.args;
      const task = await updateTask(db, {
        userId,
        taskId,
        fields: { ...fields, ...(notes !== undefined ? { notes: notes ?? '' } : {}) },
      });
      if (!task) throw notFound();
      return { task: compactTask(task) };
    }
    case 'complete_task': {
      const { task, next } = await setTaskComplete(db, {
        userId,
        taskId: call.args.taskId,
        completed: call.args.completed ?? true,
      }).catch((error: unknown) => {
        throw error instanceof DomainError && error.code === 'NOT_FOUND' ? notFound() : error;
      });
      return { task: compactTask(task), next: next && compactTask(next) };
    }
    case 'delete_task': {
      if (!(await deleteTask(db, { userId, taskId: call.args.taskId }))) throw notFound();
      return { deleted: call.args.taskId };
    }
    case 'revise_plan':
      return revisePlan(services, context, call.args.instructions);
  }
}

/** Runs a revision through the plan pipeline inline and announces the new version. */
async function revisePlan(services: Services, context: ToolContext, instructions: string) {
  if (!context.goalId)
    throw new DomainError('BAD_REQUEST', 'this conversation is not about a goal with a plan');
  const before = await getGoalWithPlan(services.db, {
    userId: context.userId,
    goalId: context.goalId,
  });
  const { generationId } = await startPlanRevision(services, {
    userId: context.userId,
    goalId: context.goalId,
    instructions,
    enqueue: false,
  });
  await runPlanGeneration(services, { generationId, isLastAttempt: true, signal: context.signal });
  const generation = await services.db
    .selectFrom('generations')
    .select(['status', 'error_code', 'error_message'])
    .where('id', '=', generationId)
    .executeTakeFirstOrThrow();
  if (generation.status !== 'completed') {
    throw new DomainError(
      'CONFLICT',
      `the revision failed: ${generation.error_code} ${generation.error_message ?? ''}`,
    );
  }
  const after = await getGoalWithPlan(services.db, {
    userId: context.userId,
    goalId: context.goalId,
  });
  const version = after?.plan?.version ?? 0;
  const diff = before?.plan
    ? await diffPlanVersions(services.db, {
        userId: context.userId,
        goalId: context.goalId,
        from: before.plan.version,
        to: version,
      })
    : null;
  await context.emit({ type: 'plan_updated', goalId: context.goalId, version, generationId, diff });
  return {
    version,
    added: diff?.added ?? null,
    removed: diff?.removed ?? null,
    changed: diff?.changed ?? null,
  };
}
