import { randomUUID } from 'node:crypto';
import { resolveAiConfig } from '@stepwise/ai';
import {
  examplePlan,
  type MockOpenAI,
  type MockStep,
  planSteps,
  startMockOpenAI,
} from '@stepwise/ai/testing';
import { listStreamEvents } from '@stepwise/db';
import { insertUser } from '@stepwise/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestServices } from '../../testing/test-services.js';
import { startPlanGeneration } from '../plans/plan-generation.service.js';
import { runPlanGeneration } from '../plans/run-plan-generation.js';
import { sendMessage, stopReply } from './chat-send.service.js';
import { runChatReply } from './run-chat-reply.js';

let mock: MockOpenAI;
let online: TestServices;
let offline: TestServices;
beforeAll(async () => {
  mock = await startMockOpenAI();
  offline = await createTestServices();
  online = {
    ...offline,
    ai: resolveAiConfig({
      apiKey: 'test-key',
      baseUrl: mock.url,
      provider: 'openai',
      idleTimeoutMs: 500,
      maxRetries: 1,
      retryBaseDelayMs: 10,
    }),
  };
});
afterAll(async () => {
  await offline.close();
  await mock.close();
});

/** A user with a goal whose plan was made by the offline planner. */
async function userWithPlan() {
  const user = await insertUser(offline.db);
  const { goalId, generationId } = await startPlanGeneration(offline, {
    userId: user.id,
    request: { goal: 'Learn to juggle', durationWeeks: 2, dailyHours: 1 },
  });
  await runPlanGeneration(offline, { generationId, isLastAttempt: true });
  const tasks = await offline.db
    .selectFrom('tasks')
    .selectAll()
    .where('goal_id', '=', goalId)
    .orderBy('position')
    .execute();
  return { user, goalId, tasks };
}

async function reply(
  services: TestServices,
  input: { userId: string; goalId?: string; content: string },
  steps: MockStep[] = [],
) {
  mock.reset();
  mock.script(steps);
  const sent = await sendMessage(services, { ...input, idempotencyKey: randomUUID() });
  await runChatReply(services, { generationId: sent.generationId, isLastAttempt: true });
  const events = await listStreamEvents(services.db, { generationId: sent.generationId });
  const message = await services.db
    .selectFrom('messages')
    .selectAll()
    .where('id', '=', sent.assistantMessageId)
    .executeTakeFirstOrThrow();
  return { sent, events, message };
}

const deltas = (events: { type: string; data: Record<string, unknown> }[]) =>
  events
    .filter((e) => e.type === 'delta')
    .map((e) => String(e.data.text))
    .join('');

