import { insertGoalRow, insertTaskRows } from '@stepwise/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestServices,
  signedInCaller,
  type TestServices,
} from '../../testing/test-services.js';
import { dispatchWebhookEvents } from './dispatch-webhook-events.js';

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

/** The log of a webhook in event order (oldest first). */
async function deliveriesOf(
  caller: Awaited<ReturnType<typeof signIn>>['caller'],
  webhookId: string,
) {
  const page = await caller.webhook.deliveries({ webhookId, limit: 100 });
  return page.items.reverse();
}

/** What a procedure's answer looks like as JSON (dates as ISO strings). */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('dispatchWebhookEvents', () => {
  it('delivers the matching events with the current row, and { id } once deleted', async () => {
    const { caller, user } = await signIn();
    const webhook = await caller.webhook.create({
      url: RECEIVER,
      eventTypes: ['task.*', 'goal.deleted'],
    });
    const task = await caller.task.create({ title: 'Long run', tags: ['run'] });
    const { task: done } = await caller.task.setComplete({ taskId: task.id, completed: true });
    const goal = await insertGoalRow(services.db, user.id);
    expect(await dispatchWebhookEvents(services.db, { userId: user.id })).toBe(2);

    const first = await deliveriesOf(caller, webhook.id);
    expect(first.map((d) => d.eventType)).toEqual(['task.created', 'task.completed']);
    const [created, completed] = first;
    // The row as it is at dispatch (already completed), in the shape task.get answers.
    expect(created!.payload).toEqual({
      id: created!.id,
      eventId: created!.eventId,
      type: 'task.created',
      createdAt: expect.any(String),
      data: { object: asJson(await caller.task.get({ taskId: task.id })) },
    });
    expect(completed!.payload).toMatchObject({
      type: 'task.completed',
      data: { object: { id: task.id, completedAt: done.completedAt!.toISOString() } },
    });
    expect(BigInt(completed!.eventId!)).toBeGreaterThan(BigInt(created!.eventId!));

    // Nothing new: a second run creates nothing.
    expect(await dispatchWebhookEvents(services.db, { userId: user.id })).toBe(0);

    await caller.task.delete({ taskId: task.id });
    await caller.goal.delete({ goalId: goal.id });
    expect(await dispatchWebhookEvents(services.db, { userId: user.id })).toBe(2);
    const latest = (await deliveriesOf(caller, webhook.id)).slice(2);
    expect(latest.map((d) => [d.eventType, d.payload.data])).toEqual([
      ['task.deleted', { object: { id: task.id } }],
      ['goal.deleted', { object: { id: goal.id } }],
    ]);
  });

  it('carries a plan version without its snapshot, and a goal as goal procedures answer it', async () => {
    const { caller, user } = await signIn();
    const webhook = await caller.webhook.create({
      url: RECEIVER,
      eventTypes: ['plan_version.*', 'goal.created'],
    });
    const imported = await caller.goal.import({
      goal: 'Read two books',
      startDate: '2026-03-02',
      tasks: [
        { title: 'Chapter 1', date: '2026-03-02' },
        { title: 'Chapter 2', date: '2026-03-04' },
      ],
    });
    await dispatchWebhookEvents(services.db, { userId: user.id });
    const log = await deliveriesOf(caller, webhook.id);
    expect(log.map((d) => d.eventType).sort()).toEqual(['goal.created', 'plan_version.created']);
    const goal = await caller.goal.get({ goalId: imported.goalId });
    const version = log.find((d) => d.eventType === 'plan_version.created')!.payload.data as {
      object: Record<string, unknown>;
    };
    const { generationId: _g, ...versionFields } = goal.plan!;
    expect(version.object).toEqual({ ...asJson(versionFields), goalId: goal.id, isCurrent: true });
    expect(version.object).not.toHaveProperty('plan');
    const { plan: _, tasks: __, ...goalFields } = goal;
    expect(log.find((d) => d.eventType === 'goal.created')!.payload.data).toEqual({
      object: asJson(goalFields),
    });
  });

  it('works through a backlog in batches, in event order, and never crosses people', async () => {
    const { caller, user } = await signIn();
    const stranger = await signIn();
    const webhook = await caller.webhook.create({ url: RECEIVER, eventTypes: ['task.created'] });
    await insertTaskRows(services.db, stranger.user.id, [{}, {}]);
    const tasks = await insertTaskRows(
      services.db,
      user.id,
      Array.from({ length: 1_100 }, (_, i) => ({ title: `Task ${i}`, position: i })),
    );
    expect(await dispatchWebhookEvents(services.db, { userId: stranger.user.id })).toBe(0);
    expect(await dispatchWebhookEvents(services.db, { userId: user.id })).toBe(1_100);

    const objects: string[] = [];
    const eventIds: bigint[] = [];
    let cursor: string | null = null;
    do {
      const page = await caller.webhook.deliveries({ webhookId: webhook.id, limit: 100, cursor });
      for (const d of page.items) {
        objects.push((d.payload.data as { object: { id: string } }).object.id);
        eventIds.push(BigInt(d.eventId!));
      }
      cursor = page.nextCursor;
    } while (cursor);
    objects.reverse();
    eventIds.reverse();
    expect(objects).toEqual(tasks.map((t) => t.id));
    expect(eventIds).toEqual([...eventIds].sort((a, b) => (a < b ? -1 : 1)));
  });
});
