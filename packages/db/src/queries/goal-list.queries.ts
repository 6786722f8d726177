import { DomainError } from '@stepwise/core';
import { sql } from 'kysely';
import type { GoalStatus } from '../schema.js';
import { type GoalDto, toGoalDto } from './dto.js';
import type { Db } from './stream-events.queries.js';

/** A page of a keyset-paginated list; `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * An opaque cursor: the sort key of the last row served and its id, base64url JSON. `kind`
 * names the list and sort it belongs to, so a cursor cannot be replayed against another sort.
 */
export function encodeCursor(kind: string, value: string | number | null, id: string): string {
  return Buffer.from(JSON.stringify([kind, value, id])).toString('base64url');
}

/** The sort key and id in `cursor`; BAD_REQUEST when it is malformed or from another sort. */
export function decodeCursor(
  kind: string,
  cursor: string,
): { value: string | number | null; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 3 && parsed[0] === kind) {
      const [, value, id] = parsed as [string, unknown, unknown];
      const validValue = value === null || typeof value === 'string' || typeof value === 'number';
      if (validValue && typeof id === 'string' && UUID.test(id)) return { value, id };
    }
  } catch {
    // fall through
  }
  throw new DomainError('BAD_REQUEST', 'invalid cursor (it belongs to another list or sort)');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface GoalListItem extends GoalDto {
  taskCount: number;
  completedCount: number;
}

/**
 * The caller's goals, newest first, with their task counts: keyset pagination over
 * `(created_at desc, id desc)` (index `goals_user_created_idx` / `goals_user_status_created_idx`).
 *
 * @example
 * const first = await listGoals(db, { userId, limit: 20 });
 * const second = await listGoals(db, { userId, limit: 20, cursor: first.nextCursor });
 */
export async function listGoals(
  db: Db,
  input: { userId: string; status?: GoalStatus; limit: number; cursor?: string | null },
): Promise<Page<GoalListItem>> {
  const after = input.cursor ? decodeCursor('goals', input.cursor) : undefined;
  let query = db
    .selectFrom('goals')
    .selectAll('goals')
    .select((eb) => [
      sql<string>`goals.created_at::text`.as('cursor_at'),
      eb
        .selectFrom('tasks')
        .select((t) => t.fn.countAll<string>().as('n'))
        .whereRef('tasks.goal_id', '=', 'goals.id')
        .as('task_count'),
      eb
        .selectFrom('tasks')
        .select((t) => t.fn.countAll<string>().as('n'))
        .whereRef('tasks.goal_id', '=', 'goals.id')
        .where('tasks.completed_at', 'is not', null)
        .as('completed_count'),
    ])
    .where('goals.user_id', '=', input.userId);
  if (input.status) query = query.where('goals.status', '=', input.status);
  if (after) {
    query = query.where(
      sql<boolean>`(goals.created_at, goals.id) < (${String(after.value)}::timestamptz, ${after.id}::uuid)`,
    );
  }
  const rows = await query
    .orderBy('goals.created_at', 'desc')
    .orderBy('goals.id', 'desc')
    .limit(input.limit + 1)
    .execute();
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ cursor_at: _, task_count, completed_count, ...row }) => ({
      ...toGoalDto(row),
      taskCount: Number(task_count ?? 0),
      completedCount: Number(completed_count ?? 0),
    })),
    nextCursor:
      rows.length > input.limit && last ? encodeCursor('goals', last.cursor_at, last.id) : null,
  };
}

/** True when `goalId` exists and belongs to `userId`. */
export async function isGoalOwnedBy(
  db: Db,
  input: { userId: string; goalId: string },
): Promise<boolean> {
  const row = await db
    .selectFrom('goals')
    .select('id')
    .where('id', '=', input.goalId)
    .where('user_id', '=', input.userId)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Changes a goal's title and/or status. Undefined when missing or someone else's; CONFLICT
 * when the goal is still generating or failed (its status belongs to the generation then).
 */
export async function updateGoal(
  db: Db,
  input: {
    userId: string;
    goalId: string;
    title?: string;
    status?: 'active' | 'completed' | 'archived';
  },
): Promise<GoalDto | undefined> {
  if (input.title === undefined && input.status === undefined) {
    throw new DomainError('BAD_REQUEST', 'nothing to update');
  }
  if (input.status !== undefined) {
    const current = await db
      .selectFrom('goals')
      .select('status')
      .where('id', '=', input.goalId)
      .where('user_id', '=', input.userId)
      .executeTakeFirst();
    if (!current) return undefined;
    if (current.status === 'generating' || current.status === 'failed') {
      throw new DomainError('CONFLICT', `a ${current.status} goal's status cannot be changed`);
    }
  }
  const row = await db
    .updateTable('goals')
    .set({
      ...(input.title !== undefined && { title: input.title }),
      ...(input.status !== undefined && { status: input.status }),
    })
    .where('id', '=', input.goalId)
    .where('user_id', '=', input.userId)
    .returningAll()
    .executeTakeFirst();
  return row && toGoalDto(row);
}

/** Deletes a goal with its plan versions, tasks, generations and chats (FK cascades). */
export async function deleteGoal(
  db: Db,
  input: { userId: string; goalId: string },
): Promise<boolean> {
  const result = await db
    .deleteFrom('goals')
    .where('id', '=', input.goalId)
    .where('user_id', '=', input.userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
