import { sql } from 'kysely';
import type { Generation, GenerationStatus } from '../schema.js';
import type { Db } from './stream-events.queries.js';

/** A generation of `userId`, or undefined (also when it belongs to someone else). */
export async function findGeneration(
  db: Db,
  input: { userId: string; generationId: string },
): Promise<Generation | undefined> {
  return db
    .selectFrom('generations')
    .selectAll()
    .where('id', '=', input.generationId)
    .where('user_id', '=', input.userId)
    .executeTakeFirst();
}

export async function getGeneration(db: Db, generationId: string): Promise<Generation | undefined> {
  return db.selectFrom('generations').selectAll().where('id', '=', generationId).executeTakeFirst();
}

/** Claims a queued (or orphaned running) generation for a new attempt; undefined when it has ended. */
export async function startGenerationAttempt(
  db: Db,
  generationId: string,
): Promise<Generation | undefined> {
  return db
    .updateTable('generations')
    .set({
      status: 'running',
      attempts: sql`attempts + 1`,
      started_at: sql`coalesce(started_at, now())`,
      heartbeat_at: sql`now()`,
    })
    .where('id', '=', generationId)
    .where('status', 'in', ['queued', 'running'])
    .returningAll()
    .executeTakeFirst();
}

/** Records that a running generation's worker is alive; false once it is no longer running. */
export async function touchGeneration(db: Db, generationId: string): Promise<boolean> {
  const result = await db
    .updateTable('generations')
    .set({ heartbeat_at: sql`now()` })
    .where('id', '=', generationId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Ends a generation once: only a queued or running one changes. Returns false when it had
 * already ended (e.g. cancelled while the model was writing).
 */
export async function finishGeneration(
  db: Db,
  input: {
    generationId: string;
    status: Extract<GenerationStatus, 'completed' | 'failed' | 'cancelled'>;
    errorCode?: string | null;
    errorMessage?: string | null;
    usage?: { promptTokens: number; completionTokens: number; costUsd: number | null };
    provider?: string;
    model?: string;
    offline?: boolean;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('generations')
    .set({
      status: input.status,
      error_code: input.errorCode ?? null,
      error_message: input.errorMessage ?? null,
      finished_at: sql`now()`,
      ...(input.usage
        ? {
            prompt_tokens: input.usage.promptTokens,
            completion_tokens: input.usage.completionTokens,
            cost_usd: input.usage.costUsd,
          }
        : {}),
      ...(input.provider !== undefined ? { provider: input.provider } : {}),
      ...(input.model !== undefined ? { model: input.model } : {}),
      ...(input.offline !== undefined ? { offline: input.offline } : {}),
    })
    .where('id', '=', input.generationId)
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Running generations whose heartbeat is older than `staleMs`: their worker is gone. */
export async function listStaleGenerations(db: Db, staleMs: number): Promise<Generation[]> {
  return db
    .selectFrom('generations')
    .selectAll()
    .where('status', 'in', ['queued', 'running'])
    .where(
      sql<boolean>`coalesce(heartbeat_at, created_at) < now() - make_interval(secs => ${staleMs / 1000})`,
    )
    .limit(100)
    .execute();
}
