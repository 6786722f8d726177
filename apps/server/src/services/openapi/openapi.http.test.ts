import { insertGoalRow, insertSession, insertTaskRows, insertUser } from '@stepwise/db/testing';
import type { inferRouterOutputs } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server.js';
import { startTestServer } from '../../testing/start-test-server.js';
import { createContextInner } from '../../trpc/context.js';
import { type AppRouter, createCaller } from '../../trpc/root.js';
import type { ApiKeyScope } from '../api-keys/api-key-scopes.js';
import type { Jsonified } from '../plans/plan-events.js';

/** What an operation answers: its procedure's output as JSON. */
type Rest<T> = Jsonified<T>;
type Outputs = inferRouterOutputs<AppRouter>;
/** What every failed operation answers. */
type RestError = { code: string; message: string; issues?: { path: (string | number)[] }[] };

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** A new user with a session token, a tRPC caller, and an API key with `scopes`. */
async function person(scopes: ApiKeyScope[] = ['plans:read']) {
  const { db } = server.services;
  const row = await insertUser(db);
  const { token } = await insertSession(db, row.id);
  const user = { id: row.id, email: row.email, name: row.name };
  const caller = createCaller(createContextInner({ services: server.services, user }));
  const { key } = await caller.apiKey.create({ name: 'rest', scopes });
  return { user, token, key, caller };
}

/** A REST call under /api with a bearer token (none when `token` is undefined). */
async function rest<T = RestError>(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${server.url}/api${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
}

/**
 * A tRPC call over HTTP at /trpc (superjson on the wire), for what tRPC answers once REST calls
 * went through the same procedures.
 */
async function trpc(type: 'query' | 'mutation', path: string, token: string, input: unknown) {
  const body = JSON.stringify({ json: input });
  const authorization = `Bearer ${token}`;
  const res =
    type === 'query'
      ? await fetch(`${server.url}/trpc/${path}?input=${encodeURIComponent(body)}`, {
          headers: { authorization },
        })
      : await fetch(`${server.url}/trpc/${path}`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body,
        });
  const answer = (await res.json()) as { error?: { json: { data: { code: string } } } };
  return { status: res.status, code: answer.error?.json.data.code };
}

