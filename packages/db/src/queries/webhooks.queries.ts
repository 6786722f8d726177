import { randomUUID } from 'node:crypto';
import { DomainError } from '@stepwise/core';
import { type Selectable, type SqlBool, sql, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Database, WebhookDeliveryStatus, WebhooksTable } from '../schema.js';
import { decodeCursor, encodeCursor, type Page } from './goal-list.queries.js';
import type { Db } from './stream-events.queries.js';

/** graphile-worker task that turns a person's new change events into deliveries. */
export const WEBHOOK_DISPATCH_TASK = 'webhook-dispatch';
/** graphile-worker task that sends one attempt of one delivery. */
export const WEBHOOK_DELIVER_TASK = 'webhook-deliver';
/** One job per delivery at a time: a redelivery replaces a retry that is still waiting. */
export const webhookDeliveryJobKey = (deliveryId: string) => `webhook-delivery:${deliveryId}`;

/** Every change event type a webhook can ask for (the `record_change` trigger's types). */
export const WEBHOOK_EVENT_TYPES = [
  'goal.created',
  'goal.updated',
  'goal.deleted',
  'task.created',
  'task.updated',
  'task.completed',
  'task.reopened',
  'task.deleted',
  'plan_version.created',
  'plan_version.updated',
  'plan_version.deleted',
  'notification.created',
  'notification.updated',
  'notification.deleted',
] as const;

/** What `eventTypes` may hold: a type, every type of an entity (`task.*`), or all (`*`). */
export const WEBHOOK_EVENT_FILTERS = [
  ...WEBHOOK_EVENT_TYPES,
  'goal.*',
  'task.*',
  'plan_version.*',
  'notification.*',
  '*',
] as const;
export type WebhookEventFilter = (typeof WEBHOOK_EVENT_FILTERS)[number];

/** Whether a webhook subscribed to `filters` wants an event of `type`. */
export function webhookWantsEvent(filters: readonly string[], type: string): boolean {
  const entity = type.slice(0, type.indexOf('.'));
  return filters.some((filter) => filter === '*' || filter === type || filter === `${entity}.*`);
}

