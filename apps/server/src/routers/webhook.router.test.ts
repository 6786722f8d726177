import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_WEBHOOKS_PER_USER } from '../services/webhooks/webhook.service.js';
import { createTestServices, signedInCaller, type TestServices } from '../testing/test-services.js';

let services: TestServices;
const userIds: string[] = [];
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(async () => {
  // No worker here: with their webhooks gone, the jobs queued for them do nothing later.
  await services.db.deleteFrom('webhooks').where('user_id', 'in', userIds).execute();
  await services.close();
});

async function signIn() {
  const signedIn = await signedInCaller(services);
  userIds.push(signedIn.user.id);
  return signedIn;
}

const RECEIVER = 'https://receiver.example.test/stepwise';

describe('webhook', () => {
  it('creates a webhook with its secret shown once, then lists, updates and deletes it', async () => {
    const { caller } = await signIn();
    const created = await caller.webhook.create({
      url: 'HTTPS://Receiver.Example.test/stepwise',
      eventTypes: ['task.completed', 'goal.*', 'task.completed'],
      description: ' CRM sync ',
    });
    expect(created).toMatchObject({
      url: RECEIVER,
      eventTypes: ['task.completed', 'goal.*'],
      description: 'CRM sync',
      active: true,
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const [listed] = await caller.webhook.list();
    expect(listed).toMatchObject({ id: created.id, url: RECEIVER });
    expect(listed!.secret).toBe(`whsec_…${created.secret.slice(-4)}`);

    const updated = await caller.webhook.update({
      webhookId: created.id,
      eventTypes: ['*'],
      active: false,
    });
    expect(updated).toMatchObject({ eventTypes: ['*'], active: false });
    expect(updated.secret).not.toBe(created.secret);

    const rotated = await caller.webhook.rotateSecret({ webhookId: created.id });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);

    expect(await caller.webhook.delete({ webhookId: created.id })).toEqual({
      webhookId: created.id,
    });
    expect(await caller.webhook.list()).toEqual([]);
    await expect(caller.webhook.delete({ webhookId: created.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('rejects unknown event types and URLs that are not plain http(s) with BAD_REQUEST', async () => {
    const { caller } = await signIn();
    const bad = [
      { url: RECEIVER, eventTypes: ['task.exploded'] },
      { url: RECEIVER, eventTypes: ['ping'] },
      { url: RECEIVER, eventTypes: [] },
      { url: 'ftp://receiver.example.test/x', eventTypes: ['*'] },
      { url: 'https://user:pass@receiver.example.test/x', eventTypes: ['*'] },
      { url: `https://receiver.example.test/${'a'.repeat(2000)}`, eventTypes: ['*'] },
      { url: 'not a url', eventTypes: ['*'] },
    ];
    for (const input of bad) {
      await expect(
        caller.webhook.create(input as never),
        JSON.stringify(input),
      ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    const webhook = await caller.webhook.create({ url: RECEIVER, eventTypes: ['*'] });
    await expect(caller.webhook.update({ webhookId: webhook.id })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(
      caller.webhook.deliveries({ webhookId: webhook.id, cursor: 'garbage' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it(`allows ${MAX_WEBHOOKS_PER_USER} webhooks per person, then answers CONFLICT`, async () => {
    const { caller } = await signIn();
    for (let i = 0; i < MAX_WEBHOOKS_PER_USER; i++) {
      await caller.webhook.create({ url: `${RECEIVER}/${i}`, eventTypes: ['*'] });
    }
    await expect(
      caller.webhook.create({ url: `${RECEIVER}/one-more`, eventTypes: ['*'] }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await caller.webhook.list()).toHaveLength(MAX_WEBHOOKS_PER_USER);
  });

  it('queues a signed ping as a delivery, and a delivery can be sent again', async () => {
    const { caller } = await signIn();
    const webhook = await caller.webhook.create({ url: RECEIVER, eventTypes: ['task.created'] });
    const ping = await caller.webhook.test({ webhookId: webhook.id });
    expect(ping).toMatchObject({
      webhookId: webhook.id,
      eventId: null,
      eventType: 'ping',
      status: 'pending',
      attempts: [],
      payload: { id: ping.id, eventId: null, type: 'ping', data: { object: { url: RECEIVER } } },
    });
    const again = await caller.webhook.redeliver({ deliveryId: ping.id });
    expect(again).toMatchObject({ id: ping.id, status: 'pending' });
    const log = await caller.webhook.deliveries({ webhookId: webhook.id });
    expect(log.items.map((d) => d.id)).toEqual([ping.id]);
    expect(
      (await caller.webhook.deliveries({ webhookId: webhook.id, status: 'succeeded' })).items,
    ).toEqual([]);
  });

  it("answers NOT_FOUND for another person's webhooks and deliveries", async () => {
    const owner = await signIn();
    const stranger = await signIn();
    const webhook = await owner.caller.webhook.create({ url: RECEIVER, eventTypes: ['*'] });
    const ping = await owner.caller.webhook.test({ webhookId: webhook.id });
    const notFound = { code: 'NOT_FOUND' };
    const { caller } = stranger;
    const webhookId = webhook.id;
    await expect(caller.webhook.update({ webhookId, active: false })).rejects.toMatchObject(
      notFound,
    );
    await expect(caller.webhook.delete({ webhookId })).rejects.toMatchObject(notFound);
    await expect(caller.webhook.rotateSecret({ webhookId })).rejects.toMatchObject(notFound);
    await expect(caller.webhook.deliveries({ webhookId })).rejects.toMatchObject(notFound);
    await expect(caller.webhook.test({ webhookId })).rejects.toMatchObject(notFound);
    await expect(caller.webhook.redeliver({ deliveryId: ping.id })).rejects.toMatchObject(notFound);
    expect(await caller.webhook.list()).toEqual([]);
    const [mine] = await owner.caller.webhook.list();
    expect(mine).toMatchObject({ id: webhookId, active: true, secret: expect.stringMatching(/…/) });
  });
});
