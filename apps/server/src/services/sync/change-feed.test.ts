import { getLatestChangeEventId, readChangePage } from '@stepwise/db';
import { insertGoalRow, insertTaskRows, insertUser } from '@stepwise/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestServices } from '../../testing/test-services.js';
import type { FollowEnd, SharedEvent } from '../events/generation-fanout.js';
import type { LiveChange } from './change-feed.js';

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

function collect(userId: string, afterId: string) {
  const changes: LiveChange[] = [];
  const shared: SharedEvent[] = [];
  let ended: FollowEnd | undefined;
  const stop = services.changeFeed.follow({
    userId,
    afterId,
    sink: {
      send: (change, s) => {
        changes.push(change);
        shared.push(s);
      },
      end: (end) => {
        ended = end;
      },
    },
  });
  return { changes, shared, ended: () => ended, stop };
}

async function until(check: () => boolean, timeoutMs = 10_000) {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const storedIds = async (userId: string, afterId: string) =>
  (await readChangePage(services.db, { userId, afterId, limit: 1_000 })).events.map((e) => e.id);

const rename = (taskId: string, title: string) =>
  services.db.updateTable('tasks').set({ title }).where('id', '=', taskId).execute();

describe('change feed', () => {
  it('hands every change to every device of the person, from one read, and nothing of anyone else', async () => {
    const user = await insertUser(services.db);
    const stranger = await insertUser(services.db);
    const [task] = await insertTaskRows(services.db, user.id, [{ title: 'Stretch' }]);
    const [theirs] = await insertTaskRows(services.db, stranger.id, [{}]);
    const start = await getLatestChangeEventId(services.db, user.id);
    const phone = collect(user.id, start);
    const laptop = collect(user.id, start);
    await until(() => services.changeFeed.stats().catchingUp === 0);

    await rename(task!.id, 'Stretch 10 min');
    await rename(theirs!.id, 'not yours');
    await services.db
      .updateTable('tasks')
      .set({ completed_at: new Date() })
      .where('id', '=', task!.id)
      .execute();
    const goal = await insertGoalRow(services.db, user.id, { title: 'Sleep more' });
    await services.db.deleteFrom('tasks').where('id', '=', task!.id).execute();
    await until(() => phone.changes.length === 4 && laptop.changes.length === 4);

    const stored = await storedIds(user.id, start);
    expect(phone.changes.map((c) => c.eventId)).toEqual(stored);
    expect(laptop.changes.map((c) => c.eventId)).toEqual(stored);
    expect(phone.changes.map((c) => c.change)).toEqual([
      // Rows as they are when read: the task was renamed, then completed, then deleted.
      expect.objectContaining({ entity: 'task', change: 'updated', id: task!.id }),
      expect.objectContaining({ entity: 'task', change: 'completed', eventType: 'task.completed' }),
      {
        type: 'change',
        entity: 'goal',
        change: 'created',
        id: goal.id,
        eventType: 'goal.created',
        row: expect.objectContaining({ id: goal.id, title: 'Sleep more' }),
      },
      {
        type: 'change',
        entity: 'task',
        change: 'deleted',
        id: task!.id,
        eventType: 'task.deleted',
        row: null,
      },
    ]);
    // Live changes reach both devices from one read: the same shared frame holder.
    for (let i = 0; i < 4; i++) expect(phone.shared[i]).toBe(laptop.shared[i]);
    phone.stop();
    laptop.stop();
  });

  it('replays what a device missed, then goes live, without gap or duplicate during writes', async () => {
    const user = await insertUser(services.db);
    const tasks = await insertTaskRows(
      services.db,
      user.id,
      Array.from({ length: 10 }, (_, i) => ({ title: `t${i}` })),
    );
    const before = await storedIds(user.id, '0');
    const live = collect(user.id, before.at(-1)!);
    const writing = (async () => {
      for (let round = 0; round < 6; round++) {
        for (const task of tasks) await rename(task.id, `r${round}`);
      }
    })();
    await new Promise((r) => setTimeout(r, 30));
    // Joining mid-write: from the start, and from the middle of the history.
    const fromStart = collect(user.id, '0');
    const fromMiddle = collect(user.id, before[4]!);
    await writing;
    const all = await storedIds(user.id, '0');
    expect(all).toHaveLength(70);
    await until(() => fromStart.changes.length === 70 && fromMiddle.changes.length === 65);
    await until(() => live.changes.length === 60);
    expect(fromStart.changes.map((c) => c.eventId)).toEqual(all);
    expect(fromMiddle.changes.map((c) => c.eventId)).toEqual(all.slice(5));
    expect(live.changes.map((c) => c.eventId)).toEqual(all.slice(10));
    for (const f of [live, fromStart, fromMiddle]) f.stop();
    expect(services.changeFeed.stats().followers).toBe(0);
  });

  it('catches up from the table after the LISTEN connection is cut', async () => {
    const user = await insertUser(services.db);
    const [task] = await insertTaskRows(services.db, user.id, [{}]);
    const device = collect(user.id, await getLatestChangeEventId(services.db, user.id));
    await rename(task!.id, 'before the cut');
    await until(() => device.changes.length === 1);

    const { rowCount } = await services.pool.query(`SELECT pg_terminate_backend(pid)
      FROM pg_stat_activity
      WHERE application_name = 'stepwise-listener' AND datname = current_database()`);
    expect(rowCount).toBe(1);
    // Written while no notice can arrive: only the resync after the reconnect brings them.
    for (let i = 1; i <= 5; i++) await rename(task!.id, `during the cut ${i}`);
    await until(() => device.changes.length === 6);
    await rename(task!.id, 'after the cut');
    await until(() => device.changes.length === 7);

    const stored = await storedIds(user.id, '0');
    expect(device.changes.map((c) => c.eventId)).toEqual(stored.slice(1));
    expect(device.changes.at(-1)?.change.row).toMatchObject({ title: 'after the cut' });
    device.stop();
  });

  it('stops a device on request without ending it, and leaves the hub when it was the last', async () => {
    const user = await insertUser(services.db);
    const [task] = await insertTaskRows(services.db, user.id, [{}]);
    const hubBefore = services.hub.size();
    const device = collect(user.id, await getLatestChangeEventId(services.db, user.id));
    expect(services.hub.size()).toBe(hubBefore + 1);
    expect(services.changeFeed.stats()).toMatchObject({ users: 1, followers: 1 });
    await until(() => services.changeFeed.stats().catchingUp === 0);
    device.stop();
    await rename(task!.id, 'unseen');
    await new Promise((r) => setTimeout(r, 100));
    expect(device.changes).toEqual([]);
    expect(device.ended()).toBeUndefined();
    expect(services.hub.size()).toBe(hubBefore);
    expect(services.changeFeed.stats()).toEqual({ users: 0, followers: 0, catchingUp: 0 });
  });

  // Last: shuts the services down.
  it('ends every device on shutdown, so clients reconnect elsewhere', async () => {
    const user = await insertUser(services.db);
    const start = await getLatestChangeEventId(services.db, user.id);
    const devices = [collect(user.id, start), collect(user.id, start)];
    services.shutdown.abort();
    expect(devices.map((d) => d.ended())).toEqual([{ reason: 'shutdown' }, { reason: 'shutdown' }]);
    const late = collect(user.id, start);
    expect(late.ended()).toEqual({ reason: 'shutdown' });
    expect(services.changeFeed.stats()).toEqual({ users: 0, followers: 0, catchingUp: 0 });
  });
});
