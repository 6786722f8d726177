import { once } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWebhookHandler,
  type StepwiseEvent,
  verifySignature,
} from '../../examples/webhook-receiver.js';
import type { RunningServer } from '../server.js';
import { startTestServer } from '../testing/start-test-server.js';
import { signedInCaller } from '../testing/test-services.js';

let server: RunningServer;
const servers: Server[] = [];
beforeAll(async () => {
  // Retries 50 ms apart (2^n), 3 attempts at most; the worker picks a due retry up at its
  // next poll (2 s at most).
  server = await startTestServer({
    RUN_WORKER: 'true',
    WEBHOOK_RETRY_BASE_MS: '50',
    WEBHOOK_MAX_ATTEMPTS: '3',
  });
});
afterAll(async () => {
  await server.close();
  for (const receiver of servers) {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
});

interface RawRequest {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/**
 * The example receiver's handler on 127.0.0.1, behind a switch: the first `failFirst`
 * requests get a 500 before it sees them. Records every raw request and every event the
 * example accepted (it checks the signature with the webhook's secret, once known).
 */
async function startReceiver(options: { failFirst?: number } = {}) {
  const state = { secret: '', failFirst: options.failFirst ?? 0 };
  const requests: RawRequest[] = [];
  const events: StepwiseEvent[] = [];
  const receiver = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const entry = { headers: request.headers, body: body.toString('utf8'), status: 0 };
    requests.push(entry);
    response.once('finish', () => {
      entry.status = response.statusCode;
    });
    if (requests.length <= state.failFirst) {
      response.writeHead(500).end('down for maintenance');
      return;
    }
    // The same request, its body not yet read, for the example's handler.
    const replay = Object.assign(Readable.from([body]), {
      method: request.method,
      headers: request.headers,
    }) as unknown as IncomingMessage;
    await createWebhookHandler({
      secret: state.secret,
      onEvent: (event) => void events.push(event),
    })(replay, response);
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  servers.push(receiver);
  const port = (receiver.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/stepwise`, state, requests, events };
}

/** Polls `check` until it returns a value (not undefined), for up to `timeoutMs`. */
async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const signIn = () => signedInCaller(server.services);

describe('webhooks, end to end through the worker', () => {
  it('a webhook survives receiver failures and verifies', { timeout: 30_000 }, async () => {
    const { caller } = await signIn();
    const stranger = await signIn();
    const receiver = await startReceiver({ failFirst: 2 });
    const strangers = await startReceiver();
    const goalsOnly = await startReceiver();
    const webhook = await caller.webhook.create({
      url: receiver.url,
      eventTypes: ['task.completed'],
    });
    receiver.state.secret = webhook.secret;
    const other = await caller.webhook.create({ url: goalsOnly.url, eventTypes: ['goal.*'] });
    goalsOnly.state.secret = other.secret;
    const theirs = await stranger.caller.webhook.create({ url: strangers.url, eventTypes: ['*'] });
    strangers.state.secret = theirs.secret;

    const task = await caller.task.create({ title: 'Tempo run' });
    const { task: done } = await caller.task.setComplete({ taskId: task.id, completed: true });

    const delivery = await waitFor(async () => {
      const [first] = (await caller.webhook.deliveries({ webhookId: webhook.id })).items;
      return first?.status === 'succeeded' ? first : undefined;
    });
    // Only the event type asked for: task.created went nowhere.
    expect((await caller.webhook.deliveries({ webhookId: webhook.id })).items).toHaveLength(1);
    expect(delivery).toMatchObject({
      eventType: 'task.completed',
      lastStatusCode: 200,
      attempts: [
        { attempt: 1, statusCode: 500 },
        { attempt: 2, statusCode: 500 },
        { attempt: 3, statusCode: 200, error: null },
      ],
    });
    expect(receiver.requests.map((r) => r.status)).toEqual([500, 500, 200]);
    // Every attempt carries the same bytes; the receiver accepted the event once.
    expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
    expect(receiver.events).toEqual([delivery.payload]);
    expect(receiver.events[0]).toMatchObject({
      id: delivery.id,
      type: 'task.completed',
      data: { object: { id: task.id, completedAt: done.completedAt!.toISOString() } },
    });
    expect(receiver.requests[2]!.headers['stepwise-delivery-id']).toBe(delivery.id);

    // The example's verification holds the delivered request to its bytes and its time.
    const last = receiver.requests[2]!;
    const header = last.headers['stepwise-signature'] as string;
    const timestamp = Number(/t=(\d+)/.exec(header)![1]);
    expect(verifySignature({ secret: webhook.secret, rawBody: last.body, header })).toEqual({
      ok: true,
      timestamp,
    });
    expect(
      verifySignature({
        secret: webhook.secret,
        rawBody: last.body.replace('Tempo run', 'Easy run'),
        header,
      }),
    ).toEqual({ ok: false, reason: 'signature does not match' });
    expect(
      verifySignature({ secret: webhook.secret, rawBody: last.body, header, now: timestamp + 301 }),
    ).toEqual({ ok: false, reason: 'signature timestamp outside the 5-minute window' });

    // Neither my goals-only webhook nor another person's webhook got anything.
    expect(goalsOnly.requests).toEqual([]);
    expect(strangers.requests).toEqual([]);
    expect((await stranger.caller.webhook.deliveries({ webhookId: theirs.id })).items).toEqual([]);
    await expect(
      stranger.caller.webhook.redeliver({ deliveryId: delivery.id }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      stranger.caller.webhook.deliveries({ webhookId: webhook.id }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('delivers a generated plan’s tasks, committed together, from one dispatch, in event order', {
    timeout: 30_000,
  }, async () => {
    const { caller, user } = await signIn();
    const receiver = await startReceiver();
    const webhook = await caller.webhook.create({
      url: receiver.url,
      eventTypes: ['task.created'],
    });
    receiver.state.secret = webhook.secret;

    const { goalId } = await caller.plan.generate({
      goal: 'Run a half marathon',
      durationWeeks: 12,
      dailyHours: 1,
      level: 'beginner',
    });
    const goal = await waitFor(async () => {
      const view = await caller.goal.get({ goalId });
      return view.status === 'active' ? view : undefined;
    });
    const taskCount = goal.tasks.length;
    expect(taskCount).toBeGreaterThanOrEqual(40);
    const log = await waitFor(async () => {
      const page = await caller.webhook.deliveries({ webhookId: webhook.id, limit: 100 });
      const done = page.items.filter((d) => d.status === 'succeeded');
      return done.length >= taskCount ? page.items : undefined;
    });
    expect(log).toHaveLength(taskCount);
    // One dispatch transaction stored them all.
    expect(new Set(log.map((d) => d.createdAt.getTime())).size).toBe(1);
    const events = await server.services.db
      .selectFrom('change_events')
      .select(['id', 'entity_id'])
      .where('user_id', '=', user.id)
      .where('type', '=', 'task.created')
      .orderBy('id')
      .execute();
    const inEventOrder = [...log].reverse();
    expect(inEventOrder.map((d) => d.eventId)).toEqual(events.map((e) => e.id));
    expect(
      inEventOrder.map((d) => (d.payload.data as { object: { id: string } }).object.id),
    ).toEqual(events.map((e) => e.entity_id));
    expect(new Set(goal.tasks.map((t) => t.id))).toEqual(new Set(events.map((e) => e.entity_id)));
    // Each delivered exactly once.
    expect(receiver.requests).toHaveLength(taskCount);
    expect(new Set(receiver.events.map((e) => e.id))).toEqual(new Set(log.map((d) => d.id)));
  });

  it('gives up after the last attempt against a receiver that is down, and redelivers on demand', {
    timeout: 30_000,
  }, async () => {
    const { caller } = await signIn();
    // A port with nobody listening: connection refused.
    const closed = await startReceiver();
    const closedServer = servers.pop()!;
    await new Promise((resolve) => closedServer.close(resolve));
    const webhook = await caller.webhook.create({ url: closed.url, eventTypes: ['*'] });
    const ping = await caller.webhook.test({ webhookId: webhook.id });

    const failed = await waitFor(async () => {
      const [first] = (await caller.webhook.deliveries({ webhookId: webhook.id })).items;
      return first?.status === 'failed' ? first : undefined;
    });
    expect(failed.id).toBe(ping.id);
    expect(failed.attempts.map((a) => [a.attempt, a.statusCode])).toEqual([
      [1, null],
      [2, null],
      [3, null],
    ]);
    expect(failed.attempts.every((a) => a.error?.includes('ECONNREFUSED'))).toBe(true);
    expect(failed.nextAttemptAt).toBeNull();

    // The receiver is back, at a new address: a redelivery goes there, as attempt 4.
    const receiver = await startReceiver();
    receiver.state.secret = webhook.secret;
    await caller.webhook.update({ webhookId: webhook.id, url: receiver.url });
    await caller.webhook.redeliver({ deliveryId: ping.id });
    const delivered = await waitFor(async () => {
      const [first] = (await caller.webhook.deliveries({ webhookId: webhook.id })).items;
      return first?.status === 'succeeded' ? first : undefined;
    });
    expect(delivered.attempts.map((a) => [a.attempt, a.statusCode])).toEqual([
      [1, null],
      [2, null],
      [3, null],
      [4, 200],
    ]);
    expect(receiver.events).toMatchObject([
      { id: ping.id, type: 'ping', eventId: null, data: { object: { webhookId: webhook.id } } },
    ]);
  });
});
