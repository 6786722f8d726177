import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertUser } from '../testing/factories.js';
import { insertTaskRows } from '../testing/task-factories.js';
import { type TestDatabase, useTestDatabase } from '../testing/test-database.js';
import { readChangePage } from './change-events.queries.js';
import {
  insertPingDelivery,
  insertWebhook,
  insertWebhookDeliveries,
  listWebhookDeliveries,
  lockWebhookForDispatch,
  recordWebhookAttempt,
  updateWebhook,
  WEBHOOK_DISPATCH_TASK,
  webhookWantsEvent,
} from './webhooks.queries.js';

let database: TestDatabase;
const userIds: string[] = [];
beforeAll(async () => {
  database = await useTestDatabase();
});
afterAll(async () => {
  // No worker runs here: drop what a worker of a later test file would otherwise pick up.
  await sql`SELECT graphile_worker.remove_job(key) FROM graphile_worker.jobs
    WHERE key = ANY(${userIds.map((id) => `webhook-dispatch:${id}`)}::text[])
       OR key IN (SELECT 'webhook-delivery:' || d.id FROM webhook_deliveries d
                  JOIN webhooks w ON w.id = d.webhook_id WHERE w.user_id = ANY(${userIds}::text[]))`.execute(
    database.db,
  );
  await database.db.deleteFrom('webhooks').where('user_id', 'in', userIds).execute();
  await database.close();
});

async function newUser() {
  const user = await insertUser(database.db);
  userIds.push(user.id);
  return user;
}

function addWebhook(
  userId: string,
  overrides: { eventTypes?: string[]; maxPerUser?: number } = {},
) {
  return database.db.transaction().execute((trx) =>
    insertWebhook(trx, {
      userId,
      url: 'https://receiver.example.test/hooks',
      eventTypes: overrides.eventTypes ?? ['*'],
      description: '',
      secret: `whsec_${randomUUID()}`,
      maxPerUser: overrides.maxPerUser ?? 20,
    }),
  );
}

const dispatchJobs = (userId: string) =>
  database.db
    .selectFrom(
      sql<{ key: string; task_identifier: string; revision: number }>`graphile_worker.jobs`.as(
        'jobs',
      ),
    )
    .select(['key', 'task_identifier', 'revision'])
    .where('key', '=', `webhook-dispatch:${userId}`)
    .execute();

describe('the webhook dispatch trigger', () => {
  it('queues one dispatch job per person and commit, only for people with an active webhook', async () => {
    const [withWebhook, without, switchedOff] = await Promise.all([
      newUser(),
      newUser(),
      newUser(),
    ]);
    await addWebhook(withWebhook.id);
    const off = await addWebhook(switchedOff.id);
    await updateWebhook(database.db, {
      userId: switchedOff.id,
      webhookId: off.id,
      patch: { active: false },
    });

    // 40 tasks in one commit: 40 change events, one add_job call.
    await insertTaskRows(
      database.db,
      withWebhook.id,
      Array.from({ length: 40 }, (_, i) => ({ title: `Task ${i}` })),
    );
    await insertTaskRows(database.db, without.id, [{}, {}]);
    await insertTaskRows(database.db, switchedOff.id, [{}, {}]);

    expect(await dispatchJobs(withWebhook.id)).toEqual([
      {
        key: `webhook-dispatch:${withWebhook.id}`,
        task_identifier: WEBHOOK_DISPATCH_TASK,
        revision: 0,
      },
    ]);
    expect(await dispatchJobs(without.id)).toEqual([]);
    expect(await dispatchJobs(switchedOff.id)).toEqual([]);
    const { events } = await readChangePage(database.db, {
      userId: withWebhook.id,
      afterId: '0',
      limit: 100,
    });
    expect(events.map((e) => e.type)).toEqual(Array(40).fill('task.created'));

    // A later commit replaces the waiting job instead of adding a second one.
    await insertTaskRows(database.db, withWebhook.id, [{}]);
    expect(await dispatchJobs(withWebhook.id)).toMatchObject([{ revision: 1 }]);
  });

  it('starts a new webhook after the events that came before it', async () => {
    const user = await newUser();
    await insertTaskRows(database.db, user.id, [{}, {}]);
    const webhook = await addWebhook(user.id);
    const [later] = await insertTaskRows(database.db, user.id, [{}]);
    const state = await database.db
      .transaction()
      .execute((trx) => lockWebhookForDispatch(trx, webhook.id));
    const pending = await readChangePage(database.db, {
      userId: user.id,
      afterId: state!.lastEventId,
      limit: 100,
    });
    expect(pending.events.map((e) => e.entityId)).toEqual([later!.id]);
  });

  it('skips what happened while a webhook was off when it is turned on again', async () => {
    const user = await newUser();
    const webhook = await addWebhook(user.id);
    await updateWebhook(database.db, {
      userId: user.id,
      webhookId: webhook.id,
      patch: { active: false },
    });
    await insertTaskRows(database.db, user.id, [{}, {}]);
    const on = await updateWebhook(database.db, {
      userId: user.id,
      webhookId: webhook.id,
      patch: { active: true },
    });
    expect(on?.active).toBe(true);
    const state = await database.db
      .transaction()
      .execute((trx) => lockWebhookForDispatch(trx, webhook.id));
    const pending = await readChangePage(database.db, {
      userId: user.id,
      afterId: state!.lastEventId,
      limit: 100,
    });
    expect(pending.events).toEqual([]);
  });
});

