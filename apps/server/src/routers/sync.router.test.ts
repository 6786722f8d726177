import { insertSession } from '@stepwise/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncChange } from '../services/sync/sync-change.js';
import {
  anonymousCaller,
  createTestServices,
  signedInCaller,
  type TestServices,
} from '../testing/test-services.js';
import { createContextInner } from '../trpc/context.js';
import { createCaller } from '../trpc/root.js';

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

/** A person with two devices (two sessions), each a caller. */
async function twoDevices() {
  const { user, caller: phone } = await signedInCaller(services);
  const session = await insertSession(services.db, user.id);
  const laptop = createCaller(createContextInner({ services, user, sessionToken: session.token }));
  return { user, phone, laptop };
}

type Caller = Awaited<ReturnType<typeof twoDevices>>['phone'];

/** Pages through `sync.changes` to the end; every page's answer. */
async function syncAll(caller: Caller, since = '0', limit?: number) {
  const pages = [];
  for (;;) {
    const page = await caller.sync.changes({ since, ...(limit ? { limit } : {}) });
    pages.push(page);
    since = page.cursor;
    if (!page.hasMore) return pages;
  }
}

const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);

describe('sync.changes', () => {
  it('after being offline, returns exactly the changes and deletes missed, then nothing', async () => {
    const { user, phone, laptop } = await twoDevices();
    // What the phone already has: a goal with a plan and tasks, two standalone tasks.
    const goal = await services.db
      .insertInto('goals')
      .values({ user_id: user.id, title: 'Marathon', requirements: '{}', status: 'active' })
      .returningAll()
      .executeTakeFirstOrThrow();
    const version = await services.db
      .insertInto('plan_versions')
      .values({
        goal_id: goal.id,
        user_id: user.id,
        version: 1,
        source: 'generated',
        title: 'Marathon plan',
        plan: JSON.stringify({ title: 'Marathon plan', weeks: [] }),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const goalTask = await laptop.task.create({ title: 'Long run', goalId: goal.id });
    const keep = await laptop.task.create({ title: 'Buy shoes' });
    const toDelete = await laptop.task.create({ title: 'Call coach' });
    const untouched = await laptop.task.create({ title: 'Stretch' });

    const first = await syncAll(phone);
    const offlineAt = first.at(-1)!.cursor;
    expect(first.flatMap((p) => p.tasks).map((t) => t.id)).toEqual(
      expect.arrayContaining([goalTask.id, keep.id, toDelete.id, untouched.id]),
    );
    expect(first.flatMap((p) => p.planVersions)).toEqual([
      {
        id: version.id,
        goalId: goal.id,
        version: 1,
        isCurrent: version.is_current,
        source: 'generated',
        title: 'Marathon plan',
        summary: '',
        createdAt: version.created_at,
      },
    ]);

    // The phone is offline; the laptop works on.
    const created = await laptop.task.create({ title: 'Book physio', dueDate: '2026-04-01' });
    await laptop.task.update({ taskId: created.id, notes: 'Tuesday' });
    await laptop.task.update({ taskId: keep.id, title: 'Buy trail shoes' });
    await laptop.task.setComplete({ taskId: keep.id, completed: true });
    await laptop.task.delete({ taskId: toDelete.id });
    const shortLived = await laptop.task.create({ title: 'Oops' });
    await laptop.task.delete({ taskId: shortLived.id });
    await laptop.goal.delete({ goalId: goal.id });

    const back = await phone.sync.changes({ since: offlineAt });
    expect(back.hasMore).toBe(false);
    expect(back.tasks.map((t) => [t.id, t.title, t.notes, t.completedAt !== null])).toEqual([
      [created.id, 'Book physio', 'Tuesday', false],
      [keep.id, 'Buy trail shoes', '', true],
    ]);
    expect(back.tasks[0]).toEqual(await laptop.task.get({ taskId: created.id }));
    expect(back.goals).toEqual([]);
    expect(back.planVersions).toEqual([]);
    expect([...back.deleted].sort(byId)).toEqual(
      [
        { entity: 'task', id: toDelete.id },
        { entity: 'task', id: shortLived.id },
        { entity: 'task', id: goalTask.id },
        { entity: 'goal', id: goal.id },
        { entity: 'plan_version', id: version.id },
      ].sort(byId),
    );
    // The same again from the new cursor: nothing, and the cursor stays.
    const again = await phone.sync.changes({ since: back.cursor });
    expect(again).toEqual({
      goals: [],
      tasks: [],
      planVersions: [],
      notifications: [],
      deleted: [],
      cursor: back.cursor,
      hasMore: false,
    });
    expect(BigInt(back.cursor)).toBeGreaterThan(BigInt(offlineAt));
  });

  it('pages by events: small pages add up to the same state as one', async () => {
    const { laptop, phone } = await twoDevices();
    const tasks = [];
    for (let i = 0; i < 7; i++) tasks.push(await laptop.task.create({ title: `Task ${i}` }));
    for (const task of tasks.slice(0, 3)) {
      await laptop.task.setComplete({ taskId: task.id, completed: true });
    }
    await laptop.task.delete({ taskId: tasks[6]!.id });

    const paged = await syncAll(phone, '0', 4);
    expect(paged).toHaveLength(3); // 11 events: 4 + 4 + 3
    expect(paged.map((p) => p.hasMore)).toEqual([true, true, false]);
    const whole = await phone.sync.changes({ since: '0' });
    expect(paged.at(-1)!.cursor).toBe(whole.cursor);
    // Applying the pages in order, as a client does, gives what one call gives.
    const state = new Map<string, unknown>();
    for (const page of paged) {
      for (const task of page.tasks) state.set(task.id, task);
      for (const gone of page.deleted) state.delete(gone.id);
    }
    expect([...state.values()]).toEqual(expect.arrayContaining(whole.tasks));
    expect(state.size).toBe(whole.tasks.length);
    expect(whole.deleted).toEqual([{ entity: 'task', id: tasks[6]!.id }]);
  });

  it('carries notifications and goal changes as their rows now', async () => {
    const { user, phone } = await twoDevices();
    const goal = await services.db
      .insertInto('goals')
      .values({ user_id: user.id, title: 'Read more', requirements: '{"goal":"read"}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const { cursor } = await phone.sync.changes({});
    await phone.goal.update({ goalId: goal.id, title: 'Read 12 books' });
    const notification = await services.db
      .insertInto('notifications')
      .values({ user_id: user.id, kind: 'reminder', title: 'Read tonight', data: '{"n":1}' })
      .returningAll()
      .executeTakeFirstOrThrow();

    const changes = await phone.sync.changes({ since: cursor });
    expect(changes.goals).toEqual([
      expect.objectContaining({
        id: goal.id,
        title: 'Read 12 books',
        requirements: { goal: 'read' },
      }),
    ]);
    expect(changes.notifications).toEqual([
      {
        id: notification.id,
        kind: 'reminder',
        title: 'Read tonight',
        body: '',
        taskId: null,
        data: { n: 1 },
        readAt: null,
        emailStatus: 'pending',
        createdAt: notification.created_at,
      },
    ]);
  });

  it('shows no one else’s changes, and rejects bad input and anonymous callers', async () => {
    const alice = await twoDevices();
    const bob = await twoDevices();
    await alice.laptop.task.create({ title: 'Alice only' });
    const bobs = await bob.phone.sync.changes({});
    expect(bobs.tasks).toEqual([]);
    expect(bobs.cursor).toBe('0');

    for (const input of [{ since: 'abc' }, { since: '-1' }, { since: '1e3' }, { limit: 0 }]) {
      await expect(alice.phone.sync.changes(input)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    await expect(alice.phone.sync.changes({ limit: 1_001 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(anonymousCaller(services).sync.changes({})).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });
});

/**
 * Pulls a subscription's events one by one. A caller yields tRPC's tracked envelopes,
 * `[id, data]` at run time (typed `{ id, data }`).
 */
function follow(events: AsyncIterable<unknown>) {
  const iterator = events[Symbol.asyncIterator]();
  return {
    async next() {
      const { value, done } = await iterator.next();
      if (done) throw new Error('the subscription ended');
      const [id, data] = value as [string, SyncChange];
      return { id, data };
    },
    stop: () => iterator.return?.(undefined),
  };
}

describe('sync.live (tRPC transport)', () => {
  it('resumes after lastEventId, then goes live; starts now without one', async () => {
    const { phone, laptop } = await twoDevices();
    const a = await laptop.task.create({ title: 'A' });
    const { cursor } = await phone.sync.changes({});
    await laptop.task.setComplete({ taskId: a.id, completed: true });

    const resumed = follow(await phone.sync.live({ lastEventId: cursor }));
    const fromNow = follow(await phone.sync.live());
    const missed = await resumed.next();
    expect(missed.data).toMatchObject({
      type: 'change',
      entity: 'task',
      change: 'completed',
      id: a.id,
      row: { id: a.id, title: 'A', completedAt: expect.any(Date) },
    });
    await laptop.task.delete({ taskId: a.id });
    const [live, first] = await Promise.all([resumed.next(), fromNow.next()]);
    for (const result of [live, first]) {
      expect(result.data).toMatchObject({ entity: 'task', change: 'deleted', id: a.id, row: null });
    }
    expect(live.id).toBe(first.id);
    expect(BigInt(live.id)).toBeGreaterThan(BigInt(missed.id));
    // Leaving the loop stops following.
    await resumed.stop();
    await fromNow.stop();
    expect(services.changeFeed.stats()).toMatchObject({ followers: 0 });

    await expect(phone.sync.live({ lastEventId: 'x' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });
});
