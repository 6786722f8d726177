import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { insertSession, insertUser } from '@stepwise/db/testing';
import type { inferRouterOutputs } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server.js';
import { startTestServer } from '../../testing/start-test-server.js';
import { createContextInner } from '../../trpc/context.js';
import { type AppRouter, createCaller } from '../../trpc/root.js';
import type { ApiKeyScope } from '../api-keys/api-key-scopes.js';
import type { Jsonified } from '../plans/plan-events.js';

type Outputs = inferRouterOutputs<AppRouter>;
/** What each tool answers: its procedure's output, as JSON. */
type ToolOutputs = {
  list_tasks: Outputs['task']['list'];
  get_task: Outputs['task']['get'];
  add_task: Outputs['task']['create'];
  update_task: Outputs['task']['update'];
  complete_task: Outputs['task']['setComplete'];
  delete_task: Outputs['task']['delete'];
  list_goals: Outputs['goal']['list'];
  get_goal: Outputs['goal']['get'];
  generate_plan: {
    status: 'completed' | 'generating';
    goalId: string;
    generationId: string;
    goal?: Outputs['goal']['get'];
  };
};

let server: RunningServer;
const clients: Client[] = [];
beforeAll(async () => {
  // The worker runs plan generations (offline planner: no model needed).
  server = await startTestServer({ RUN_WORKER: 'true' });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await server?.close();
});

/** A new user's session token and an API key with `scopes`. */
async function person(scopes: ApiKeyScope[]) {
  const row = await insertUser(server.services.db);
  const { token } = await insertSession(server.services.db, row.id);
  const user = { id: row.id, email: row.email, name: row.name };
  const caller = createCaller(createContextInner({ services: server.services, user }));
  const { key } = await caller.apiKey.create({ name: 'mcp', scopes });
  return { token, key, caller };
}

