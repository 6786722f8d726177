import { sql } from 'kysely';
import type { Db } from './stream-events.queries.js';

/**
 * Enqueues a graphile-worker job inside the caller's transaction, so the job exists exactly
 * when the rows it works on do. `jobKey` makes a repeated enqueue replace, not duplicate.
 */
export async function enqueueJob(
  db: Db,
  input: { task: string; payload: Record<string, unknown>; jobKey?: string; maxAttempts?: number },
): Promise<void> {
  await sql`SELECT graphile_worker.add_job(
    ${input.task},
    ${JSON.stringify(input.payload)}::json,
    job_key => ${input.jobKey ?? null}::text,
    max_attempts => ${input.maxAttempts ?? 3}::int
  )`.execute(db);
}

/** Removes a job that has not started yet; a running job is left to notice cancellation. */
export async function removeJob(db: Db, jobKey: string): Promise<void> {
  await sql`SELECT graphile_worker.remove_job(${jobKey})`.execute(db);
}

/**
 * Worker ids holding locks, taken more than `olderThanMs` ago, on jobs with these keys: a
 * worker that locked a job just now has not had time to heartbeat, and is left alone.
 */
export async function lockedByForJobKeys(
  db: Db,
  jobKeys: string[],
  olderThanMs: number,
): Promise<string[]> {
  if (jobKeys.length === 0) return [];
  const { rows } = await sql<{ locked_by: string }>`
    SELECT DISTINCT locked_by FROM graphile_worker.jobs
    WHERE key = ANY(${jobKeys}::text[]) AND locked_by IS NOT NULL
      AND locked_at < now() - make_interval(secs => ${olderThanMs / 1000})`.execute(db);
  return rows.map((r) => r.locked_by);
}

/** Job keys that will still run (queued, locked, or waiting for a retry). */
export async function pendingJobKeys(db: Db, jobKeys: string[]): Promise<Set<string>> {
  if (jobKeys.length === 0) return new Set();
  const { rows } = await sql<{ key: string }>`
    SELECT key FROM graphile_worker.jobs
    WHERE key = ANY(${jobKeys}::text[]) AND attempts < max_attempts`.execute(db);
  return new Set(rows.map((r) => r.key));
}
