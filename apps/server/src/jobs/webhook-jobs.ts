import { WEBHOOK_DELIVER_TASK, WEBHOOK_DISPATCH_TASK } from '@stepwise/db';
import type { TaskList } from 'graphile-worker';
import { z } from 'zod';
import type { AppServices } from '../services/app-services.js';
import { deliverWebhook } from '../services/webhooks/deliver-webhook.js';
import { dispatchWebhookEvents } from '../services/webhooks/dispatch-webhook-events.js';

const ZDispatchPayload = z.object({ userId: z.string().min(1) });
const ZDeliverPayload = z.object({ deliveryId: z.uuid(), attempt: z.number().int().min(1) });

/**
 * The webhook jobs: `webhook-dispatch` (queued by the `change_events` trigger, one per
 * person) turns new change events into deliveries; `webhook-deliver` sends one attempt of
 * one delivery and queues the next on failure.
 */
export function webhookTasks(services: AppServices): TaskList {
  return {
    [WEBHOOK_DISPATCH_TASK]: async (payload) => {
      await dispatchWebhookEvents(services.db, ZDispatchPayload.parse(payload));
    },
    [WEBHOOK_DELIVER_TASK]: async (payload, helpers) => {
      await deliverWebhook(services, {
        ...ZDeliverPayload.parse(payload),
        signal: helpers.abortSignal,
      });
    },
  };
}