export interface WebhookDto {
  id: string;
  url: string;
  eventTypes: string[];
  description: string;
  active: boolean;
  /** The signing secret: in full from `create` and `rotateSecret` only, masked elsewhere. */
  secret: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface WebhookDeliveryAttemptDto {
  attempt: number;
  /** The receiver's HTTP status; null when no answer came (refused, timed out). */
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  createdAt: Date;
}

export interface WebhookDeliveryDto {
  id: string;
  webhookId: string;
  /** The change event delivered; null for a test ping. */
  eventId: string | null;
  eventType: string;
  status: WebhookDeliveryStatus;
  /** The JSON body sent (the same bytes at every attempt). */
  payload: Record<string, unknown>;
  lastStatusCode: number | null;
  lastError: string | null;
  /** When the next automatic attempt is due; null once succeeded or failed. */
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  /** Every attempt so far, oldest first. */
  attempts: WebhookDeliveryAttemptDto[];
}

/** Shows enough of a secret to tell two apart: `whsec_…x4Yz`. */
const maskSecret = (secret: string) =>
  `${secret.slice(0, secret.indexOf('_') + 1)}…${secret.slice(-4)}`;

function toWebhookDto(row: Selectable<WebhooksTable>, reveal: boolean): WebhookDto {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.event_types,
    description: row.description,
    active: row.active,
    secret: reveal ? row.secret : maskSecret(row.secret),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The person's newest change event id ('0' before any): where a new webhook starts. */
const latestEventIdOf = (userId: string) =>
  sql<string>`(SELECT coalesce(max(id), 0) FROM change_events WHERE user_id = ${userId})`;

/**
 * Registers a webhook. It starts at the person's newest change event, so it receives what
 * happens from now on, not the history. CONFLICT past `maxPerUser` webhooks (counted under a
 * per-person lock, so two concurrent calls cannot both take the last place).
 */
export async function insertWebhook(
  trx: Transaction<Database>,
  input: {
    userId: string;
    url: string;
    eventTypes: string[];
    description: string;
    secret: string;
    maxPerUser: number;
  },
): Promise<WebhookDto> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`webhooks:${input.userId}`}, 0))`.execute(
    trx,
  );
  const { count } = await trx
    .selectFrom('webhooks')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('user_id', '=', input.userId)
    .executeTakeFirstOrThrow();
  if (Number(count) >= input.maxPerUser) {
    throw new DomainError('CONFLICT', `at most ${input.maxPerUser} webhooks per person`);
  }
  const row = await trx
    .insertInto('webhooks')
    .values({
      user_id: input.userId,
      url: input.url,
      event_types: input.eventTypes,
      description: input.description,
      secret: input.secret,
      last_event_id: latestEventIdOf(input.userId),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toWebhookDto(row, true);
}

/** The person's webhooks, oldest first, secrets masked. */
export async function listWebhooks(db: Db, userId: string): Promise<WebhookDto[]> {
  const rows = await db
    .selectFrom('webhooks')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => toWebhookDto(row, false));
}

/**
 * Changes a webhook (secret masked in the answer). Turned on again, it skips what happened
 * while it was off: its cursor moves to the newest event. Undefined when missing or
 * someone else's.
 */
export async function updateWebhook(
  db: Db,
  input: {
    userId: string;
    webhookId: string;
    patch: { url?: string; eventTypes?: string[]; description?: string; active?: boolean };
  },
): Promise<WebhookDto | undefined> {
  const { patch } = input;
  const row = await db
    .updateTable('webhooks')
    .set((eb) => ({
      ...(patch.url !== undefined && { url: patch.url }),
      ...(patch.eventTypes !== undefined && { event_types: patch.eventTypes }),
      ...(patch.description !== undefined && { description: patch.description }),
      ...(patch.active !== undefined && {
        active: patch.active,
        last_event_id: patch.active
          ? eb
              .case()
              .when('active', '=', false)
              .then(latestEventIdOf(input.userId))
              .else(eb.ref('last_event_id'))
              .end()
          : eb.ref('last_event_id'),
      }),
    }))
    .where('id', '=', input.webhookId)
    .where('user_id', '=', input.userId)
    .returningAll()
    .executeTakeFirst();
  return row && toWebhookDto(row, false);
}

/** Deletes a webhook with its delivery log; false when missing or someone else's. */
export async function deleteWebhook(
  db: Db,
  input: { userId: string; webhookId: string },
): Promise<boolean> {
  const result = await db
    .deleteFrom('webhooks')
    .where('id', '=', input.webhookId)
    .where('user_id', '=', input.userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Replaces the signing secret (answered in full); undefined when missing or someone else's. */
export async function setWebhookSecret(
  db: Db,
  input: { userId: string; webhookId: string; secret: string },
): Promise<WebhookDto | undefined> {
  const row = await db
    .updateTable('webhooks')
    .set({ secret: input.secret })
    .where('id', '=', input.webhookId)
    .where('user_id', '=', input.userId)
    .returningAll()
    .executeTakeFirst();
  return row && toWebhookDto(row, true);
}

/** Turns a webhook off (its receiver answered 410 Gone). */
export async function deactivateWebhook(db: Db, webhookId: string): Promise<void> {
  await db.updateTable('webhooks').set({ active: false }).where('id', '=', webhookId).execute();
}

// ---------------------------------------------------------------------------------------
// Dispatch: change events -> deliveries

/** Ids of the person's active webhooks. */
export async function listActiveWebhookIds(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('webhooks')
    .select('id')
    .where('user_id', '=', userId)
    .where('active', '=', true)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => r.id);
}

export interface WebhookDispatchState {
  id: string;
  userId: string;
  eventTypes: string[];
  lastEventId: string;
}

/**
 * Locks an active webhook's row until the transaction ends and reads its cursor: two
 * dispatch jobs of one person (a running one and the one queued behind it) take turns,
 * and the second sees the cursor the first moved. Undefined when gone or inactive.
 */
export async function lockWebhookForDispatch(
  trx: Transaction<Database>,
  webhookId: string,
): Promise<WebhookDispatchState | undefined> {
  const row = await trx
    .selectFrom('webhooks')
    .select(['id', 'user_id', 'event_types', 'last_event_id'])
    .where('id', '=', webhookId)
    .where('active', '=', true)
    .forUpdate()
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      userId: row.user_id,
      eventTypes: row.event_types,
      lastEventId: row.last_event_id,
    }
  );
}

export interface NewWebhookDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  payload: Record<string, unknown>;
}

/**
 * Stores deliveries (one multi-row insert) and returns the ids of the new ones: a delivery
 * of the same event to the same webhook that exists already is left alone, so a dispatch
 * that runs twice creates nothing twice.
 */
export async function insertWebhookDeliveries(
  db: Db,
  deliveries: NewWebhookDelivery[],
): Promise<string[]> {
  if (deliveries.length === 0) return [];
  const rows = await db
    .insertInto('webhook_deliveries')
    .values(
      deliveries.map((d) => ({
        id: d.id,
        webhook_id: d.webhookId,
        event_id: d.eventId,
        event_type: d.eventType,
        payload: JSON.stringify(d.payload),
        next_attempt_at: sql<Date>`now()`,
      })),
    )
    .onConflict((oc) => oc.columns(['webhook_id', 'event_id']).doNothing())
    .returning('id')
    .execute();
  const inserted = new Set(rows.map((r) => r.id));
  // In the order given (event order), whatever order RETURNING used.
  return deliveries.filter((d) => inserted.has(d.id)).map((d) => d.id);
}

/** Moves a webhook's dispatch cursor: events up to `lastEventId` have been matched. */
export async function advanceWebhookCursor(
  db: Db,
  input: { webhookId: string; lastEventId: string },
): Promise<void> {
  await db
    .updateTable('webhooks')
    .set({ last_event_id: input.lastEventId })
    .where('id', '=', input.webhookId)
    .execute();
}

/**
 * Queues delivery attempts as `WEBHOOK_DELIVER_TASK` jobs, in one statement, inside the
 * caller's transaction. `runAt` (default now) schedules a retry. Each delivery's job key
 * makes a new attempt replace one that has not started.
 */
export async function enqueueWebhookDeliveryJobs(
  db: Db,
  jobs: { deliveryId: string; attempt: number; runAt?: Date }[],
): Promise<void> {
  if (jobs.length === 0) return;
  // Job failures (a database error) are retried by graphile-worker; receiver failures are
  // retried by the job itself, as a new job with a new attempt number.
  await sql`
    SELECT graphile_worker.add_job(
      ${WEBHOOK_DELIVER_TASK},
      json_build_object('deliveryId', j.delivery_id, 'attempt', j.attempt),
      run_at => j.run_at,
      job_key => j.job_key,
      max_attempts => 5
    )
    FROM unnest(
      ${jobs.map((j) => j.deliveryId)}::uuid[],
      ${jobs.map((j) => webhookDeliveryJobKey(j.deliveryId))}::text[],
      ${jobs.map((j) => j.attempt)}::int[],
      ${jobs.map((j) => j.runAt?.toISOString() ?? null)}::timestamptz[]
    ) WITH ORDINALITY AS j(delivery_id, job_key, attempt, run_at, n)
    ORDER BY j.n`.execute(db);
}

// ---------------------------------------------------------------------------------------
// Delivery attempts

export interface WebhookDeliveryToSend {
  id: string;
  webhookId: string;
  url: string;
  secret: string;
  webhookActive: boolean;
  eventId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  /** Attempts made so far. */
  attempts: number;
  payload: Record<string, unknown>;
}

/** A delivery with what sending it needs (the endpoint and its secret). */
export async function getWebhookDeliveryToSend(
  db: Db,
  deliveryId: string,
): Promise<WebhookDeliveryToSend | undefined> {
  const row = await db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
    .select([
      'd.id',
      'd.webhook_id',
      'w.url',
      'w.secret',
      'w.active',
      'd.event_id',
      'd.event_type',
      'd.status',
      'd.attempts',
      'd.payload',
    ])
    .where('d.id', '=', deliveryId)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      webhookId: row.webhook_id,
      url: row.url,
      secret: row.secret,
      webhookActive: row.active,
      eventId: row.event_id,
      eventType: row.event_type,
      status: row.status,
      attempts: row.attempts,
      payload: row.payload,
    }
  );
}

/**
 * Records attempt number `attempt` of a pending delivery and where it leaves the delivery:
 * succeeded, failed for good, or pending until `nextAttemptAt`. False, and nothing written,
 * when that attempt was recorded already or the delivery is no longer pending (a job that
 * ran twice).
 */
export async function recordWebhookAttempt(
  trx: Transaction<Database>,
  input: {
    deliveryId: string;
    attempt: number;
    statusCode: number | null;
    error: string | null;
    durationMs: number;
    status: WebhookDeliveryStatus;
    nextAttemptAt: Date | null;
  },
): Promise<boolean> {
  const updated = await trx
    .updateTable('webhook_deliveries')
    .set({
      attempts: input.attempt,
      status: input.status,
      last_status_code: input.statusCode,
      last_error: input.error,
      next_attempt_at: input.nextAttemptAt,
      delivered_at: input.status === 'succeeded' ? sql<Date>`now()` : null,
    })
    .where('id', '=', input.deliveryId)
    .where('status', '=', 'pending')
    .where('attempts', '=', input.attempt - 1)
    .returning('id')
    .executeTakeFirst();
  if (!updated) return false;
  await trx
    .insertInto('webhook_delivery_attempts')
    .values({
      delivery_id: input.deliveryId,
      attempt: input.attempt,
      status_code: input.statusCode,
      error: input.error,
      duration_ms: Math.round(input.durationMs),
    })
    .execute();
  return true;
}

/** Ends a pending delivery without an attempt (its webhook was turned off meanwhile). */
export async function abandonWebhookDelivery(
  db: Db,
  input: { deliveryId: string; reason: string },
): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ status: 'failed', last_error: input.reason, next_attempt_at: null })
    .where('id', '=', input.deliveryId)
    .where('status', '=', 'pending')
    .execute();
}

/**
 * Makes one of the person's deliveries pending again, due now, and answers the number of
 * its next attempt; undefined when missing or someone else's.
 */
export async function reopenWebhookDelivery(
  db: Db,
  input: { userId: string; deliveryId: string },
): Promise<{ nextAttempt: number } | undefined> {
  const row = await db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', next_attempt_at: sql<Date>`now()`, delivered_at: null })
    .where('id', '=', input.deliveryId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('webhooks')
          .select('webhooks.id')
          .whereRef('webhooks.id', '=', 'webhook_deliveries.webhook_id')
          .where('webhooks.user_id', '=', input.userId),
      ),
    )
    .returning('attempts')
    .executeTakeFirst();
  return row && { nextAttempt: row.attempts + 1 };
}

/**
 * A test ping to one of the person's webhooks, as a pending delivery of type 'ping' (its
 * event id is negative: no change event is behind it). Undefined when the webhook is
 * missing or someone else's.
 */
export async function insertPingDelivery(
  db: Db,
  input: { userId: string; webhookId: string },
): Promise<string | undefined> {
  const id = randomUUID();
  const row = await db
    .insertInto('webhook_deliveries')
    .columns(['id', 'webhook_id', 'event_id', 'event_type', 'payload', 'next_attempt_at'])
    .expression((eb) =>
      eb
        .selectFrom('webhooks')
        .select([
          sql<string>`${id}::uuid`.as('id'),
          'webhooks.id as webhook_id',
          sql<string>`-nextval('webhook_ping_ids')`.as('event_id'),
          sql<string>`'ping'`.as('event_type'),
          sql<string>`json_build_object(
            'id', ${id}::text,
            'eventId', NULL,
            'type', 'ping',
            'createdAt', ${new Date().toISOString()}::text,
            'data', json_build_object('object', json_build_object(
              'webhookId', webhooks.id, 'url', webhooks.url, 'eventTypes', webhooks.event_types
            ))
          )::jsonb`.as('payload'),
          sql<Date>`now()`.as('next_attempt_at'),
        ])
        .where('webhooks.id', '=', input.webhookId)
        .where('webhooks.user_id', '=', input.userId),
    )
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

// ---------------------------------------------------------------------------------------
// The delivery log

const CURSOR_KIND = 'webhook-deliveries';
/** Exact microseconds, in a form the cursor can carry and Postgres reads back as it was. */
const CREATED_AT_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z\|-?\d{1,19}$/;

function deliveriesQuery(db: Db, userId: string) {
  return db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
    .selectAll('d')
    .select((eb) => [
      sql<string>`to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(
        'created_at_text',
      ),
      jsonArrayFrom(
        eb
          .selectFrom('webhook_delivery_attempts as a')
          .select(['a.attempt', 'a.status_code', 'a.error', 'a.duration_ms', 'a.created_at'])
          .whereRef('a.delivery_id', '=', 'd.id')
          .orderBy('a.attempt'),
      ).as('attempt_rows'),
    ])
    .where('w.user_id', '=', userId);
}