type Operation = {
  operationId: string;
  security: unknown;
  parameters?: { name: string; in: string; required?: boolean; schema?: { type?: string } }[];
  responses: Record<string, unknown>;
};
type OpenApiDoc = {
  openapi: string;
  info: { title: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas?: Record<string, unknown>;
    securitySchemes: Record<string, { type: string; scheme?: string }>;
  };
};

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 with the goal, plan and chat paths, bearer security and resolvable refs', async () => {
    const res = await fetch(`${server.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenApiDoc;
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBe('Stepwise API');
    expect(doc.servers).toEqual([{ url: '/api' }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });

    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        'GET /goals',
        'GET /goals/{goalId}',
        'PATCH /goals/{goalId}',
        'DELETE /goals/{goalId}',
        'POST /plans',
        'POST /goals/{goalId}/revise',
        'POST /generations/{generationId}/cancel',
        'GET /goals/{goalId}/weeks',
        'GET /goals/{goalId}/weeks/{week}',
        'GET /goals/{goalId}/versions',
        'GET /goals/{goalId}/diff',
        'POST /goals/{goalId}/versions/{version}/restore',
        'POST /chat/messages',
        'GET /chat/conversations',
        'GET /chat/conversations/{conversationId}/messages',
        'GET /tasks',
        'POST /tasks',
        'GET /tasks/{taskId}',
        'PATCH /tasks/{taskId}',
        'DELETE /tasks/{taskId}',
        'POST /tasks/{taskId}/complete',
        'GET /task-stats',
        'GET /me',
      ]),
    );
    for (const item of Object.values(doc.paths)) {
      for (const operation of Object.values(item)) {
        expect(operation.security).toEqual([{ bearer: [] }]);
        expect(operation.operationId).toMatch(/^[a-z]+-[a-zA-Z]+$/);
        expect(operation.responses['200']).toBeDefined();
      }
    }

    const getGoal = doc.paths['/goals/{goalId}']!.get!;
    expect(getGoal.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'goalId', in: 'path', required: true }),
        expect.objectContaining({
          name: 'withSnapshot',
          in: 'query',
          schema: expect.objectContaining({ type: 'boolean' }),
        }),
      ]),
    );
    const listTasks = doc.paths['/tasks']!.get!;
    expect(listTasks.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'priority',
          in: 'query',
          schema: expect.objectContaining({ type: 'array' }),
        }),
        expect.objectContaining({
          name: 'limit',
          in: 'query',
          schema: expect.objectContaining({ type: 'integer' }),
        }),
      ]),
    );
    const text = JSON.stringify(doc);
    const refs = [...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) expect(doc.components.schemas, ref).toHaveProperty(ref);
    expect(doc.components.schemas?.Task).toMatchObject({
      properties: { createdAt: { type: 'string', format: 'date-time' } },
    });
  });
});

describe('REST view', () => {
  it('reads goals with a session token, as JSON with ISO timestamps', async () => {
    const { user, token } = await person();
    const goal = await insertGoalRow(server.services.db, user.id, { title: 'Run 10k' });
    await insertTaskRows(server.services.db, user.id, [
      { goal_id: goal.id, title: 'Easy run', week: 1, day: 1 },
    ]);

    const list = await rest<Rest<Outputs['goal']['list']>>('GET', '/goals?limit=5', token);
    expect(list.status).toBe(200);
    expect(list.body.items.map((g) => g.id)).toEqual([goal.id]);
    expect(list.body.items[0]).toMatchObject({ title: 'Run 10k', taskCount: 1 });

    const view = await rest<Rest<Outputs['goal']['get']>>('GET', `/goals/${goal.id}`, token);
    expect(view.status).toBe(200);
    expect(view.body.tasks.map((t) => t.title)).toEqual(['Easy run']);
    expect(view.body.createdAt).toBe(goal.created_at.toISOString());
  });

  it('reads withSnapshot=false as false and withSnapshot=true as true', async () => {
    const { token, caller } = await person();
    const { goalId } = await caller.goal.import({
      goal: 'Learn Go',
      startDate: '2025-01-06',
      tasks: [{ title: 'Tour of Go', date: '2025-01-06' }],
    });
    const lean = await rest<Rest<Outputs['goal']['get']>>(
      'GET',
      `/goals/${goalId}?withSnapshot=false`,
      token,
    );
    expect(lean.status).toBe(200);
    expect(lean.body.plan).not.toHaveProperty('plan');
    const full = await rest<Rest<Outputs['goal']['get']>>(
      'GET',
      `/goals/${goalId}?withSnapshot=true`,
      token,
    );
    expect(full.body.plan?.plan).toMatchObject({ weeks: [expect.objectContaining({ week: 1 })] });
  });

  it('writes with an API key within its scopes: generate, rename, delete', async () => {
    const { key } = await person(['plans:read', 'plans:write']);
    const started = await rest<Rest<Outputs['plan']['generate']>>('POST', '/plans', key, {
      goal: 'Learn to juggle',
      durationWeeks: 1,
    });
    expect(started.status).toBe(200);
    expect(started.body).toEqual({
      goalId: expect.any(String),
      generationId: expect.any(String),
    });
    const { goalId, generationId } = started.body;

    const cancelled = await rest('POST', `/generations/${generationId}/cancel`, key);
    expect(cancelled).toMatchObject({ status: 200, body: { cancelled: true } });
    const renamed = await rest('PATCH', `/goals/${goalId}`, key, { title: 'Juggle three balls' });
    expect(renamed).toMatchObject({
      status: 200,
      body: { id: goalId, title: 'Juggle three balls' },
    });
    const archived = await rest('PATCH', `/goals/${goalId}`, key, { status: 'archived' });
    expect(archived).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });

    const deleted = await rest('DELETE', `/goals/${goalId}`, key);
    expect(deleted).toMatchObject({ status: 200, body: { goalId } });
    const gone = await rest('GET', `/goals/${goalId}`, key);
    expect(gone).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });

  it('restores plan versions and reads weeks through path parameters', async () => {
    const { key, caller } = await person(['plans:read', 'plans:write']);
    const { goalId } = await caller.goal.import({
      goal: 'Stretch daily',
      startDate: '2025-01-06',
      tasks: [
        { title: 'Warm up', date: '2025-01-06' },
        { title: 'Stretch', date: '2025-01-07' },
      ],
    });

    // No body at all: read as an empty JSON object.
    const restored = await rest<Rest<Outputs['plan']['restore']>>(
      'POST',
      `/goals/${goalId}/versions/1/restore`,
      key,
    );
    expect(restored.status).toBe(200);
    expect(restored.body.planVersion).toMatchObject({ version: 2, source: 'restored' });
    expect(restored.body.tasks.map((t) => t.title)).toEqual(['Warm up', 'Stretch']);

    const week = await rest<Rest<Outputs['plan']['week']>>('GET', `/goals/${goalId}/weeks/1`, key);
    expect(week.status).toBe(200);
    expect(week.body.days[1]).toMatchObject({ date: '2025-01-07', tasks: [{ title: 'Stretch' }] });
    const versions = await rest<Rest<Outputs['plan']['versions']>>(
      'GET',
      `/goals/${goalId}/versions`,
      key,
    );
    expect(versions.body.map((v) => v.version)).toEqual([2, 1]);
    const diff = await rest('GET', `/goals/${goalId}/diff?from=1&to=2`, key);
    expect(diff).toMatchObject({ status: 200, body: { from: 1, to: 2, added: 0, removed: 0 } });
  });

  it('answers 401 with a challenge, 403 past a key scope, 400 with issues, 404 for others', async () => {
    const owner = await person(['plans:read']);
    const goal = await insertGoalRow(server.services.db, owner.user.id);

    const anonymous = await rest('GET', '/goals');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHORIZED');
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);

    const readOnly = await rest('DELETE', `/goals/${goal.id}`, owner.key);
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.message).toContain('plans:write');
    const tasksOnly = await person(['tasks:read']);
    expect((await rest('GET', '/goals', tasksOnly.key)).status).toBe(403);

    const invalid = await rest('GET', '/goals/not-a-uuid', owner.token);
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues?.[0]?.path).toEqual(['goalId']);
    const badBody = await rest('POST', '/plans', owner.token, { goal: 'x' });
    expect(badBody.status).toBe(400);
    expect(badBody.body.issues?.[0]?.path).toEqual(['goal']);
    const notJson = await fetch(`${server.url}/api/plans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: '{"goal": ',
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { code: string }).code).toBe('PARSE_ERROR');

    const stranger = await person();
    expect((await rest('GET', `/goals/${goal.id}`, stranger.token)).status).toBe(404);
    expect((await rest('GET', '/no-such-route', owner.token)).status).toBe(404);
  });
});

