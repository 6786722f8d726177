import { appendStreamEvent, listStreamEvents, type StreamEventRow } from '@stepwise/db';
import { insertUser } from '@stepwise/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestServices } from '../../testing/test-services.js';
import type { FollowEnd } from './generation-fanout.js';

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

async function newGeneration() {
  const user = await insertUser(services.db);
  const goal = await services.db
    .insertInto('goals')
    .values({ user_id: user.id, title: 'Learn Go', requirements: JSON.stringify({}) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const generation = await services.db
    .insertInto('generations')
    .values({ user_id: user.id, goal_id: goal.id, kind: 'plan', input: JSON.stringify({}) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return generation.id;
}

const append = (generationId: string, type: string, n: number) =>
  appendStreamEvent(services.db, { generationId, type, data: { type, n } });

function collect(generationId: string, lastEventId?: string) {
  const events: StreamEventRow[] = [];
  let ended: FollowEnd | undefined;
  const stop = services.fanout.follow({
    generationId,
    lastEventId,
    terminalTypes: ['completed'],
    sink: {
      send: (event) => events.push(event),
      end: (end) => {
        ended = end;
      },
    },
  });
  return { events, ended: () => ended, stop };
}

async function until(check: () => boolean, timeoutMs = 10_000) {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('generation fan-out', () => {
  it('joins history and live events without gap or duplicate while events are appended', async () => {
    const generationId = await newGeneration();
    for (let i = 0; i < 30; i++) await append(generationId, 'status', i);
    const writing = (async () => {
      for (let i = 30; i < 150; i++) await append(generationId, 'status', i);
      await append(generationId, 'completed', 150);
    })();
    // Followers joining at different moments of the writing, from the start and from the middle.
    const followers = [collect(generationId)];
    await new Promise((r) => setTimeout(r, 20));
    followers.push(collect(generationId, '0'));
    const stored = await listStreamEvents(services.db, { generationId, limit: 10 });
    followers.push(collect(generationId, stored[9]!.id));
    await writing;
    await until(() => followers.every((f) => f.ended() !== undefined));

    const all = await listStreamEvents(services.db, { generationId });
    expect(all).toHaveLength(151);
    for (const [i, follower] of followers.entries()) {
      const expected = i === 2 ? all.slice(10) : all;
      expect(follower.events.map((e) => e.id)).toEqual(expected.map((e) => e.id));
      expect(follower.ended()).toEqual({ reason: 'terminal' });
    }
    expect(services.fanout.stats()).toEqual({ generations: 0, followers: 0 });
  });

  it('keeps notice order when large events (announced by id, read back) sit between small ones', async () => {
    const generationId = await newGeneration();
    const follower = collect(generationId);
    await append(generationId, 'status', 0);
    await until(() => follower.events.length === 1);
    const big = 'z'.repeat(20_000); // over NOTIFY's payload limit: the notice carries the id
    for (let i = 1; i <= 30; i++) {
      await appendStreamEvent(services.db, {
        generationId,
        type: 'status',
        data: i % 3 === 0 ? { type: 'status', n: i, big } : { type: 'status', n: i },
      });
    }
    await append(generationId, 'completed', 31);
    await until(() => follower.ended() !== undefined);
    const all = await listStreamEvents(services.db, { generationId });
    expect(follower.events.map((e) => e.id)).toEqual(all.map((e) => e.id));
  });

  it('replays a history longer than one page, then goes live', async () => {
    const generationId = await newGeneration();
    await services.db
      .insertInto('stream_events')
      .values(
        Array.from({ length: 1_234 }, (_, n) => ({
          generation_id: generationId,
          type: 'delta',
          data: JSON.stringify({ type: 'delta', n }),
        })),
      )
      .execute();
    const follower = collect(generationId);
    await until(() => follower.events.length === 1_234);
    await append(generationId, 'completed', 1_234);
    await until(() => follower.ended() !== undefined);
    const all = await listStreamEvents(services.db, { generationId, limit: 5_000 });
    expect(all).toHaveLength(1_235);
    expect(follower.events.map((e) => e.id)).toEqual(all.map((e) => e.id));
  });

  it('misses nothing another transaction commits while a plain append waits on the lock', async () => {
    const generationId = await newGeneration();
    const follower = collect(generationId);
    await append(generationId, 'status', 0);
    await until(() => follower.events.length === 1);
    // As chat.stop does: the terminal event in a transaction; meanwhile the worker's next
    // write waits for the generation's lock and commits right after it.
    let late: Promise<unknown> | undefined;
    await services.db.transaction().execute(async (trx) => {
      await appendStreamEvent(trx, {
        generationId,
        type: 'completed',
        data: { type: 'completed' },
      });
      late = append(generationId, 'status', 1);
      await new Promise((r) => setTimeout(r, 50));
    });
    await late;
    await until(() => follower.ended() !== undefined);
    expect(follower.ended()).toEqual({ reason: 'terminal' });
    expect(follower.events.map((e) => e.type)).toEqual(['status', 'completed']);
  });

  it('catches up from the log after the LISTEN connection is cut', async () => {
    const generationId = await newGeneration();
    await append(generationId, 'status', 0);
    const follower = collect(generationId);
    await until(() => follower.events.length === 1);

    const { rowCount } = await services.pool.query(`SELECT pg_terminate_backend(pid)
      FROM pg_stat_activity
      WHERE application_name = 'stepwise-listener' AND datname = current_database()`);
    expect(rowCount).toBe(1);
    // Appended while no notice can arrive: only the resync after the reconnect brings them.
    for (let i = 1; i <= 5; i++) await append(generationId, 'status', i);
    await until(() => follower.events.length === 6);
    await append(generationId, 'completed', 6);
    await until(() => follower.ended() !== undefined);

    const all = await listStreamEvents(services.db, { generationId });
    expect(follower.events.map((e) => e.id)).toEqual(all.map((e) => e.id));
  });

  it('stops a follower on request without ending it, and closes the channel', async () => {
    const generationId = await newGeneration();
    const before = services.hub.size();
    const follower = collect(generationId);
    expect(services.hub.size()).toBe(before + 1);
    follower.stop();
    await append(generationId, 'status', 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(follower.events).toEqual([]);
    expect(follower.ended()).toBeUndefined();
    expect(services.hub.size()).toBe(before);
  });
});