type DeliveryRow = Awaited<
  ReturnType<ReturnType<typeof deliveriesQuery>['executeTakeFirstOrThrow']>
>;

function toDeliveryDto(row: DeliveryRow): WebhookDeliveryDto {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id.startsWith('-') ? null : row.event_id,
    eventType: row.event_type,
    status: row.status,
    payload: row.payload,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
    deliveredAt: row.delivered_at,
    createdAt: row.created_at,
    attempts: row.attempt_rows.map((a) => ({
      attempt: a.attempt,
      statusCode: a.status_code,
      error: a.error,
      durationMs: a.duration_ms,
      createdAt: new Date(a.created_at),
    })),
  };
}

/** One of the person's deliveries with its attempts; undefined when missing or someone else's. */
export async function getWebhookDelivery(
  db: Db,
  input: { userId: string; deliveryId: string },
): Promise<WebhookDeliveryDto | undefined> {
  const row = await deliveriesQuery(db, input.userId)
    .where('d.id', '=', input.deliveryId)
    .executeTakeFirst();
  return row && toDeliveryDto(row);
}

/**
 * A webhook's delivery log with each delivery's attempts: newest first, a commit's
 * deliveries in reverse event order; keyset-paginated (pass `nextCursor` back as `cursor`).
 * Undefined when the webhook is missing or someone else's.
 */
