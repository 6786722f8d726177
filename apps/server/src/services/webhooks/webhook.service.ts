import { DomainError } from '@stepwise/core';
import {
  type Database,
  enqueueWebhookDeliveryJobs,
  getWebhookDelivery,
  insertPingDelivery,
  insertWebhook,
  type Kysely,
  reopenWebhookDelivery,
  setWebhookSecret,
  type WebhookDeliveryDto,
  type WebhookDto,
} from '@stepwise/db';
import { generateWebhookSecret } from './webhook-signature.js';

/** More than this many webhooks per person is a CONFLICT. */
export const MAX_WEBHOOKS_PER_USER = 20;

export const webhookNotFound = () => new DomainError('NOT_FOUND', 'webhook not found');
export const deliveryNotFound = () => new DomainError('NOT_FOUND', 'webhook delivery not found');

/** Registers a webhook with a new signing secret, answered in full this once. */
export function createWebhook(
  db: Kysely<Database>,
  input: { userId: string; url: string; eventTypes: string[]; description: string },
): Promise<WebhookDto> {
  return db.transaction().execute((trx) =>
    insertWebhook(trx, {
      ...input,
      eventTypes: [...new Set(input.eventTypes)],
      secret: generateWebhookSecret(),
      maxPerUser: MAX_WEBHOOKS_PER_USER,
    }),
  );
}

/**
 * A new signing secret, answered in full; the old one stops at once (attempts still to come,
 * retries included, are signed with the new one).
 */
export async function rotateWebhookSecret(
  db: Kysely<Database>,
  input: { userId: string; webhookId: string },
): Promise<WebhookDto> {
  const webhook = await setWebhookSecret(db, { ...input, secret: generateWebhookSecret() });
  if (!webhook) throw webhookNotFound();
  return webhook;
}

/**
 * Sends one of the person's deliveries again, now (succeeded, failed or waiting for a
 * retry): its attempts continue from the last number; past the attempt limit, one failure
 * ends it again.
 */
export function redeliverWebhook(
  db: Kysely<Database>,
  input: { userId: string; deliveryId: string },
): Promise<WebhookDeliveryDto> {
  return db.transaction().execute(async (trx) => {
    const reopened = await reopenWebhookDelivery(trx, input);
    if (!reopened) throw deliveryNotFound();
    await enqueueWebhookDeliveryJobs(trx, [
      { deliveryId: input.deliveryId, attempt: reopened.nextAttempt },
    ]);
    return (await getWebhookDelivery(trx, input))!;
  });
}

/**
 * Sends a 'ping' to one of the person's webhooks through the same path as events (signed,
 * retried, logged), whatever its event types and even while it is off.
 */
export function pingWebhook(
  db: Kysely<Database>,
  input: { userId: string; webhookId: string },
): Promise<WebhookDeliveryDto> {
  return db.transaction().execute(async (trx) => {
    const deliveryId = await insertPingDelivery(trx, input);
    if (!deliveryId) throw webhookNotFound();
    await enqueueWebhookDeliveryJobs(trx, [{ deliveryId, attempt: 1 }]);
    return (await getWebhookDelivery(trx, { userId: input.userId, deliveryId }))!;
  });
}
