import { readChangePage } from '@stepwise/db';
import type { RunningServer } from '@stepwise/server';
import { startTestServer } from '@stepwise/server/testing';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStepwiseClient,
  type RouterInputs,
  type RouterOutputs,
  type StepwiseClient,
} from './index.js';
import { signUpClient } from './testing/follow.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

type LiveInput = RouterInputs['sync']['live'];
/** What `onData` gets: `{ id, data }`, the event id and the change. */
type LiveData = RouterOutputs['sync']['live'] extends AsyncIterable<infer T> ? T : never;

/** A person signed up on one device (the phone), then signed in on a second (the laptop). */
async function twoDevices() {
  const { client: phone, email, user } = await signUpClient(server.url);
  let token: string | undefined;
  const laptop = createStepwiseClient({ url: server.url, getToken: () => token, EventSource });
  ({ token } = await laptop.auth.signIn.mutate({ email, password: 'long enough' }));
  return { phone, laptop, userId: user.id };
}

/** A device holding `sync.live` open; `started` once the server has it. */
function watch(client: StepwiseClient, input?: LiveInput) {
  const received: LiveData[] = [];
  const errors: unknown[] = [];
  let onStarted!: () => void;
  const started = new Promise<void>((resolve) => {
    onStarted = resolve;
  });
  const sub = client.sync.live.subscribe(input, {
    onStarted: () => onStarted(),
    onData: (data) => received.push(data),
    onError: (error) => errors.push(error),
  });
  return {
    received,
    started,
    stop: () => sub.unsubscribe(),
    /** Resolves once `n` changes have come (bounded). */
    async until(n: number, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (errors.length > 0) throw errors[0];
        if (Date.now() > deadline) throw new Error(`${received.length} of ${n} changes came`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}

const storedIds = async (userId: string, afterId: string) =>
  (await readChangePage(server.services.db, { userId, afterId, limit: 1_000 })).events.map(
    (e) => e.id,
  );

describe('sync.live over HTTP with the typed client', () => {
  it('brings a change made on one device to every device of the person, and to no one else', async () => {
    const { phone, laptop, userId } = await twoDevices();
    const stranger = await signUpClient(server.url);
    const onPhone = watch(phone);
    const onLaptop = watch(laptop);
    const onStranger = watch(stranger.client);
    await Promise.all([onPhone.started, onLaptop.started, onStranger.started]);

    const created = await laptop.task.create.mutate({ title: 'Water plants' });
    await onPhone.until(1);
    const updated = await laptop.task.update.mutate({ taskId: created.id, notes: 'the big ones' });
    await onPhone.until(2);
    const { task: completed } = await laptop.task.setComplete.mutate({
      taskId: created.id,
      completed: true,
    });
    await onPhone.until(3);
    await laptop.task.delete.mutate({ taskId: created.id });
    await onPhone.until(4);
    await onLaptop.until(4);

    for (const device of [onPhone, onLaptop]) {
      expect(device.received.map((r) => [r.data.change, r.data.id, r.data.eventType])).toEqual([
        ['created', created.id, 'task.created'],
        ['updated', created.id, 'task.updated'],
        ['completed', created.id, 'task.completed'],
        ['deleted', created.id, 'task.deleted'],
      ]);
      // Each row as the mutation answered it (Dates and all), none once deleted.
      expect(device.received.map((r) => r.data.row)).toEqual([created, updated, completed, null]);
    }
    expect(onPhone.received.map((r) => r.id)).toEqual(await storedIds(userId, '0'));

    // The stranger's own change comes through, and only that.
    const theirs = await stranger.client.task.create.mutate({ title: 'Mine' });
    await onStranger.until(1);
    expect(onStranger.received.map((r) => r.data.id)).toEqual([theirs.id]);
    for (const device of [onPhone, onLaptop, onStranger]) device.stop();
  });

  it('resumes after a disconnect with lastEventId: exactly the missed changes, then live ones', async () => {
    const { phone, laptop, userId } = await twoDevices();
    const first = watch(phone);
    await first.started;
    const task = await laptop.task.create.mutate({ title: 'Plan trip' });
    await first.until(1);
    first.stop();
    const lastSeen = first.received[0]!.id;

    // Offline: the laptop goes on.
    await laptop.task.update.mutate({ taskId: task.id, title: 'Plan trip to Porto' });
    const other = await laptop.task.create.mutate({ title: 'Book hotel' });
    await laptop.task.delete.mutate({ taskId: task.id });
    const missed = await storedIds(userId, lastSeen);
    expect(missed).toHaveLength(3);
    // What sync.changes says was missed: the same entities, collapsed.
    const changes = await phone.sync.changes.query({ since: lastSeen });
    expect(changes.tasks.map((t) => t.id)).toEqual([other.id]);
    expect(changes.deleted).toEqual([{ entity: 'task', id: task.id }]);
    expect(changes.cursor).toBe(missed.at(-1));

    const back = watch(phone, { lastEventId: lastSeen });
    await back.until(3);
    await laptop.task.setComplete.mutate({ taskId: other.id, completed: true });
    await back.until(4);
    await new Promise((r) => setTimeout(r, 50));
    expect(back.received.map((r) => r.id)).toEqual(await storedIds(userId, lastSeen));
    expect(back.received.map((r) => r.data.change)).toEqual([
      'updated',
      'created',
      'deleted',
      'completed',
    ]);
    back.stop();
  });

  it('loses nothing when the server’s LISTEN connection is cut', async () => {
    const { phone, laptop, userId } = await twoDevices();
    const device = watch(phone);
    await device.started;
    const start = (await phone.sync.changes.query({})).cursor;

    const { rowCount } = await server.services.pool.query(`SELECT pg_terminate_backend(pid)
      FROM pg_stat_activity
      WHERE application_name = 'stepwise-listener' AND datname = current_database()`);
    expect(rowCount).toBe(1);
    // Made while no notice can arrive: the hub's resync after reconnecting brings them.
    const tasks = [];
    for (const title of ['one', 'two', 'three'])
      tasks.push(await laptop.task.create.mutate({ title }));
    await device.until(3, 10_000);
    await laptop.task.setComplete.mutate({ taskId: tasks[0]!.id, completed: true });
    await device.until(4);
    expect(device.received.map((r) => r.id)).toEqual(await storedIds(userId, start));
    device.stop();
  });
});