export async function listWebhookDeliveries(
  db: Db,
  input: {
    userId: string;
    webhookId: string;
    status?: WebhookDeliveryStatus;
    limit: number;
    cursor?: string | null;
  },
): Promise<Page<WebhookDeliveryDto> | undefined> {
  const owned = await db
    .selectFrom('webhooks')
    .select('id')
    .where('id', '=', input.webhookId)
    .where('user_id', '=', input.userId)
    .executeTakeFirst();
  if (!owned) return undefined;
  let query = deliveriesQuery(db, input.userId).where('d.webhook_id', '=', input.webhookId);
  if (input.status) query = query.where('d.status', '=', input.status);
  if (input.cursor) {
    const { value } = decodeCursor(CURSOR_KIND, input.cursor);
    if (typeof value !== 'string' || !CREATED_AT_TEXT.test(value)) {
      throw new DomainError('BAD_REQUEST', 'invalid cursor (it belongs to another list or sort)');
    }
    const [createdAt, eventId] = value.split('|') as [string, string];
    query = query.where(
      sql<SqlBool>`(d.created_at, d.event_id) < (${createdAt}::timestamptz, ${eventId}::bigint)`,
    );
  }
  const rows = await query
    .orderBy('d.created_at', 'desc')
    .orderBy('d.event_id', 'desc')
    .limit(input.limit + 1)
    .execute();
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(toDeliveryDto),
    nextCursor:
      rows.length > input.limit && last
        ? encodeCursor(CURSOR_KIND, `${last.created_at_text}|${last.event_id}`, last.id)
        : null,
  };
}