describe('runChatReply', () => {
  it('streams an offline answer from the data, saying it is not an LLM, and stores it', async () => {
    const { user, goalId } = await userWithPlan();
    const { events, message } = await reply(offline, {
      userId: user.id,
      goalId,
      content: 'How am I doing?',
    });
    expect(events.map((e) => e.type)[0]).toBe('start');
    expect(events.at(-1)?.type).toBe('end');
    expect(message.status).toBe('complete');
    expect(message.content).toBe(deltas(events));
    expect(message.content).toMatch(/not an LLM/);
    expect(message.content).toMatch(/0 of \d+|0\/\d+|0%/);
  });

  it('runs a tool call round trip that changes the database', async () => {
    const { user, goalId, tasks } = await userWithPlan();
    const task = tasks[0]!;
    const { events, message } = await reply(
      online,
      { userId: user.id, goalId, content: 'I did the first task' },
      [
        {
          kind: 'tool_calls',
          calls: [{ name: 'complete_task', arguments: JSON.stringify({ taskId: task.id }) }],
        },
        { kind: 'stream', chunks: ['Nice ', 'work!'] },
      ],
    );
    const done = await online.db
      .selectFrom('tasks')
      .select('completed_at')
      .where('id', '=', task.id)
      .executeTakeFirstOrThrow();
    expect(done.completed_at).not.toBeNull();
    const types = events
      .map((e) => e.type)
      .filter((t, i, all) => t !== 'delta' || all[i - 1] !== 'delta');
    expect(types).toEqual(['start', 'tool_call', 'tool_result', 'delta', 'end']);
    expect(message).toMatchObject({ status: 'complete', content: 'Nice work!' });
    expect(message.parts).toMatchObject([
      { type: 'tool_call', name: 'complete_task' },
      { type: 'tool_result', name: 'complete_task' },
      { type: 'text', text: 'Nice work!' },
    ]);
    // The tool result went back to the model in the second request.
    expect(JSON.stringify(mock.requests[1]?.messages)).toContain('"role":"tool"');
  });

  it('reports a malformed tool call back to the model and still completes', async () => {
    const { user, goalId } = await userWithPlan();
    const { events, message } = await reply(
      online,
      { userId: user.id, goalId, content: 'add a task' },
      [
        { kind: 'tool_calls', calls: [{ name: 'add_task', arguments: '{"title": ' }] },
        { kind: 'stream', chunks: ['Sorry, could you repeat that?'] },
      ],
    );
    const result = events.find((e) => e.type === 'tool_result');
    expect(result?.data.error).toEqual(expect.any(String));
    expect(events.at(-1)?.type).toBe('end');
    expect(message.status).toBe('complete');
  });

  it("refuses a tool call on another user's task without touching it", async () => {
    const owner = await userWithPlan();
    const stranger = await userWithPlan();
    const target = owner.tasks[0]!;
    const { events } = await reply(
      online,
      { userId: stranger.user.id, goalId: stranger.goalId, content: 'delete it' },
      [
        {
          kind: 'tool_calls',
          calls: [{ name: 'delete_task', arguments: JSON.stringify({ taskId: target.id }) }],
        },
        { kind: 'stream', chunks: ['I could not find that task.'] },
      ],
    );
    expect(events.find((e) => e.type === 'tool_result')?.data.error).toMatch(/no such task/);
    const still = await online.db
      .selectFrom('tasks')
      .select('id')
      .where('id', '=', target.id)
      .executeTakeFirst();
    expect(still).toBeDefined();
  });

  it('revises the plan through the pipeline, announcing plan_updated, keeping progress', async () => {
    const { user, goalId, tasks } = await userWithPlan();
    const done = tasks.find((t) => t.week === 1)!;
    await online.db
      .updateTable('tasks')
      .set({ completed_at: new Date() })
      .where('id', '=', done.id)
      .execute();
    const goal = await online.db
      .selectFrom('goals')
      .select('requirements')
      .where('id', '=', goalId)
      .executeTakeFirstOrThrow();
    const revised = examplePlan({
      weeks: 2,
      startDate: String(goal.requirements.startDate),
      effortMinutes: 15,
    });
    revised.weeks[0]!.days[0]!.tasks[0]!.title = done.title;

    const { events, message } = await reply(
      online,
      { userId: user.id, goalId, content: 'make it lighter' },
      [
        {
          kind: 'tool_calls',
          calls: [{ name: 'revise_plan', arguments: JSON.stringify({ instructions: 'lighter' }) }],
        },
        planSteps.streamJson(revised),
        { kind: 'stream', chunks: ['Done: your plan is lighter now.'] },
      ],
    );
    const updated = events.find((e) => e.type === 'plan_updated');
    expect(updated?.data).toMatchObject({ type: 'plan_updated', goalId, version: 2 });
    expect(message.status).toBe('complete');
    const versions = await online.db
      .selectFrom('plan_versions')
      .select(['version', 'is_current', 'source'])
      .where('goal_id', '=', goalId)
      .orderBy('version')
      .execute();
    expect(versions).toEqual([
      { version: 1, is_current: false, source: 'generated' },
      { version: 2, is_current: true, source: 'revised' },
    ]);
    const kept = await online.db
      .selectFrom('tasks')
      .select(['title', 'completed_at'])
      .where('goal_id', '=', goalId)
      .where('title', '=', done.title)
      .execute();
    expect(kept).toHaveLength(1);
    expect(kept[0]?.completed_at).not.toBeNull();
  });

  it('keeps the partial text when stopped mid-stream', async () => {
    const { user, goalId } = await userWithPlan();
    mock.reset();
    mock.script({
      kind: 'stream',
      chunks: Array.from({ length: 40 }, (_, i) => `w${i} `),
      delayMs: 30,
    });
    const sent = await sendMessage(online, {
      userId: user.id,
      goalId,
      content: 'tell me a story',
      idempotencyKey: randomUUID(),
    });
    const running = runChatReply(online, { generationId: sent.generationId, isLastAttempt: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await stopReply(online, { userId: user.id, generationId: sent.generationId })).toEqual({
      stopped: true,
    });
    await running;
    const events = await listStreamEvents(online.db, { generationId: sent.generationId });
    const endAt = events.findIndex((e) => e.type === 'end');
    expect(events[endAt]?.data.reason).toBe('stopped');
    const message = await online.db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', sent.assistantMessageId)
      .executeTakeFirstOrThrow();
    expect(message.status).toBe('stopped');
    expect(message.content.length).toBeGreaterThan(0);
    expect(message.content).toBe(deltas(events.slice(0, endAt)));
    expect(message.content).not.toContain('w39');
  });

  it('stores one message for concurrent duplicate sends', async () => {
    const { user, goalId } = await userWithPlan();
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        sendMessage(offline, { userId: user.id, goalId, content: 'hello', idempotencyKey: key }),
      ),
    );
    expect(new Set(results.map((r) => r.userMessageId)).size).toBe(1);
    expect(new Set(results.map((r) => r.generationId)).size).toBe(1);
    const stored = await offline.db
      .selectFrom('messages')
      .select('id')
      .where('user_id', '=', user.id)
      .execute();
    expect(stored).toHaveLength(2);
  });
});