/** An MCP client of the SDK connected to `/mcp` with `Authorization: Bearer <token>`. */
async function connect(token?: string) {
  const client = new Client({ name: 'stepwise-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
    requestInit: { headers: token ? { authorization: `Bearer ${token}` } : {} },
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

/** Calls a tool; its structured result, or throws with the error text it returned. */
async function call<N extends keyof ToolOutputs>(
  client: Client,
  name: N,
  args: Record<string, unknown>,
): Promise<Jsonified<ToolOutputs[N]>> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
  if (result.isError) throw new Error(text);
  expect(JSON.parse(text)).toEqual(result.structuredContent);
  return result.structuredContent as Jsonified<ToolOutputs[N]>;
}

const ALL: ApiKeyScope[] = ['tasks:read', 'tasks:write', 'plans:read', 'plans:write'];

describe('MCP over Streamable HTTP', () => {
  it('lists the task and plan tools with descriptions and input schemas', async () => {
    const { key } = await person(ALL);
    const client = await connect(key);
    expect(client.getServerVersion()?.name).toBe('stepwise');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'add_task',
      'complete_task',
      'delete_task',
      'generate_plan',
      'get_goal',
      'get_task',
      'list_goals',
      'list_tasks',
      'update_task',
    ]);
    for (const tool of tools) {
      expect(tool.description!.length, tool.name).toBeGreaterThan(20);
      expect(tool.inputSchema.type).toBe('object');
    }
    const addTask = tools.find((tool) => tool.name === 'add_task')!;
    expect(addTask.inputSchema.required).toEqual(['title']);
    expect(addTask.inputSchema.properties).toHaveProperty('dueDate');
  });

  it('adds, lists, updates, completes and deletes a task', async () => {
    const { key, caller } = await person(ALL);
    const client = await connect(key);

    const added = await call(client, 'add_task', {
      title: 'Buy running shoes',
      dueDate: '2030-05-01',
      priority: 'high',
      tags: ['errands'],
    });
    expect(added).toMatchObject({
      title: 'Buy running shoes',
      dueDate: '2030-05-01',
      priority: 'high',
    });
    expect(await caller.task.get({ taskId: added.id })).toMatchObject({
      title: 'Buy running shoes',
    });

    const listed = await call(client, 'list_tasks', { status: 'open', search: 'shoes' });
    expect(listed.items.map((t) => t.id)).toEqual([added.id]);

    const updated = await call(client, 'update_task', {
      taskId: added.id,
      title: 'Buy trail shoes',
      dueDate: null,
    });
    expect(updated).toMatchObject({ title: 'Buy trail shoes', dueDate: null });

    const completed = await call(client, 'complete_task', { taskId: added.id });
    expect(completed.task.completedAt).toEqual(expect.any(String));
    expect((await call(client, 'list_tasks', { status: 'open' })).items).toEqual([]);
    const reopened = await call(client, 'complete_task', { taskId: added.id, completed: false });
    expect(reopened.task.completedAt).toBeNull();

    expect(await call(client, 'delete_task', { taskId: added.id })).toEqual({ taskId: added.id });
    await expect(call(client, 'get_task', { taskId: added.id })).rejects.toThrow(/^NOT_FOUND/);
  });

  it('reports invalid input field by field, as a tool error', async () => {
    const { key } = await person(ALL);
    const client = await connect(key);
    await expect(call(client, 'add_task', { title: '' })).rejects.toThrow(/title/);
    await expect(call(client, 'add_task', { title: 'Call mum', dueTime: '09:00' })).rejects.toThrow(
      /BAD_REQUEST: invalid input\n- dueTime: /,
    );
  });

  it('generates a plan, waits for it and returns the goal with its tasks', async () => {
    const { key } = await person(ALL);
    const client = await connect(key);
    const generated = await call(client, 'generate_plan', {
      goal: 'Run a 5k without stopping',
      durationWeeks: 2,
      dailyHours: 0.5,
      waitSeconds: 30,
    });
    expect(generated).toMatchObject({ status: 'completed', goalId: expect.any(String) });
    expect(generated.goal).toMatchObject({ id: generated.goalId, status: 'active' });
    expect(generated.goal?.tasks.length).toBeGreaterThan(0);

    const goals = await call(client, 'list_goals', {});
    expect(goals.items.map((g) => g.id)).toEqual([generated.goalId]);
    const goal = await call(client, 'get_goal', { goalId: generated.goalId });
    expect(goal.tasks.length).toBe(generated.goal?.tasks.length);

    const queued = await call(client, 'generate_plan', { goal: 'Learn to knit', waitSeconds: 0 });
    expect(queued).toEqual({
      status: 'generating',
      goalId: expect.any(String),
      generationId: expect.any(String),
    });
  });

  it('keeps a key within its scopes: read-only keys cannot add tasks', async () => {
    const { key } = await person(['tasks:read']);
    const client = await connect(key);
    expect((await call(client, 'list_tasks', {})).items).toEqual([]);
    await expect(call(client, 'add_task', { title: 'Sneaky' })).rejects.toThrow(
      'FORBIDDEN: this API key lacks the scope tasks:write (needed by task.create)',
    );
    await expect(call(client, 'list_goals', {})).rejects.toThrow(/plans:read/);
  });

  it('answers 401 with a challenge without a valid API key, and 405 to GET', async () => {
    await expect(connect()).rejects.toThrow();
    const { token, key } = await person(ALL);
    await expect(connect(token)).rejects.toThrow();

    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'curl', version: '1' },
      },
    };
    const post = (headers: Record<string, string>) =>
      fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
        body: JSON.stringify(initialize),
      });
    const anonymous = await post({});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="stepwise-mcp"');
    const session = await post({ authorization: `Bearer ${token}` });
    expect(session.status).toBe(401);
    expect(session.headers.get('www-authenticate')).toContain('error="invalid_token"');

    const ok = await post({ authorization: `Bearer ${key}` });
    expect(ok.status).toBe(200);
    expect(
      ((await ok.json()) as { result: { serverInfo: { name: string } } }).result.serverInfo.name,
    ).toBe('stepwise');
    const stream = await fetch(`${server.url}/mcp`, {
      headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
    });
    expect(stream.status).toBe(405);
  });
});
