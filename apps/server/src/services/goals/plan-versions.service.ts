import { placeTasks, type TPlan } from '@stepwise/ai/schema';
import { DomainError } from '@stepwise/core';
import {
  type Database,
  getPlanVersions,
  type Kysely,
  type PlanVersionDto,
  type PlanVersionSource,
  savePlanVersion,
  type TaskDto,
  type Transaction,
} from '@stepwise/db';
import { assignTaskKeys } from '../plans/task-keys.js';
import { diffPlans, type PlanDiff } from './plan-diff.js';
import { readSnapshot } from './plan-views.service.js';

/** The difference between two versions of a goal's plan (NOT_FOUND if either is missing). */
export async function diffPlanVersions(
  db: Kysely<Database>,
  input: { userId: string; goalId: string; from: number; to: number },
): Promise<PlanDiff & { from: number; to: number }> {
  const versions = await getPlanVersions(db, {
    userId: input.userId,
    goalId: input.goalId,
    versions: [input.from, input.to],
  });
  const from = versions.find((v) => v.version === input.from);
  const to = versions.find((v) => v.version === input.to);
  if (!from || !to) throw new DomainError('NOT_FOUND', 'plan version not found');
  return {
    from: input.from,
    to: input.to,
    ...diffPlans(readSnapshot(from.plan)!, readSnapshot(to.plan)!),
  };
}

/**
 * Saves `plan` as the goal's new current version, its tasks keyed as generation keys them
 * (`assignTaskKeys` over `placeTasks`), so completion carries over by key. Run it in a
 * transaction.
 */
export function savePlanSnapshot(
  trx: Transaction<Database>,
  input: {
    goalId: string;
    userId: string;
    plan: TPlan;
    source: PlanVersionSource;
    summary?: string;
    generationId?: string | null;
    /** When the task at each plan position was done, for a plan brought in done in part. */
    completedAt?: (Date | null)[];
  },
): Promise<{ planVersion: PlanVersionDto; tasks: TaskDto[] }> {
  const { plan } = input;
  const placed = placeTasks(plan);
  const keys = assignTaskKeys(placed);
  return savePlanVersion(trx, {
    goalId: input.goalId,
    userId: input.userId,
    source: input.source,
    title: plan.title,
    summary: input.summary ?? plan.summary,
    plan,
    generationId: input.generationId ?? null,
    tasks: placed.map((task, i) => ({
      taskKey: keys[i]!,
      week: task.week,
      day: task.day,
      date: task.date,
      title: task.title,
      notes: task.description,
      category: task.category,
      effortMinutes: task.effortMinutes,
      position: task.position,
      completedAt: input.completedAt?.[i] ?? null,
    })),
  });
}

/**
 * Makes an old version's snapshot the goal's new current version (source `restored`), with
 * its tasks; tasks whose key was completed stay completed. Concurrent restores queue on the
 * goal row (see `savePlanVersion`), and the partial unique index keeps one current version.
 */
export async function restorePlanVersion(
  db: Kysely<Database>,
  input: { userId: string; goalId: string; version: number },
): Promise<{ planVersion: PlanVersionDto; tasks: TaskDto[] }> {
  return db.transaction().execute(async (trx) => {
    const [source] = await getPlanVersions(trx, {
      userId: input.userId,
      goalId: input.goalId,
      versions: [input.version],
    });
    if (!source) throw new DomainError('NOT_FOUND', 'plan version not found');
    return savePlanSnapshot(trx, {
      goalId: input.goalId,
      userId: input.userId,
      plan: readSnapshot(source.plan)!,
      source: 'restored',
      summary: `Restored from version ${source.version}`,
    });
  });
}
