import { createHmac, randomBytes } from 'node:crypto';

/** A new signing secret: `whsec_` and 32 random bytes, base64url. */
export const generateWebhookSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/**
 * The `stepwise-signature` header of a delivery: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>" keyed with the webhook's secret>`. A receiver recomputes v1 over the raw
 * bytes it got and rejects stale `t` (see `examples/webhook-receiver.ts`).
 *
 * @example
 * signWebhookPayload({ secret, body: '{"id":"…"}', timestamp: 1767225600 });
 * // 't=1767225600,v1=5f2b…'
 */
export function signWebhookPayload(input: {
  secret: string;
  body: string;
  timestamp: number;
}): string {
  const v1 = createHmac('sha256', input.secret)
    .update(`${input.timestamp}.${input.body}`)
    .digest('hex');
  return `t=${input.timestamp},v1=${v1}`;
}
