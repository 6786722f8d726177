import http from 'node:http';
import https from 'node:https';
import {
  abandonWebhookDelivery,
  deactivateWebhook,
  enqueueWebhookDeliveryJobs,
  getWebhookDeliveryToSend,
  recordWebhookAttempt,
  type WebhookDeliveryStatus,
} from '@stepwise/db';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
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
    allowPrivateNetworks: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
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

/**
 * Agents that refuse, at connect time, any address that is not public unicast (loopback,
 * private, link-local such as cloud metadata at 169.254.169.254, unspecified): the check is
 * on the address the socket connects to, after DNS, so a name that resolves differently on
 * a second lookup cannot slip past it.
 */
const publicOnlyAgents = {
  'http:': new RequestFilteringHttpAgent({ keepAlive: true }),
  'https:': new RequestFilteringHttpsAgent({ keepAlive: true }),
};
const anyAddressAgents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/** One POST, redirects not followed; never throws. */
function post(
  url: string,
  input: {
    body: string;
    headers: Record<string, string>;
    timeoutMs: number;
    signal: AbortSignal | undefined;
    allowPrivateNetworks: boolean;
  },
): Promise<AttemptResult> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(input.timeoutMs);
  const target = new URL(url);
  const protocol = target.protocol === 'https:' ? 'https:' : 'http:';
  const agent = (input.allowPrivateNetworks ? anyAddressAgents : publicOnlyAgents)[protocol];
  const send = protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve) => {
    const done = (statusCode: number | null, error: string | null) =>
      resolve({ statusCode, error, durationMs: performance.now() - started });
    const request = send(
      target,
      {
        method: 'POST',
        agent,
        headers: { ...input.headers, 'content-length': String(Buffer.byteLength(input.body)) },
        signal: input.signal ? AbortSignal.any([timeout, input.signal]) : timeout,
      },
      (response) => {
        // The answer's body is not kept: drop it, so the connection can be reused.
        response.resume();
        const statusCode = response.statusCode ?? 0;
        done(
          statusCode,
          statusCode >= 300 && statusCode < 400
            ? `redirect to ${response.headers.location ?? '(no location)'} not followed`
            : null,
        );
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (timeout.aborted) done(null, `no answer within ${input.timeoutMs} ms`);
      else
        done(
          null,
          error.code && !error.message.includes(error.code)
            ? `${error.message}: ${error.code}`
            : error.message,
        );
    });
    request.end(input.body);
  });
}
