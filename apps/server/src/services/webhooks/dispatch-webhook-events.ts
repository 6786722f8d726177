import { randomUUID } from 'node:crypto';
import {
  advanceWebhookCursor,
  type ChangePage,
  type Database,
  enqueueWebhookDeliveryJobs,
  insertWebhookDeliveries,
  type Kysely,
  listActiveWebhookIds,
  lockWebhookForDispatch,
  type NewWebhookDelivery,
  readChangePage,
  type Transaction,
  webhookWantsEvent,
} from '@stepwise/db';

/** Change events matched per webhook and transaction. */
const DISPATCH_BATCH = 500;

/**
 * Turns a person's new change events into deliveries, for each of their active webhooks:
 * in one transaction per batch, reads the events after the webhook's cursor, stores one
 * delivery per event its types match (the payload frozen now), queues a delivery job for
 * each, and moves the cursor. Run again, it finds nothing new to do; a delivery that exists
 * already is never created twice. Answers how many deliveries it created.
 *
 * The payload: `{ id: <delivery id>, eventId, type, createdAt, data: { object } }`, where
 * `object` is the current row as the procedures return it (a task, a goal, a plan version
 * without its snapshot, a notification), or `{ id }` once it is deleted.
 */
export async function dispatchWebhookEvents(
  db: Kysely<Database>,
  input: { userId: string },
): Promise<number> {
  let created = 0;
  for (const webhookId of await listActiveWebhookIds(db, input.userId)) {
    for (let more = true; more; ) {
      const batch = await db.transaction().execute((trx) => dispatchBatch(trx, webhookId));
      created += batch.created;
      more = batch.more;
    }
  }
  return created;
}

/** One batch of a webhook's events, under its row lock; `more` when the batch was full. */
async function dispatchBatch(
  trx: Transaction<Database>,
  webhookId: string,
): Promise<{ created: number; more: boolean }> {
  const webhook = await lockWebhookForDispatch(trx, webhookId);
  if (!webhook) return { created: 0, more: false };
  const { events, rows } = await readChangePage(trx, {
    userId: webhook.userId,
    afterId: webhook.lastEventId,
    limit: DISPATCH_BATCH,
  });
  const last = events.at(-1);
  if (!last) return { created: 0, more: false };
  const deliveries = events
    .filter((event) => webhookWantsEvent(webhook.eventTypes, event.type))
    .map((event): NewWebhookDelivery => {
      const id = randomUUID();
      const { createdAt, type } = event;
      const object = currentObject(rows, event);
      return {
        id,
        webhookId,
        eventId: event.id,
        eventType: type,
        payload: {
          id,
          eventId: event.id,
          type,
          createdAt: createdAt.toISOString(),
          data: { object },
        },
      };
    });
  const inserted = await insertWebhookDeliveries(trx, deliveries);
  await enqueueWebhookDeliveryJobs(
    trx,
    inserted.map((deliveryId) => ({ deliveryId, attempt: 1 })),
  );
  await advanceWebhookCursor(trx, { webhookId, lastEventId: last.id });
  return { created: inserted.length, more: events.length === DISPATCH_BATCH };
}

/** The entity's row as it is now, or `{ id }` once it is deleted (or gone since). */
function currentObject(rows: ChangePage['rows'], event: ChangePage['events'][number]): object {
  const byEntity = {
    goal: rows.goals,
    task: rows.tasks,
    plan_version: rows.planVersions,
    notification: rows.notifications,
  } as const;
  const row = event.action === 'deleted' ? undefined : byEntity[event.entity].get(event.entityId);
  return row ?? { id: event.entityId };
}
