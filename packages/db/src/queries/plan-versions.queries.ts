import type { PlanVersionSource } from '../schema.js';
import { type PlanVersionDto, toPlanVersionDto } from './dto.js';
import { isGoalOwnedBy } from './goal-list.queries.js';
import type { Db } from './stream-events.queries.js';

export interface PlanVersionSummary {
  id: string;
  version: number;
  isCurrent: boolean;
  source: PlanVersionSource;
  title: string;
  summary: string;
  generationId: string | null;
  createdAt: Date;
}

/**
 * The versions of one of the caller's goals, newest first, without their snapshots.
 * Undefined when the goal is missing or someone else's.
 */
export async function listPlanVersions(
  db: Db,
  input: { userId: string; goalId: string },
): Promise<PlanVersionSummary[] | undefined> {
  if (!(await isGoalOwnedBy(db, input))) return undefined;
  const rows = await db
    .selectFrom('plan_versions')
    .select([
      'id',
      'version',
      'is_current',
      'source',
      'title',
      'summary',
      'generation_id',
      'created_at',
    ])
    .where('goal_id', '=', input.goalId)
    .orderBy('version', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    version: row.version,
    isCurrent: row.is_current,
    source: row.source,
    title: row.title,
    summary: row.summary,
    generationId: row.generation_id,
    createdAt: row.created_at,
  }));
}

/**
 * Some versions (with their snapshots) of one of the caller's goals, by version number;
 * the ones that do not exist, or are someone else's, are simply absent.
 */
export async function getPlanVersions(
  db: Db,
  input: { userId: string; goalId: string; versions: number[] },
): Promise<PlanVersionDto[]> {
  if (input.versions.length === 0) return [];
  const rows = await db
    .selectFrom('plan_versions')
    .selectAll()
    .where('goal_id', '=', input.goalId)
    .where('user_id', '=', input.userId)
    .where('version', 'in', input.versions)
    .execute();
  return rows.map(toPlanVersionDto);
}
