import {
  abandonWebhookDelivery,
  deactivateWebhook,
  enqueueWebhookDeliveryJobs,
  getWebhookDeliveryToSend,
  recordWebhookAttempt,
  type WebhookDeliveryStatus,
} from '@stepwise/db';
import type { AppServices } from '../app-services.js';
import { signWebhookPayload } from './webhook-signature.js';

export const WEBHOOK_USER_AGENT = 'Stepwise-Webhooks/1';

/**
 * How long to wait before attempt `attempt + 1` after attempt `attempt` failed:
 * `baseMs * 2^(attempt-1)`, spread by ±20% so that retries of many deliveries that failed
 * together (a receiver outage) do not return together.
 */
export function retryDelayMs(baseMs: number, attempt: number, random = Math.random()): number {
  return Math.round(baseMs * 2 ** (attempt - 1) * (0.8 + 0.4 * random));
}

/** What one POST to a receiver came to. */
interface AttemptResult {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * Sends attempt number `attempt` of a delivery and records it. The body is the stored
 * payload, the same bytes at every attempt; the signature (`stepwise-signature`) is made
 * afresh, with the current time. A 2xx answer ends the delivery as succeeded. Anything else
 * (another status, a redirect, a timeout, a refused connection) is recorded with its status
 * and error, and the next attempt is queued as a new job at `now + retryDelayMs`, up to
 * WEBHOOK_MAX_ATTEMPTS; then the delivery has failed. 410 Gone turns the webhook off.
 *
 * Idempotent: a delivery that is no longer pending, or whose attempt `attempt` was made
 * already, is left alone (a job run twice sends nothing twice, except when the process died
 * between the POST and its record: receivers dedupe on `stepwise-delivery-id`).
 */
export async function deliverWebhook(
  services: Pick<AppServices, 'db' | 'env' | 'logger'>,
  input: { deliveryId: string; attempt: number; signal?: AbortSignal },
): Promise<WebhookDeliveryStatus | 'skipped'> {
  const { db, env } = services;
  const delivery = await getWebhookDeliveryToSend(db, input.deliveryId);
  if (delivery?.status !== 'pending' || delivery.attempts >= input.attempt) {
    return 'skipped';
  }
  if (!delivery.webhookActive && delivery.eventType !== 'ping') {
    await abandonWebhookDelivery(db, { deliveryId: delivery.id, reason: 'webhook is turned off' });
    return 'failed';
  }
  const body = JSON.stringify(delivery.payload);
  const result = await post(delivery.url, {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': WEBHOOK_USER_AGENT,
      // A ping has no change event behind it.
      ...(delivery.eventType !== 'ping' && { 'stepwise-event-id': delivery.eventId }),
      'stepwise-event-type': delivery.eventType,
      'stepwise-delivery-id': delivery.id,
      'stepwise-signature': signWebhookPayload({
        secret: delivery.secret,
        body,
        timestamp: Math.floor(Date.now() / 1000),
      }),
    },
    timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    signal: input.signal,
  });
  // Stopped by our own shutdown: no answer to judge the receiver by. The job fails, and
  // graphile-worker runs it again later, with the same attempt number.
  input.signal?.throwIfAborted();

  const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  const gone = result.statusCode === 410;
  const retry = !ok && !gone && input.attempt < env.WEBHOOK_MAX_ATTEMPTS;
  const status: WebhookDeliveryStatus = ok ? 'succeeded' : retry ? 'pending' : 'failed';
  const nextAttemptAt = retry
    ? new Date(Date.now() + retryDelayMs(env.WEBHOOK_RETRY_BASE_MS, input.attempt))
    : null;
  await db.transaction().execute(async (trx) => {
    const recorded = await recordWebhookAttempt(trx, {
      deliveryId: delivery.id,
      attempt: input.attempt,
      ...result,
      status,
      nextAttemptAt,
    });
    if (!recorded) return;
    if (nextAttemptAt) {
      await enqueueWebhookDeliveryJobs(trx, [
        { deliveryId: delivery.id, attempt: input.attempt + 1, runAt: nextAttemptAt },
      ]);
    }
    if (gone) await deactivateWebhook(trx, delivery.webhookId);
  });
  if (!ok) {
    services.logger.info(
      {
        component: 'webhooks',
        webhookId: delivery.webhookId,
        deliveryId: delivery.id,
        attempt: input.attempt,
        statusCode: result.statusCode,
        error: result.error,
        nextAttemptAt,
        deactivated: gone,
      },
      'webhook delivery attempt failed',
    );
  }
  return status;
}

/** One POST, redirects not followed; never throws. */
async function post(
  url: string,
  input: {
    body: string;
    headers: Record<string, string>;
    timeoutMs: number;
    signal: AbortSignal | undefined;
  },
): Promise<AttemptResult> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(input.timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: input.headers,
      body: input.body,
      redirect: 'manual',
      signal: input.signal ? AbortSignal.any([timeout, input.signal]) : timeout,
    });
    // The answer's body is not kept: drop it, so the connection can be reused.
    await response.body?.cancel();
    const statusCode = response.status;
    const error =
      statusCode >= 300 && statusCode < 400
        ? `redirect to ${response.headers.get('location') ?? '(no location)'} not followed`
        : null;
    return { statusCode, error, durationMs: performance.now() - started };
  } catch (error) {
    return {
      statusCode: null,
      error: timeout.aborted ? `no answer within ${input.timeoutMs} ms` : describeFetchError(error),
      durationMs: performance.now() - started,
    };
  }
}

/** `fetch failed` says little; its cause (ECONNREFUSED, ENOTFOUND…) says what happened. */
function describeFetchError(error: unknown): string {
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string }) : undefined;
  const detail = cause?.code ?? cause?.message;
  const message = error instanceof Error ? error.message : String(error);
  return detail ? `${message}: ${detail}` : message;
}
