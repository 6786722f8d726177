import http from 'node:http';
import {
  appendStreamEvent,
  type Database,
  getLatestChangeEventId,
  type Kysely,
  listStreamEvents,
  readChangePage,
} from '@stepwise/db';
import { insertSession, insertUser } from '@stepwise/db/testing';
import { tracked } from '@trpc/server';
import { sseStreamProducer } from '@trpc/server/unstable-core-do-not-import';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { createApiKey } from '../services/api-keys/api-key.service.js';
import { toSyncChange } from '../services/sync/sync-change.js';
import { startTestServer } from '../testing/start-test-server.js';
import { transformer } from './fast-superjson.js';
import { SSE_OPTIONS } from './init.js';

let server: RunningServer;
let db: Kysely<Database>;
beforeAll(async () => {
  server = await startTestServer();
  db = server.services.db;
});
afterAll(() => server?.close());

async function userWithGeneration(kind: 'plan' | 'chat' = 'plan') {
  const user = await insertUser(db);
  const { token } = await insertSession(db, user.id);
  const goal = await db
    .insertInto('goals')
    .values({ user_id: user.id, title: 'Learn Go', requirements: JSON.stringify({}) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const generation = await db
    .insertInto('generations')
    .values({
      user_id: user.id,
      goal_id: goal.id,
      kind,
      status: 'running',
      input: JSON.stringify({}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { token, goalId: goal.id, generationId: generation.id };
}

const append = (generationId: string, data: Record<string, unknown> & { type: string }) =>
  appendStreamEvent(db, { generationId, type: data.type, data });

function streamUrl(path: string, input: unknown, connectionParams?: unknown) {
  const url = new URL(`/trpc/${path}`, server.url);
  url.searchParams.set('input', JSON.stringify(transformer.serialize(input)));
  if (connectionParams) url.searchParams.set('connectionParams', JSON.stringify(connectionParams));
  return url.toString();
}

interface RawStream {
  /** Everything received so far. */
  text(): string;
  /** Resolves with the whole body when the server ends the response. */
  ended: Promise<string>;
  /** Resolves once the received text contains `needle`. */
  waitFor(needle: string): Promise<void>;
  status: Promise<number>;
  request: http.ClientRequest;
  response: Promise<http.IncomingMessage>;
}

function openRaw(url: string, headers: Record<string, string> = {}): RawStream {
  let body = '';
  const waiters: { needle: string; resolve: () => void }[] = [];
  let resolveResponse!: (res: http.IncomingMessage) => void;
  const response = new Promise<http.IncomingMessage>((r) => {
    resolveResponse = r;
  });
  let resolveEnded!: (text: string) => void;
  const ended = new Promise<string>((r) => {
    resolveEnded = r;
  });
  const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
    resolveResponse(res);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      body += chunk;
      for (const w of waiters.splice(0)) {
        if (body.includes(w.needle)) w.resolve();
        else waiters.push(w);
      }
    });
    res.on('end', () => resolveEnded(body));
    res.on('close', () => resolveEnded(body));
  });
  request.on('error', () => resolveEnded(body));
  return {
    text: () => body,
    ended,
    waitFor: (needle) =>
      body.includes(needle)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ needle, resolve })),
    status: response.then((r) => r.statusCode ?? 0),
    request,
    response,
  };
}

/** An SSE body as its frames, each data line parsed. */
const frames = (body: string) =>
  body
    .split('\n\n\n')
    .map((frame) =>
      frame
        .split('\n')
        .map((line) =>
          line.startsWith('data: {') ? JSON.parse(line.slice('data: '.length)) : line,
        ),
    );