describe('REST tasks and profile', () => {
  it('lists, creates, changes, completes, deletes tasks and reads stats with an API key', async () => {
    const { key } = await person(['tasks:read', 'tasks:write']);
    const created = await rest<Rest<Outputs['task']['create']>>('POST', '/tasks', key, {
      title: 'Pack the bag',
      priority: 'high',
      dueDate: '2030-01-01',
      dueTime: '09:00',
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      title: 'Pack the bag',
      priority: 'high',
      dueDate: '2030-01-01',
      dueTime: '09:00',
      reminderMinutes: 30,
      completedAt: null,
    });
    const taskId = created.body.id;
    const low = await rest<Rest<Outputs['task']['create']>>('POST', '/tasks', key, {
      title: 'Water plants',
      priority: 'low',
    });

    // `priority` is an array parameter given once: a one-element array.
    const high = await rest<Rest<Outputs['task']['list']>>(
      'GET',
      '/tasks?status=open&priority=high',
      key,
    );
    expect(high.status).toBe(200);
    expect(high.body.items.map((t) => t.id)).toEqual([taskId]);
    const both = await rest<Rest<Outputs['task']['list']>>(
      'GET',
      '/tasks?priority=high&priority=low&sort=title&limit=1',
      key,
    );
    expect(both.status).toBe(200);
    expect(both.body.items.map((t) => t.title)).toEqual(['Pack the bag']);
    expect(both.body.nextCursor).toEqual(expect.any(String));

    const got = await rest<Rest<Outputs['task']['get']>>('GET', `/tasks/${taskId}`, key);
    expect(got).toMatchObject({ status: 200, body: { id: taskId, title: 'Pack the bag' } });
    const changed = await rest('PATCH', `/tasks/${taskId}`, key, {
      notes: 'light',
      reminderMinutes: 60,
    });
    expect(changed).toMatchObject({
      status: 200,
      body: { id: taskId, notes: 'light', reminderMinutes: 60 },
    });

    const completed = await rest<Rest<Outputs['task']['setComplete']>>(
      'POST',
      `/tasks/${taskId}/complete`,
      key,
      { completed: true },
    );
    expect(completed.status).toBe(200);
    expect(completed.body.task.completedAt).toEqual(expect.any(String));
    expect(completed.body.next).toBeNull();

    const stats = await rest<Rest<Outputs['task']['stats']>>('GET', '/task-stats', key);
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ total: 2, done: 1, open: 1 });
    expect(stats.body.today).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    const deleted = await rest('DELETE', `/tasks/${low.body.id}`, key);
    expect(deleted).toMatchObject({ status: 200, body: { taskId: low.body.id } });
    expect((await rest('GET', `/tasks/${low.body.id}`, key)).status).toBe(404);
  });

  it('refuses writes to a tasks:read key and reads /me with a session', async () => {
    const { user, token, key } = await person(['tasks:read']);
    const refused = await rest('POST', '/tasks', key, { title: 'Not allowed' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('tasks:write');
    expect((await rest('GET', '/tasks', key)).status).toBe(200);

    const me = await rest<Rest<Outputs['auth']['me']>>('GET', '/me', token);
    expect(me).toMatchObject({
      status: 200,
      body: { id: user.id, email: user.email, name: user.name, timezone: 'UTC' },
    });
    // A key never stands in for the person's own account.
    expect((await rest('GET', '/me', key)).status).toBe(403);
  });
});

