import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Database } from '../schema.js';

export type Db = Kysely<Database> | Transaction<Database>;

/** The NOTIFY channel every stream event is announced on. */
export const STREAM_EVENTS_CHANNEL = 'stepwise_stream_events';

/** Payloads above this are announced by id only (NOTIFY's limit is 8000 bytes). */
const INLINE_PAYLOAD_LIMIT = 7_000;

export interface StreamEventRow {
  id: string;
  generationId: string;
  type: string;
  data: Record<string, unknown>;
}

/**
 * What a NOTIFY on STREAM_EVENTS_CHANNEL carries: the event itself when it fits, otherwise
 * only its id (listeners then read it once from the table).
 */
export interface StreamEventNotice {
  id: string;
  generationId: string;
  event?: StreamEventRow;
}

/**
 * Appends an event to a generation's log and announces it. Call it inside the transaction
 * that makes the change the event reports: the NOTIFY is delivered only on commit.
 */
export async function appendStreamEvent(
  db: Db,
  input: { generationId: string; type: string; data: Record<string, unknown> },
): Promise<StreamEventRow> {
  const json = JSON.stringify(input.data);
  if (!db.isTransaction) return appendStreamEventAlone(db, input, json);
  // One writer per generation at a time, until commit: ids then commit in order, so a
  // subscriber that has seen id N can never later miss an id below N.
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${input.generationId}, 0))`.execute(db);
  const row = await db
    .insertInto('stream_events')
    .values({
      generation_id: input.generationId,
      type: input.type,
      data: json,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  const event: StreamEventRow = {
    id: row.id,
    generationId: input.generationId,
    type: input.type,
    data: input.data,
  };
  const full = JSON.stringify({ id: row.id, generationId: input.generationId, event });
  const payload =
    Buffer.byteLength(full) <= INLINE_PAYLOAD_LIMIT
      ? full
      : JSON.stringify({ id: row.id, generationId: input.generationId });
  await sql`SELECT pg_notify(${STREAM_EVENTS_CHANNEL}, ${payload})`.execute(db);
  return event;
}

/**
 * The same outside a transaction, in one round trip: lock, insert and NOTIFY in a single
 * statement, whose implicit transaction holds the lock until it commits. This is the hot path
 * of streamed chat tokens.
 */
async function appendStreamEventAlone(
  db: Db,
  input: { generationId: string; type: string; data: Record<string, unknown> },
  json: string,
): Promise<StreamEventRow> {
  const locked = sql`locked AS (SELECT pg_advisory_xact_lock(hashtextextended(${input.generationId}, 0)))`;
  // Unconditional: the statement always inserts its row.
  return (await appendInOneStatement(db, input, json, locked))!;
}

/**
 * Appends an event of a running generation, in one statement like the plain append, unless the
 * generation is no longer running (cancelled by `plan.cancel` or `chat.stop`, or ended by
 * another attempt): then nothing is written and the result is undefined. The status is read
 * after the log's lock is granted, with a fresh snapshot (`stream_event_lock_if_running`), so
 * a cancel (which updates the row, then appends its terminal event under that lock, in one
 * transaction) either comes after this event or is seen by it: no event of the worker lands
 * after the terminal event of a cancel. (Share-locking the generation's row instead wrote to
 * it on every streamed event: a quarter of the relay's throughput.)
 */
export function appendStreamEventWhileRunning(
  db: Db,
  input: { generationId: string; type: string; data: Record<string, unknown> },
): Promise<StreamEventRow | undefined> {
  const locked = sql`locked AS (
      SELECT 1 WHERE stream_event_lock_if_running(${input.generationId}::uuid)
    )`;
  return appendInOneStatement(db, input, JSON.stringify(input.data), locked);
}

/** Insert and NOTIFY after the `locked` CTE, which yields one row when the append may go on. */
async function appendInOneStatement(
  db: Db,
  input: { generationId: string; type: string; data: Record<string, unknown> },
  json: string,
  locked: RawBuilder<unknown>,
): Promise<StreamEventRow | undefined> {
  const inline =
    Buffer.byteLength(json) + Buffer.byteLength(input.type) + 200 <= INLINE_PAYLOAD_LIMIT;
  const { rows } = await sql<{ id: string }>`
    WITH ${locked},
    inserted AS (
      INSERT INTO stream_events (generation_id, type, data)
      SELECT ${input.generationId}::uuid, ${input.type}, ${json}::jsonb FROM locked
      RETURNING id
    )
    SELECT id::text AS id, pg_notify(${STREAM_EVENTS_CHANNEL}, CASE WHEN ${inline}::boolean
      THEN json_build_object('id', id::text, 'generationId', ${input.generationId}::text, 'event',
        json_build_object('id', id::text, 'generationId', ${input.generationId}::text,
          'type', ${input.type}::text, 'data', ${json}::json))::text
      ELSE json_build_object('id', id::text, 'generationId', ${input.generationId}::text)::text
    END) FROM inserted`.execute(db);
  const row = rows[0];
  return (
    row && { id: row.id, generationId: input.generationId, type: input.type, data: input.data }
  );
}

/** Events of one generation after `afterId`, oldest first. */
export async function listStreamEvents(
  db: Db,
  input: { generationId: string; afterId?: string | undefined; limit?: number },
): Promise<StreamEventRow[]> {
  const rows = await db
    .selectFrom('stream_events')
    .select(['id', 'generation_id', 'type', 'data'])
    .where('generation_id', '=', input.generationId)
    .$if(input.afterId !== undefined, (q) => q.where('id', '>', input.afterId!))
    .orderBy('id')
    .limit(input.limit ?? 1_000)
    .execute();
  return rows.map((r) => ({ id: r.id, generationId: r.generation_id, type: r.type, data: r.data }));
}

/** Whether the generation has an event of one of `types` at or before `atOrBeforeId`. */
export async function hasStreamEventOfType(
  db: Db,
  input: { generationId: string; atOrBeforeId: string; types: readonly string[] },
): Promise<boolean> {
  const row = await db
    .selectFrom('stream_events')
    .select('id')
    .where('generation_id', '=', input.generationId)
    .where('id', '<=', input.atOrBeforeId)
    .where('type', 'in', [...input.types])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** One event by id (for notices that carried only the id). */
export async function getStreamEvent(db: Db, id: string): Promise<StreamEventRow | undefined> {
  const row = await db
    .selectFrom('stream_events')
    .select(['id', 'generation_id', 'type', 'data'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row && { id: row.id, generationId: row.generation_id, type: row.type, data: row.data };
}

/** NOTIFY channel of the `record_change` trigger; the payload is the changed person's id. */
export const CHANGES_CHANNEL = 'stepwise_changes';
