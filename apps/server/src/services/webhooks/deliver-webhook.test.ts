import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../../examples/webhook-receiver.js';
import {
  createTestServices,
  signedInCaller,
  type TestServices,
} from '../../testing/test-services.js';
import { deliverWebhook, retryDelayMs, WEBHOOK_USER_AGENT } from './deliver-webhook.js';
import { dispatchWebhookEvents } from './dispatch-webhook-events.js';

let services: TestServices;
const userIds: string[] = [];
const closers: (() => Promise<void>)[] = [];
beforeAll(async () => {
  services = await createTestServices({
    WEBHOOK_TIMEOUT_MS: '300',
    WEBHOOK_MAX_ATTEMPTS: '2',
    WEBHOOK_RETRY_BASE_MS: '10000',
  });
});
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  // No worker here: with their webhooks gone, the jobs queued for them do nothing later.
  await services.db.deleteFrom('webhooks').where('user_id', 'in', userIds).execute();
  await services.close();
});

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on 127.0.0.1 that records each request and answers with `answer`. */
async function startReceiver(answer: (response: ServerResponse, request: Received) => void) {
  const received: Received[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const entry = {
      path: request.url ?? '',
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    received.push(entry);
    answer(response, entry);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  closers.push(close);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

async function signIn() {
  const signedIn = await signedInCaller(services);
  userIds.push(signedIn.user.id);
  return signedIn;
}

const deliver = (deliveryId: string, attempt: number) =>
  deliverWebhook(services, { deliveryId, attempt });

describe('deliverWebhook', () => {
  it('POSTs the stored payload, signed, once per attempt, and records a 2xx as delivered', async () => {
    const receiver = await startReceiver((response) => response.writeHead(204).end());
    const { caller, user } = await signIn();
    const webhook = await caller.webhook.create({ url: receiver.url, eventTypes: ['*'] });
    const task = await caller.task.create({ title: 'Stretch' });
    await dispatchWebhookEvents(services.db, { userId: user.id });
    const [delivery] = (await caller.webhook.deliveries({ webhookId: webhook.id })).items;

    expect(await deliver(delivery!.id, 1)).toBe('succeeded');
    // The same job run again (a worker crash before it was marked done) sends nothing.
    expect(await deliver(delivery!.id, 1)).toBe('skipped');
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': WEBHOOK_USER_AGENT,
      'stepwise-event-id': delivery!.eventId,
      'stepwise-event-type': 'task.created',
      'stepwise-delivery-id': delivery!.id,
    });
    expect(JSON.parse(request!.body)).toEqual(delivery!.payload);
    expect(JSON.parse(request!.body).data.object.id).toBe(task.id);
    expect(
      verifySignature({
        secret: webhook.secret,
        rawBody: request!.body,
        header: request!.headers['stepwise-signature'],
      }),
    ).toMatchObject({ ok: true });
    const log = await caller.webhook.deliveries({ webhookId: webhook.id });
    expect(log.items[0]).toMatchObject({
      status: 'succeeded',
      lastStatusCode: 204,
      nextAttemptAt: null,
      deliveredAt: expect.any(Date),
      attempts: [{ attempt: 1, statusCode: 204, error: null }],
    });
  });

  it('refuses loopback, private and link-local addresses when private networks are not allowed', async () => {
    const receiver = await startReceiver((response) => response.writeHead(204).end());
    const { caller, user } = await signIn();
    // `localhost` too: the check is on the address connected to, after DNS.
    const webhook = await caller.webhook.create({
      url: receiver.url.replace('127.0.0.1', 'localhost'),
      eventTypes: ['*'],
    });
    await caller.task.create({ title: 'Stretch' });
    await dispatchWebhookEvents(services.db, { userId: user.id });
    const [delivery] = (await caller.webhook.deliveries({ webhookId: webhook.id })).items;
    const guarded = {
      ...services,
      env: { ...services.env, WEBHOOK_ALLOW_PRIVATE_NETWORKS: false },
    };

    expect(await deliverWebhook(guarded, { deliveryId: delivery!.id, attempt: 1 })).toBe('pending');
    expect(receiver.received).toHaveLength(0);
    const [logged] = (await caller.webhook.deliveries({ webhookId: webhook.id })).items;
    expect(logged!.attempts).toEqual([
      expect.objectContaining({
        attempt: 1,
        statusCode: null,
        error: expect.stringMatching(/private IP address/),
      }),
    ]);
    // The same delivery, allowed (as in development and tests), goes through.
    expect(await deliver(delivery!.id, 2)).toBe('succeeded');
    expect(receiver.received).toHaveLength(1);
  });

  it('retries a silent receiver after the backoff, as a new job, then fails after the last attempt', async () => {
    const receiver = await startReceiver(() => {
      // Never answers: the attempt times out (WEBHOOK_TIMEOUT_MS 300).
    });
    const { caller } = await signIn();
    const webhook = await caller.webhook.create({ url: receiver.url, eventTypes: ['*'] });
    const ping = await caller.webhook.test({ webhookId: webhook.id });

    const before = Date.now();
    expect(await deliver(ping.id, 1)).toBe('pending');
    const [pending] = (await caller.webhook.deliveries({ webhookId: webhook.id })).items;
    expect(pending).toMatchObject({
      status: 'pending',
      lastStatusCode: null,
      lastError: 'no answer within 300 ms',
      attempts: [{ attempt: 1, statusCode: null, error: 'no answer within 300 ms' }],
    });
    expect(pending!.attempts[0]!.durationMs).toBeGreaterThanOrEqual(290);
    // WEBHOOK_RETRY_BASE_MS (10 s) ± 20% after the first attempt.
    const wait = pending!.nextAttemptAt!.getTime() - before;
    expect(wait).toBeGreaterThanOrEqual(8_000);
    expect(wait).toBeLessThanOrEqual(12_000 + (Date.now() - before));
    const { rows: jobs } = await services.pool.query<{ run_at: Date }>(
      'SELECT run_at FROM graphile_worker.jobs WHERE key = $1',
      [`webhook-delivery:${ping.id}`],
    );
    expect(jobs.map((j) => j.run_at.getTime())).toEqual([pending!.nextAttemptAt!.getTime()]);

    // WEBHOOK_MAX_ATTEMPTS is 2: the second failure is the last.
    expect(await deliver(ping.id, 2)).toBe('failed');
    const [failed] = (await caller.webhook.deliveries({ webhookId: webhook.id })).items;
    expect(failed).toMatchObject({ status: 'failed', nextAttemptAt: null });
    expect(failed!.attempts.map((a) => a.attempt)).toEqual([1, 2]);
    expect(receiver.received).toHaveLength(2);
  });

  it('does not follow a redirect', async () => {
    const receiver = await startReceiver((response, request) => {
      if (request.path === '/moved') response.writeHead(200).end();
      else response.writeHead(302, { location: '/moved' }).end();
    });
    const { caller } = await signIn();
    const webhook = await caller.webhook.create({ url: `${receiver.url}/hook`, eventTypes: ['*'] });
    const ping = await caller.webhook.test({ webhookId: webhook.id });
    expect(await deliver(ping.id, 1)).toBe('pending');
    expect(receiver.received.map((r) => r.path)).toEqual(['/hook']);
    const [delivery] = (await caller.webhook.deliveries({ webhookId: webhook.id })).items;
    expect(delivery!.attempts).toMatchObject([
      { statusCode: 302, error: 'redirect to /moved not followed' },
    ]);
  });

  it('turns the webhook off when the receiver answers 410 Gone', async () => {
    const receiver = await startReceiver((response) => response.writeHead(410).end());
    const { caller } = await signIn();
    const webhook = await caller.webhook.create({ url: receiver.url, eventTypes: ['*'] });
    const ping = await caller.webhook.test({ webhookId: webhook.id });
    expect(await deliver(ping.id, 1)).toBe('failed');
    const [off] = await caller.webhook.list();
    expect(off).toMatchObject({ id: webhook.id, active: false });
    const [delivery] = (await caller.webhook.deliveries({ webhookId: webhook.id })).items;
    expect(delivery).toMatchObject({ status: 'failed', lastStatusCode: 410, nextAttemptAt: null });
  });

  it('drops event deliveries of a webhook turned off meanwhile, but still sends it a ping', async () => {
    const receiver = await startReceiver((response) => response.writeHead(200).end());
    const { caller, user } = await signIn();
    const webhook = await caller.webhook.create({ url: receiver.url, eventTypes: ['*'] });
    await caller.task.create({ title: 'Queued before the switch' });
    await dispatchWebhookEvents(services.db, { userId: user.id });
    await caller.webhook.update({ webhookId: webhook.id, active: false });
    const [event] = (await caller.webhook.deliveries({ webhookId: webhook.id })).items;
    expect(await deliver(event!.id, 1)).toBe('failed');
    const ping = await caller.webhook.test({ webhookId: webhook.id });
    expect(await deliver(ping.id, 1)).toBe('succeeded');
    expect(receiver.received.map((r) => r.headers['stepwise-event-type'])).toEqual(['ping']);
    const log = await caller.webhook.deliveries({ webhookId: webhook.id, status: 'failed' });
    expect(log.items).toMatchObject([{ id: event!.id, lastError: 'webhook is turned off' }]);
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base at each attempt, within ±20%', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(1_000, attempt, 0.5))).toEqual([
      1_000, 2_000, 4_000, 8_000,
    ]);
    expect(retryDelayMs(1_000, 3, 0)).toBe(3_200);
    expect(retryDelayMs(1_000, 3, 1)).toBe(4_800);
  });
});
