import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhookPayload } from '../src/services/webhooks/webhook-signature.js';
import {
  createWebhookReceiver,
  SIGNATURE_TOLERANCE_SECONDS,
  type StepwiseEvent,
  verifySignature,
} from './webhook-receiver.js';

const secret = 'whsec_example-receiver-secret';
const events: StepwiseEvent[] = [];
const receiver = createWebhookReceiver({ secret, onEvent: (event) => void events.push(event) });
let url: string;
beforeAll(async () => {
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

const now = () => Math.floor(Date.now() / 1000);
const body = JSON.stringify({
  id: '5d0e7d43-7c6c-4a55-9d55-3f0f1f3e2a10',
  eventId: '42',
  type: 'task.completed',
  createdAt: '2026-12-02T16:00:00.000Z',
  data: { object: { id: 'b8a4a3f8-0f61-4a43-8d6b-52a8a0f1f111', title: 'Long run' } },
});

function post(rawBody: string, signature?: string) {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature !== undefined && { 'stepwise-signature': signature }),
    },
    body: rawBody,
  });
}

describe('the example webhook receiver', () => {
  it('accepts a delivery signed by Stepwise and hands over the event', async () => {
    const response = await post(body, signWebhookPayload({ secret, body, timestamp: now() }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true });
    expect(events.at(-1)).toEqual(JSON.parse(body));
  });

  it('rejects a tampered body, a re-serialised body, another secret and a stale signature', async () => {
    const signature = signWebhookPayload({ secret, body, timestamp: now() });
    const count = events.length;
    const cases: [string, string | undefined, string][] = [
      [body.replace('Long run', 'Short run'), signature, 'signature does not match'],
      [JSON.stringify(JSON.parse(body), null, 2), signature, 'signature does not match'],
      [
        body,
        signWebhookPayload({ secret: 'whsec_other', body, timestamp: now() }),
        'signature does not match',
      ],
      [
        body,
        signWebhookPayload({ secret, body, timestamp: now() - SIGNATURE_TOLERANCE_SECONDS - 5 }),
        'signature timestamp outside the 5-minute window',
      ],
      [body, undefined, 'no stepwise-signature'],
      [body, 'v1=abc', 'malformed stepwise-signature'],
      [body, `t=${now()},v1=zz`, 'signature does not match'],
    ];
    for (const [rawBody, header, reason] of cases) {
      const response = await post(rawBody, header);
      expect(response.status, reason).toBe(400);
      expect(await response.json()).toEqual({ error: reason });
    }
    expect(events).toHaveLength(count);
    expect((await fetch(url)).status).toBe(405);
  });

  it('accepts any of several v1 signatures (one per secret while rotating)', () => {
    const timestamp = now();
    const good = signWebhookPayload({ secret, body, timestamp }).split(',')[1];
    const other = signWebhookPayload({ secret: 'whsec_old', body, timestamp }).split(',')[1];
    expect(
      verifySignature({ secret, rawBody: body, header: `t=${timestamp},${other},${good}` }),
    ).toEqual({ ok: true, timestamp });
    expect(
      verifySignature({
        secret,
        rawBody: Buffer.from(body),
        header: `t=${timestamp},${good}`,
        now: timestamp + SIGNATURE_TOLERANCE_SECONDS + 1,
      }),
    ).toMatchObject({ ok: false });
  });
});