describe('webhook queries', () => {
  it('matches event types exactly, by entity wildcard, or all', () => {
    expect(webhookWantsEvent(['task.completed'], 'task.completed')).toBe(true);
    expect(webhookWantsEvent(['task.completed'], 'task.created')).toBe(false);
    expect(webhookWantsEvent(['task.*'], 'task.deleted')).toBe(true);
    expect(webhookWantsEvent(['task.*'], 'goal.deleted')).toBe(false);
    expect(webhookWantsEvent(['plan_version.*'], 'plan_version.created')).toBe(true);
    expect(webhookWantsEvent(['goal.updated', '*'], 'notification.created')).toBe(true);
  });

  it('refuses a webhook past the per-person limit with CONFLICT', async () => {
    const user = await newUser();
    await addWebhook(user.id, { maxPerUser: 2 });
    await addWebhook(user.id, { maxPerUser: 2 });
    await expect(addWebhook(user.id, { maxPerUser: 2 })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('never stores a delivery twice, nor records an attempt twice', async () => {
    const user = await newUser();
    const webhook = await addWebhook(user.id);
    const delivery = {
      id: randomUUID(),
      webhookId: webhook.id,
      eventId: '123456789',
      eventType: 'task.created',
      payload: { hello: 'world' },
    };
    expect(await insertWebhookDeliveries(database.db, [delivery])).toEqual([delivery.id]);
    expect(await insertWebhookDeliveries(database.db, [{ ...delivery, id: randomUUID() }])).toEqual(
      [],
    );

    const attempt = {
      deliveryId: delivery.id,
      attempt: 1,
      statusCode: 500,
      error: null,
      durationMs: 12.4,
      status: 'pending' as const,
      nextAttemptAt: new Date(Date.now() + 60_000),
    };
    const record = () =>
      database.db.transaction().execute((trx) => recordWebhookAttempt(trx, attempt));
    expect(await record()).toBe(true);
    expect(await record()).toBe(false);
    const page = await listWebhookDeliveries(database.db, {
      userId: user.id,
      webhookId: webhook.id,
      limit: 10,
    });
    expect(page?.items).toMatchObject([
      {
        id: delivery.id,
        eventId: '123456789',
        status: 'pending',
        lastStatusCode: 500,
        attempts: [{ attempt: 1, statusCode: 500, error: null, durationMs: 12 }],
      },
    ]);
  });

  it('pages the delivery log newest first, in reverse event order within a commit', async () => {
    const user = await newUser();
    const stranger = await newUser();
    const webhook = await addWebhook(user.id);
    const burst = Array.from({ length: 5 }, (_, i) => ({
      id: randomUUID(),
      webhookId: webhook.id,
      eventId: String(1000 + i),
      eventType: 'task.created',
      payload: {},
    }));
    await insertWebhookDeliveries(database.db, burst);
    const pingId = await insertPingDelivery(database.db, {
      userId: user.id,
      webhookId: webhook.id,
    });
    expect(
      await insertPingDelivery(database.db, { userId: stranger.id, webhookId: webhook.id }),
    ).toBeUndefined();

    const seen: { id: string; eventId: string | null }[] = [];
    let cursor: string | null = null;
    do {
      const page = await listWebhookDeliveries(database.db, {
        userId: user.id,
        webhookId: webhook.id,
        limit: 2,
        cursor,
      });
      seen.push(...page!.items.map((d) => ({ id: d.id, eventId: d.eventId })));
      cursor = page!.nextCursor;
    } while (cursor);
    expect(seen).toEqual([
      { id: pingId, eventId: null },
      ...burst.reverse().map((d) => ({ id: d.id, eventId: d.eventId })),
    ]);

    expect(
      await listWebhookDeliveries(database.db, {
        userId: stranger.id,
        webhookId: webhook.id,
        limit: 10,
      }),
    ).toBeUndefined();
    const forged = Buffer.from(JSON.stringify(['webhook-deliveries', "x'; --", randomUUID()]));
    await expect(
      listWebhookDeliveries(database.db, {
        userId: user.id,
        webhookId: webhook.id,
        limit: 10,
        cursor: forged.toString('base64url'),
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
