/**
 * A Stepwise webhook receiver in plain Node (no dependencies): it checks each delivery's
 * `stepwise-signature` over the raw body, prints the event and answers 200, or 400 when
 * the signature does not hold.
 *
 *   STEPWISE_WEBHOOK_SECRET=whsec_… PORT=4000 npx tsx examples/webhook-receiver.ts
 *
 * The header reads `t=<unix seconds>,v1=<hex>`, where the hex is the HMAC-SHA256, keyed
 * with the webhook's secret, of `<t>.<raw request body>`. Check it on the bytes received:
 * JSON parsed and serialised again is not the same text. Deliveries are retried, so the
 * same `stepwise-delivery-id` can arrive twice; use it to skip repeats.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';

/** Signatures older (or further ahead) than this are refused: a captured request cannot be replayed later. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

const MAX_BODY_BYTES = 1024 * 1024;

export type Verification = { ok: true; timestamp: number } | { ok: false; reason: string };

/**
 * Checks a `stepwise-signature` header against the raw body and the webhook's secret.
 *
 * @example
 * const result = verifySignature({ secret, rawBody, header: req.headers['stepwise-signature'] });
 * if (!result.ok) return reply(400, result.reason);
 */
export function verifySignature(input: {
  secret: string;
  rawBody: Buffer | string;
  header: string | string[] | undefined;
  /** Unix seconds; the clock by default. */
  now?: number;
}): Verification {
  if (typeof input.header !== 'string') return { ok: false, reason: 'no stepwise-signature' };
  const parts = input.header.split(',').map((part) => part.trim().split('='));
  const timestampText = parts.find(([key]) => key === 't')?.[1];
  const signatures = parts.filter(([key]) => key === 'v1').map(([, value]) => value ?? '');
  if (!timestampText || !/^\d{1,12}$/.test(timestampText) || signatures.length === 0) {
    return { ok: false, reason: 'malformed stepwise-signature' };
  }
  const timestamp = Number(timestampText);
  const now = input.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > SIGNATURE_TOLERANCE_SECONDS) {
    return { ok: false, reason: 'signature timestamp outside the 5-minute window' };
  }
  const expected = createHmac('sha256', input.secret)
    .update(`${timestampText}.`)
    .update(input.rawBody)
    .digest();
  const matches = signatures.some((hex) => {
    const given = Buffer.from(hex, 'hex');
    // Same length first: timingSafeEqual throws otherwise (a length says nothing secret).
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true, timestamp } : { ok: false, reason: 'signature does not match' };
}

/** What a delivery's body holds. */
export interface StepwiseEvent {
  /** The delivery's id (also in `stepwise-delivery-id`). */
  id: string;
  /** The change event's id, increasing per person; null for a 'ping'. */
  eventId: string | null;
  type: string;
  createdAt: string;
  data: { object: Record<string, unknown> };
}

/**
 * The request handler: POST only, body up to 1 MB, signature checked, then `onEvent`.
 * Answers 200 `{"received":true}`, or 400 with the reason.
 */
export function createWebhookHandler(options: {
  secret: string;
  onEvent: (event: StepwiseEvent, request: IncomingMessage) => void | Promise<void>;
}): RequestListener {
  return async (request, response) => {
    const reply = (status: number, body: Record<string, unknown>) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'POST') return reply(405, { error: 'POST only' });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return reply(413, { error: 'body too large' });
      chunks.push(chunk);
    }
    const rawBody = Buffer.concat(chunks);
    const verified = verifySignature({
      secret: options.secret,
      rawBody,
      header: request.headers['stepwise-signature'],
    });
    if (!verified.ok) return reply(400, { error: verified.reason });
    let event: StepwiseEvent;
    try {
      event = JSON.parse(rawBody.toString('utf8')) as StepwiseEvent;
    } catch {
      return reply(400, { error: 'body is not JSON' });
    }
    try {
      await options.onEvent(event, request);
    } catch (error) {
      console.error('handling the event failed', error);
      return reply(500, { error: 'handling the event failed' });
    }
    reply(200, { received: true });
  };
}

/** A receiver server (not listening yet): `createWebhookReceiver(opts).listen(4000)`. */
export function createWebhookReceiver(options: Parameters<typeof createWebhookHandler>[0]): Server {
  return createServer(createWebhookHandler(options));
}

// Run directly: listen on PORT and print every verified event.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const secret = process.env.STEPWISE_WEBHOOK_SECRET;
  if (!secret) {
    console.error('set STEPWISE_WEBHOOK_SECRET to the secret webhook.create answered');
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 4000);
  createWebhookReceiver({
    secret,
    onEvent: (event, request) => {
      console.log(
        `${event.type} (event ${event.eventId ?? '-'}, delivery ${request.headers['stepwise-delivery-id']})`,
        JSON.stringify(event.data.object),
      );
    },
  }).listen(port, () => console.log(`listening for Stepwise webhooks on http://localhost:${port}`));
}