async function until(check: () => boolean, timeoutMs = 5_000) {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** What tRPC's own SSE producer writes for the stored events after `afterId` (no pings). */
async function trpcWrites(generationId: string, afterId?: string) {
  const values = await listStreamEvents(db, { generationId, afterId });
  const stream = sseStreamProducer({
    data: (async function* () {
      for (const value of values) yield tracked(value.id, value.data);
    })(),
    serialize: (v) => transformer.serialize(v),
    client: SSE_OPTIONS.client,
  });
  return new Response(stream).text();
}

describe('subscription streams (plan.progress, chat.stream over SSE)', () => {
  it("writes byte for byte what tRPC's SSE producer writes for the same events", async () => {
    const { token, generationId, goalId } = await userWithGeneration();
    await append(generationId, { type: 'queued', generationId, goalId });
    await append(generationId, { type: 'status', phase: 'generating', attempt: 1 });
    const raw = openRaw(streamUrl('plan.progress', { generationId }), {
      authorization: `Bearer ${token}`,
    });
    await raw.waitFor('"generating"');
    // Live from here: written through the shared frame cache.
    await append(generationId, { type: 'task', index: 0, task: { title: 'Juggle 2 balls' } });
    await append(generationId, {
      type: 'failed',
      code: 'MODEL_ERROR',
      message: 'a "quoted"\nline',
    });
    const body = await raw.ended;
    const response = await raw.response;
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream');
    expect(response.headers['cache-control']).toBe('no-cache, no-transform');
    expect(response.headers['x-request-id']).toBeTruthy();
    // Written by this route, not by tRPC's handler (whose responses carry server-timing).
    expect(response.headers['server-timing']).toBeUndefined();
    // Same frames, fields and bytes; only the key order inside a live event's JSON may differ
    // (NOTIFY carries it as written; the log's jsonb reorders keys).
    const expected = await trpcWrites(generationId);
    expect(frames(body)).toEqual(frames(expected));
    expect(body.replace(/^data: \{.*$/gm, 'data: {…}')).toBe(
      expected.replace(/^data: \{.*$/gm, 'data: {…}'),
    );
    expect(body.match(/^id: /gm)).toHaveLength(4);
    expect(body.endsWith('event: return\ndata: \n\n\n')).toBe(true);
  });

  it('resumes after lastEventId given in the input, the query or the Last-Event-ID header', async () => {
    const { token, generationId, goalId } = await userWithGeneration();
    const first = await append(generationId, { type: 'queued', generationId, goalId });
    await append(generationId, { type: 'status', phase: 'saving', attempt: 1 });
    await append(generationId, { type: 'failed', code: 'X', message: 'x' });
    const auth = { authorization: `Bearer ${token}` };
    const expected = await trpcWrites(generationId, first.id);
    expect(expected.match(/^id: /gm)).toHaveLength(2);

    const viaInput = openRaw(
      streamUrl('plan.progress', { generationId, lastEventId: first.id }),
      auth,
    );
    const viaHeader = openRaw(streamUrl('plan.progress', { generationId }), {
      ...auth,
      'last-event-id': first.id,
    });
    const viaQuery = openRaw(
      `${streamUrl('plan.progress', { generationId })}&lastEventId=${first.id}`,
      auth,
    );
    expect(await viaInput.ended).toBe(expected);
    expect(await viaHeader.ended).toBe(expected);
    expect(await viaQuery.ended).toBe(expected);
  });

  it('takes the session token from connection parameters (browser EventSource), with CORS', async () => {
    const { token, generationId } = await userWithGeneration('chat');
    await append(generationId, { type: 'error', messageId: 'm', code: 'X', message: 'x' });
    const raw = openRaw(streamUrl('chat.stream', { generationId }, { token }), {
      origin: 'http://localhost:5173',
    });
    expect(await raw.ended).toContain('"code":"X"');
    expect(raw.text()).toContain('event: return');
    expect(raw.text()).not.toContain('Error');
    const response = await raw.response;
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(response.headers['x-request-id']).toBeTruthy();
  });

  it('serves every subscriber of a generation from one hub subscription, serializing once', async () => {
    const { token, generationId, goalId } = await userWithGeneration();
    const { fanout, hub } = server.services;
    const hubBefore = hub.size();
    await append(generationId, { type: 'queued', generationId, goalId });
    const url = streamUrl('plan.progress', { generationId });
    const streams = Array.from({ length: 6 }, () =>
      openRaw(url, { authorization: `Bearer ${token}` }),
    );
    await Promise.all(streams.map((s) => s.waitFor('"queued"')));
    await until(() => fanout.stats().followers >= 6);
    expect(hub.size() - hubBefore).toBe(1);

    const live = await append(generationId, { type: 'status', phase: 'generating', attempt: 1 });
    await Promise.all(streams.map((s) => s.waitFor(`id: ${live.id}\n`)));

    // Three leave; the others go on.
    for (const s of streams.slice(0, 3)) s.request.destroy();
    await until(() => fanout.stats().followers === 3);
    const done = await append(generationId, { type: 'failed', code: 'X', message: 'x' });
    const bodies = await Promise.all(streams.slice(3).map((s) => s.ended));
    for (const body of bodies) {
      expect(body).toContain(`id: ${done.id}\n`);
      expect(body.endsWith('event: return\ndata: \n\n\n')).toBe(true);
      expect(body.match(/^id: /gm)).toHaveLength(3);
    }
    await until(() => fanout.stats().followers === 0);
    expect(hub.size()).toBe(hubBefore);
  });

  it('ends at once a stream resumed at or after its terminal event', async () => {
    const { token, generationId, goalId } = await userWithGeneration();
    await append(generationId, { type: 'queued', generationId, goalId });
    const last = await append(generationId, { type: 'failed', code: 'X', message: 'x' });
    // A stray event after the end (a late write) changes nothing.
    const stray = await append(generationId, { type: 'status', phase: 'saving', attempt: 2 });
    for (const lastEventId of [last.id, stray.id]) {
      const raw = openRaw(streamUrl('plan.progress', { generationId, lastEventId }), {
        authorization: `Bearer ${token}`,
      });
      const body = await raw.ended;
      expect(body).not.toMatch(/^id: /m);
      expect(body.endsWith('event: return\ndata: \n\n\n')).toBe(true);
    }
    await until(() => server.services.fanout.stats().followers === 0);
  });

  it('leaves refusals to tRPC: no session, bad input, another user’s generation', async () => {
    const mine = await userWithGeneration();
    const theirs = await userWithGeneration();
    const cases = [
      {
        url: streamUrl('plan.progress', { generationId: mine.generationId }),
        token: '',
        code: -32001,
      },
      {
        url: streamUrl('plan.progress', { generationId: 'nope' }),
        token: mine.token,
        code: -32600,
      },
      {
        // An id past bigint's range could never be read back.
        url: streamUrl('plan.progress', {
          generationId: mine.generationId,
          lastEventId: '9999999999999999999',
        }),
        token: mine.token,
        code: -32600,
      },
      {
        url: streamUrl('plan.progress', { generationId: theirs.generationId }),
        token: mine.token,
        code: -32004,
      },
      // A plan generation is not a chat reply.
      {
        url: streamUrl('chat.stream', { generationId: mine.generationId }),
        token: mine.token,
        code: -32004,
      },
    ];
    for (const c of cases) {
      const raw = openRaw(c.url, c.token ? { authorization: `Bearer ${c.token}` } : {});
      const body = await raw.ended;
      expect(body).toContain('event: serialized-error');
      expect(body).toContain(`"code":${c.code}`);
    }
  });

  it('cuts a subscriber that stops reading, without holding up the others', async () => {
    const { token, generationId, goalId } = await userWithGeneration();
    await append(generationId, { type: 'queued', generationId, goalId });
    const url = streamUrl('plan.progress', { generationId });
    const slow = openRaw(url, { authorization: `Bearer ${token}` });
    const fast = openRaw(url, { authorization: `Bearer ${token}` });
    await Promise.all([slow.waitFor('"queued"'), fast.waitFor('"queued"')]);
    (await slow.response).pause();
    slow.request.socket?.pause();

    const { fanout } = server.services;
    await until(() => fanout.stats().followers === 2);
    // Past the hard limit (16 MiB unsent, beyond what the kernel's socket buffers take).
    const padding = 'x'.repeat(400_000);
    let lastId = '';
    for (let i = 0; i < 150 && fanout.stats().followers === 2; i++) {
      lastId = (
        await append(generationId, { type: 'status', phase: 'generating', attempt: i, padding })
      ).id;
    }
    await until(() => fanout.stats().followers === 1);
    await fast.waitFor(`id: ${lastId}\n`);
    slow.request.destroy();
    fast.request.destroy();
  });
});

describe('subscription streams (sync.live over SSE)', () => {
  /** What tRPC's own SSE producer writes for a person's stored changes after `afterId`. */
  async function trpcWritesChanges(userId: string, afterId: string) {
    const page = await readChangePage(db, { userId, afterId, limit: 1_000 });
    const stream = sseStreamProducer({
      data: (async function* () {
        for (const event of page.events) yield tracked(event.id, toSyncChange(event, page.rows));
      })(),
      serialize: (v) => transformer.serialize(v),
      client: SSE_OPTIONS.client,
    });
    return new Response(stream).text();
  }

  const frameIds = (body: string) => [...body.matchAll(/^id: (\d+)$/gm)].map((m) => m[1]);

  it("serves every device from one hub subscription, byte for byte as tRPC's producer", async () => {
    const user = await insertUser(db);
    const { token } = await insertSession(db, user.id);
    const stranger = await insertUser(db);
    const [task, other] = await db
      .insertInto('tasks')
      .values([
        { user_id: user.id, title: 'Pack bag' },
        { user_id: stranger.id, title: 'Not theirs' },
      ])
      .returning('id')
      .execute();
    const start = await getLatestChangeEventId(db, user.id);
    const hubBefore = server.services.hub.size();
    const auth = { authorization: `Bearer ${token}` };
    const devices = Array.from({ length: 3 }, () => openRaw(streamUrl('sync.live', {}), auth));
    await Promise.all(devices.map((d) => d.waitFor('event: connected')));
    expect(server.services.hub.size() - hubBefore).toBe(1);

    await db
      .updateTable('tasks')
      .set({ title: 'Pack bag tonight' })
      .where('id', '=', task!.id)
      .execute();
    await db.updateTable('tasks').set({ title: 'Changed' }).where('id', '=', other!.id).execute();
    const renamed = await getLatestChangeEventId(db, user.id);
    await Promise.all(devices.map((d) => d.waitFor(`id: ${renamed}\n`)));
    await db
      .updateTable('tasks')
      .set({ completed_at: new Date() })
      .where('id', '=', task!.id)
      .execute();
    const last = await getLatestChangeEventId(db, user.id);
    await Promise.all(devices.map((d) => d.waitFor(`id: ${last}\n`)));
    for (const d of devices) d.request.destroy();
    const bodies = await Promise.all(devices.map((d) => d.ended));

    const expected = (await trpcWritesChanges(user.id, start)).replace(
      /event: return\ndata: \n\n\n$/,
      '',
    );
    expect(frameIds(expected)).toHaveLength(2);
    const lastFrame = (body: string) => body.split('\n\n\n').at(-2);
    for (const body of bodies) {
      // Same frames and bytes; a row is as it was when its event was read (the task was not
      // completed yet at the first), so only the last event's data is the same as now.
      expect(body.replace(/^data: \{.*$/gm, 'data: {…}')).toBe(
        expected.replace(/^data: \{.*$/gm, 'data: {…}'),
      );
      expect(lastFrame(body)).toBe(lastFrame(expected));
      expect(frames(body)[1]?.[0]).toMatchObject({
        json: { change: 'updated', row: { title: 'Pack bag tonight', completedAt: null } },
      });
      expect(body).not.toContain('Not theirs');
    }
    await until(() => server.services.changeFeed.stats().followers === 0);
    expect(server.services.hub.size()).toBe(hubBefore);
  });

  it('resumes after lastEventId in the input or the Last-Event-ID header; refusals go to tRPC', async () => {
    const user = await insertUser(db);
    const { token } = await insertSession(db, user.id);
    const rows = await db
      .insertInto('tasks')
      .values([1, 2, 3].map((n) => ({ user_id: user.id, title: `Task ${n}` })))
      .returning('id')
      .execute();
    const ids = (await readChangePage(db, { userId: user.id, afterId: '0', limit: 10 })).events.map(
      (e) => e.id,
    );
    expect(ids).toHaveLength(rows.length);
    const auth = { authorization: `Bearer ${token}` };
    const viaInput = openRaw(streamUrl('sync.live', { lastEventId: ids[0] }), auth);
    const viaHeader = openRaw(streamUrl('sync.live', {}), { ...auth, 'last-event-id': ids[1]! });
    await viaInput.waitFor(`id: ${ids[2]}\n`);
    await viaHeader.waitFor(`id: ${ids[2]}\n`);
    viaInput.request.destroy();
    viaHeader.request.destroy();
    expect(frameIds(await viaInput.ended)).toEqual(ids.slice(1));
    expect(frameIds(await viaHeader.ended)).toEqual(ids.slice(2));

    for (const c of [
      { url: streamUrl('sync.live', {}), headers: {}, code: -32001 },
      { url: streamUrl('sync.live', { lastEventId: 'soon' }), headers: auth, code: -32600 },
    ]) {
      const body = await openRaw(c.url, c.headers).ended;
      expect(body).toContain('event: serialized-error');
      expect(body).toContain(`"code":${c.code}`);
    }
  });
  it('takes a personal API key with the sync:read scope; a key without it gets FORBIDDEN', async () => {
    const user = await insertUser(db);
    const [reader, writer] = await Promise.all([
      createApiKey(db, { userId: user.id, name: 'phone', scopes: ['sync:read'] }),
      createApiKey(db, { userId: user.id, name: 'script', scopes: ['tasks:write'] }),
    ]);
    const start = await getLatestChangeEventId(db, user.id);
    const followersBefore = server.services.changeFeed.stats().followers;
    const device = openRaw(streamUrl('sync.live', { lastEventId: start }), {
      authorization: `Bearer ${reader.key}`,
    });
    await device.waitFor('event: connected');
    expect(server.services.changeFeed.stats().followers).toBe(followersBefore + 1);
    await db.insertInto('tasks').values({ user_id: user.id, title: 'From a key' }).execute();
    const created = await getLatestChangeEventId(db, user.id);
    await device.waitFor(`id: ${created}\n`);
    device.request.destroy();
    expect(frameIds(await device.ended)).toEqual([created]);

    const refused = await openRaw(streamUrl('sync.live', {}), {
      authorization: `Bearer ${writer.key}`,
    }).ended;
    expect(refused).toContain('event: serialized-error');
    expect(refused).toContain('sync:read');
  });
});

describe('subscription streams with large events', () => {
  it('sends an event larger than the slow-reader limit whole, and goes on', async () => {
    const { token, generationId, goalId } = await userWithGeneration();
    await append(generationId, { type: 'queued', generationId, goalId });
    const raw = openRaw(streamUrl('plan.progress', { generationId }), {
      authorization: `Bearer ${token}`,
    });
    await raw.waitFor('"queued"');
    const big = await append(generationId, {
      type: 'status',
      phase: 'saving',
      attempt: 1,
      padding: 'y'.repeat(1_500_000),
    });
    const done = await append(generationId, { type: 'failed', code: 'X', message: 'x' });
    const body = await raw.ended;
    expect(body).toContain(`id: ${big.id}\n`);
    expect(body).toContain(`id: ${done.id}\n`);
    expect(body.length).toBeGreaterThan(1_500_000);
    expect(body.endsWith('event: return\ndata: \n\n\n')).toBe(true);
  });
});

describe('subscription streams at shutdown', () => {
  it('end without `return`, so clients reconnect elsewhere, and the server stops at once', async () => {
    const own = await startTestServer();
    const user = await insertUser(own.services.db);
    const { token } = await insertSession(own.services.db, user.id);
    const goal = await own.services.db
      .insertInto('goals')
      .values({ user_id: user.id, title: 'Learn Go', requirements: JSON.stringify({}) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const generation = await own.services.db
      .insertInto('generations')
      .values({ user_id: user.id, goal_id: goal.id, kind: 'plan', input: JSON.stringify({}) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendStreamEvent(own.services.db, {
      generationId: generation.id,
      type: 'queued',
      data: { type: 'queued', generationId: generation.id, goalId: goal.id },
    });
    const url = new URL('/trpc/plan.progress', own.url);
    url.searchParams.set(
      'input',
      JSON.stringify(transformer.serialize({ generationId: generation.id })),
    );
    const raw = openRaw(url.toString(), { authorization: `Bearer ${token}` });
    const live = openRaw(new URL('/trpc/sync.live', own.url).toString(), {
      authorization: `Bearer ${token}`,
    });
    await raw.waitFor('"queued"');
    await live.waitFor('event: connected');
    const started = performance.now();
    await own.close();
    const body = await raw.ended;
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(body).not.toContain('event: return');
    const liveBody = await live.ended;
    expect(liveBody).toContain('event: connected');
    expect(liveBody).not.toContain('event: return');
  });
});
