import type { RunningServer } from '@stepwise/server';
import { startTestServer } from '@stepwise/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTRPCClientError, type RouterOutputs } from './index.js';
import { followPlan, signUpClient } from './testing/follow.js';

let server: RunningServer;
beforeAll(async () => {
  // No OPENAI_* settings: the offline planner does the work, through the real job worker.
  server = await startTestServer({ RUN_WORKER: 'true' });
});
afterAll(() => server.close());

const signUp = () => signUpClient(server.url);

describe('typed client over HTTP', () => {
  it('batches queries and mutations with the bearer token', async () => {
    const { client, user, email } = await signUp();
    const [me, health] = await Promise.all([client.auth.me.query(), client.health.check.query()]);
    expect(me).toEqual({ id: user.id, email, name: 'Http', timezone: 'UTC' });
    expect(health.ok).toBe(true);
  });

  it('answers malformed input with BAD_REQUEST and field errors', async () => {
    const { client } = await signUp();
    const error = await client.plan.generate
      .mutate({ goal: 'x', durationWeeks: 99 })
      .catch((e) => e);
    expect(isTRPCClientError(error)).toBe(true);
    expect(error.data.code).toBe('BAD_REQUEST');
    expect(Object.keys(error.data.zodError.fieldErrors)).toEqual(
      expect.arrayContaining(['goal', 'durationWeeks']),
    );
  });

  it('generates a plan and streams it over SSE: queued, phases, tasks, completed', async () => {
    const { client } = await signUp();
    const { goalId, generationId } = await client.plan.generate.mutate({
      goal: 'Learn conversational Spanish',
      durationWeeks: 3,
      dailyHours: 1,
      level: 'beginner',
    });
    const events = await followPlan(client, { generationId });
    const types = events.map((e) => e.data.type);
    expect(types[0]).toBe('queued');
    expect(types).toContain('status');
    expect(types.at(-1)).toBe('completed');
    const firstTask = types.indexOf('task');
    expect(firstTask).toBeGreaterThan(0);
    expect(firstTask).toBeLessThan(types.length - 1);
    const ids = events.map((e) => BigInt(e.id));
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);

    const completed = events.at(-1)!.data;
    if (completed.type !== 'completed') throw new Error('expected completed');
    expect(completed.offline).toBe(true);
    const goal: RouterOutputs['goal']['get'] = await client.goal.get.query({ goalId });
    expect(goal.status).toBe('active');
    expect(goal.plan?.version).toBe(1);
    expect(goal.tasks.map((t) => t.id)).toEqual(completed.tasks.map((t) => t.id));
    expect(goal.tasks.map((t) => t.title)).toEqual(
      events
        .filter((e) => e.data.type === 'task')
        .map((e) => (e.data as { task: { title: string } }).task.title),
    );

    // A late subscriber gets the full history; one resuming from an id gets the rest only.
    const again = await followPlan(client, { generationId });
    expect(again.map((e) => e.id)).toEqual(events.map((e) => e.id));
    const cut = events[3]!.id;
    const resumed = await followPlan(client, { generationId, lastEventId: cut });
    expect(resumed.map((e) => e.id)).toEqual(events.slice(4).map((e) => e.id));
  });

  it('hides another user’s generation and goal (NOT_FOUND)', async () => {
    const owner = await signUp();
    const stranger = await signUp();
    const { goalId, generationId } = await owner.client.plan.generate.mutate({
      goal: 'Write a novel',
    });
    await expect(stranger.client.goal.get.query({ goalId })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    await expect(stranger.client.plan.cancel.mutate({ generationId })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    const error = await followPlan(stranger.client, { generationId }).catch((e) => e);
    expect(error.data?.code ?? error.message).toMatch(/NOT_FOUND|not found/);
  });
});