describe('REST parameters', () => {
  it('reads numbers, booleans and arrays from query and path strings, and refuses others', async () => {
    const { token, caller } = await person();
    const { goalId } = await caller.goal.import({
      goal: 'Learn Go',
      startDate: '2025-01-06',
      tasks: [{ title: 'Tour of Go', date: '2025-01-06' }],
    });
    await caller.task.create({ title: 'Read', priority: 'high' });

    const week = await rest<Rest<Outputs['plan']['week']>>(
      'GET',
      `/goals/${goalId}/weeks/1`,
      token,
    );
    expect(week).toMatchObject({ status: 200, body: { week: 1 } });
    const diff = await rest('GET', `/goals/${goalId}/diff?from=1&to=1`, token);
    expect(diff).toMatchObject({ status: 200, body: { from: 1, to: 1, changed: 0 } });
    const one = await rest<Rest<Outputs['goal']['get']>>(
      'GET',
      `/goals/${goalId}?withSnapshot=1`,
      token,
    );
    expect(one.body.plan?.plan).toBeDefined();
    const zero = await rest<Rest<Outputs['goal']['get']>>(
      'GET',
      `/goals/${goalId}?withSnapshot=0`,
      token,
    );
    expect(zero.body.plan).not.toHaveProperty('plan');

    const refusals: [string, string][] = [
      [`/goals/${goalId}/weeks/one`, 'week'],
      [`/goals/${goalId}/weeks/1.5`, 'week'],
      [`/goals/${goalId}/diff?from=1&to=`, 'to'],
      [`/goals/${goalId}/diff?from=0x1&to=1`, 'from'],
      [`/goals/${goalId}?withSnapshot=maybe`, 'withSnapshot'],
      ['/tasks?limit=ten', 'limit'],
      ['/tasks?priority=someday', 'priority'],
    ];
    for (const [path, field] of refusals) {
      const refused = await rest('GET', path, token);
      expect(refused.status, path).toBe(400);
      expect(refused.body.issues?.[0]?.path[0], path).toBe(field);
    }
  });

  it('leaves tRPC refusing strings for numbers and booleans after REST calls (the REST handler once coerced the shared schemas)', async () => {
    const { token, caller } = await person(['plans:read', 'tasks:read', 'tasks:write']);
    const { goalId } = await caller.goal.import({
      goal: 'Learn Go',
      startDate: '2025-01-06',
      tasks: [{ title: 'Tour of Go', date: '2025-01-06' }],
    });
    const task = await caller.task.create({ title: 'Pack' });

    // REST calls to each procedure first: path and query strings, a JSON body.
    expect((await rest('GET', `/goals/${goalId}/weeks/1`, token)).status).toBe(200);
    expect((await rest('GET', `/goals/${goalId}?withSnapshot=true`, token)).status).toBe(200);
    expect((await rest('GET', '/tasks?limit=5', token)).status).toBe(200);
    const done = await rest('POST', `/tasks/${task.id}/complete`, token, { completed: true });
    expect(done.status).toBe(200);
    const reopened = await rest('POST', `/tasks/${task.id}/complete`, token, { completed: false });
    expect(reopened.status).toBe(200);

    // A JSON body is JSON: a string where a boolean belongs is refused, not read as true.
    const stringBody = await rest('POST', `/tasks/${task.id}/complete`, token, {
      completed: 'false',
    });
    expect(stringBody.status).toBe(400);
    expect(stringBody.body.issues?.[0]?.path).toEqual(['completed']);

    expect(await trpc('query', 'plan.week', token, { goalId, week: '1' })).toEqual({
      status: 400,
      code: 'BAD_REQUEST',
    });
    expect(await trpc('query', 'goal.get', token, { goalId, withSnapshot: 'false' })).toEqual({
      status: 400,
      code: 'BAD_REQUEST',
    });
    expect(await trpc('query', 'task.list', token, { limit: '5' })).toEqual({
      status: 400,
      code: 'BAD_REQUEST',
    });
    expect(
      await trpc('mutation', 'task.setComplete', token, { taskId: task.id, completed: 'false' }),
    ).toEqual({ status: 400, code: 'BAD_REQUEST' });
    expect((await caller.task.get({ taskId: task.id })).completedAt).toBeNull();
  });
});

describe('/docs', () => {
  it('serves the Swagger UI page and its local assets', async () => {
    const page = await fetch(`${server.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    const assets = [...html.matchAll(/(?:href|src)="(\/docs\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual(
      expect.arrayContaining([
        '/docs/swagger-ui.css',
        '/docs/swagger-ui-bundle.js',
        '/docs/init.js',
      ]),
    );
    expect(html).not.toMatch(/https?:\/\//);

    for (const asset of assets) {
      const res = await fetch(`${server.url}${asset}`);
      expect(res.status, asset).toBe(200);
      const type = res.headers.get('content-type') ?? '';
      if (asset.endsWith('.css')) expect(type).toContain('text/css');
      if (asset.endsWith('.js')) expect(type).toContain('javascript');
      if (asset.endsWith('.png')) expect(type).toBe('image/png');
      expect((await res.arrayBuffer()).byteLength, asset).toBeGreaterThan(100);
    }
    const init = await (await fetch(`${server.url}/docs/init.js`)).text();
    expect(init).toContain("url: '/openapi.json'");
    expect((await fetch(`${server.url}/docs/package.json`)).status).toBe(404);
  });
});
