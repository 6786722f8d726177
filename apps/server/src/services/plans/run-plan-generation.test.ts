import { resolveAiConfig } from '@stepwise/ai';
import type { TPlan } from '@stepwise/ai/schema';
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
import { cancelGeneration, startPlanGeneration } from './plan-generation.service.js';
import { runPlanGeneration } from './run-plan-generation.js';

let mock: MockOpenAI;
let services: TestServices;
beforeAll(async () => {
  mock = await startMockOpenAI();
  const base = await createTestServices();
  services = {
    ...base,
    ai: resolveAiConfig({
      apiKey: 'test-key',
      baseUrl: mock.url,
      provider: 'openai',
      requestTimeoutMs: 1_000,
      idleTimeoutMs: 300,
      deadlineMs: 5_000,
      maxRetries: 2,
      retryBaseDelayMs: 10,
      maxRetryDelayMs: 1_500,
    }),
  };
});
afterAll(async () => {
  await services.close();
  await mock.close();
});

const START = '2026-03-02';
const plan: TPlan = examplePlan({ weeks: 2, startDate: START, tasksPerDay: 2, effortMinutes: 20 });
const taskCount = plan.weeks.reduce(
  (n, w) => n + w.days.reduce((m, d) => m + d.tasks.length, 0),
  0,
);

/** Runs one generation through the real job function against the scripted mock model. */
async function generate(steps: MockStep[]) {
  mock.reset();
  mock.script(steps);
  const user = await insertUser(services.db);
  const ids = await startPlanGeneration(services, {
    userId: user.id,
    request: { goal: 'Learn to juggle', durationWeeks: 2, dailyHours: 1, startDate: START },
  });
  await runPlanGeneration(services, { generationId: ids.generationId, isLastAttempt: true });
  const events = await listStreamEvents(services.db, { generationId: ids.generationId });
  const generation = await services.db
    .selectFrom('generations')
    .selectAll()
    .where('id', '=', ids.generationId)
    .executeTakeFirstOrThrow();
  const goal = await services.db
    .selectFrom('goals')
    .selectAll()
    .where('id', '=', ids.goalId)
    .executeTakeFirstOrThrow();
  const rows = await services.db
    .selectFrom('tasks')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('goal_id', '=', ids.goalId)
    .union(
      services.db
        .selectFrom('plan_versions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('goal_id', '=', ids.goalId),
    )
    .execute();
  return {
    ...ids,
    events,
    generation,
    goal,
    storedRows: rows.reduce((n, r) => n + Number(r.n), 0),
  };
}

const typesOf = (events: { type: string }[]) => events.map((e) => e.type);

describe('runPlanGeneration with a scripted model', () => {
  const recovered: [string, MockStep[]][] = [
    ['a clean stream', [planSteps.streamJson(plan)]],
    ['JSON inside code fences', [planSteps.inFences(plan)]],
    ['JSON after a think block', [planSteps.inThinkBlock(plan)]],
    ['a stream without finish_reason', [planSteps.streamJson(plan, { finishReason: null })]],
    [
      'a 429 with retry-after, then the plan',
      [{ kind: 'status', status: 429, retryAfter: 0.05 }, planSteps.streamJson(plan)],
    ],
    ['a 500, then the plan', [{ kind: 'status', status: 500 }, planSteps.streamJson(plan)]],
    ['malformed SSE, then the plan', [{ kind: 'malformed_sse' }, planSteps.streamJson(plan)]],
    [
      'a stream cut mid-way, then the plan',
      [{ kind: 'truncate', chunks: ['{"title":"Ex'] }, planSteps.streamJson(plan)],
    ],
    [
      'schema-invalid JSON, then a corrected plan',
      [planSteps.schemaInvalid(plan), planSteps.streamJson(plan)],
    ],
    [
      'a rejected response_format, then the plan',
      [{ kind: 'reject_response_format' }, planSteps.streamJson(plan)],
    ],
    [
      'a truncated answer, then a compact plan',
      [planSteps.truncated(plan, 0.5), planSteps.streamJson(plan)],
    ],
  ];
  it.each(recovered)('completes after %s', async (_name, steps) => {
    const result = await generate(steps);
    const types = typesOf(result.events);
    expect(result.generation.status).toBe('completed');
    expect(result.goal.status).toBe('active');
    expect(types[0]).toBe('queued');
    expect(types.at(-1)).toBe('completed');
    // Every task announced exactly once, in order, before completion.
    const indexes = result.events.filter((e) => e.type === 'task').map((e) => e.data.index);
    expect(indexes).toEqual(Array.from({ length: taskCount }, (_, i) => i));
    expect(result.storedRows).toBe(taskCount + 1);
    expect(result.generation.provider).toBe('openai');
    expect(result.generation.model).toEqual(expect.any(String));
    expect(result.generation.offline).toBe(false);
  });

  const failures: [string, MockStep[], string][] = [
    ['500s past the retries', Array(3).fill({ kind: 'status', status: 500 }), 'LLM_UNAVAILABLE'],
    [
      '429s past the retries',
      Array(3).fill({ kind: 'status', status: 429, retryAfter: 0.01 }),
      'LLM_RATE_LIMITED',
    ],
    ['a hang before headers', [{ kind: 'hang' }], 'LLM_TIMEOUT'],
    ['a stream that goes silent', [{ kind: 'hang', afterChunks: ['{"title":"Ex'] }], 'LLM_TIMEOUT'],
    [
      'schema-invalid JSON twice',
      [planSteps.schemaInvalid(plan), planSteps.schemaInvalid(plan)],
      'LLM_INVALID_OUTPUT',
    ],
    [
      'truncated answers twice',
      [planSteps.truncated(plan, 0.5), planSteps.truncated(plan, 0.5)],
      'LLM_TRUNCATED',
    ],
    [
      'a 400 the provider will not take',
      [{ kind: 'status', status: 400, message: 'bad model' }],
      'LLM_REJECTED',
    ],
  ];
  it.each(failures)(
    'fails with a specific code after %s, leaving no partial rows',
    async (_name, steps, code) => {
      const result = await generate(steps);
      expect(result.generation.status).toBe('failed');
      expect(result.generation.error_code).toBe(code);
      expect(result.goal).toMatchObject({ status: 'failed', failure_code: code });
      expect(typesOf(result.events).at(-1)).toBe('failed');
      expect(result.events.at(-1)?.data).toMatchObject({ type: 'failed', code });
      expect(result.storedRows).toBe(0);
    },
  );

  it('records token usage summed over retries', async () => {
    const usage = { prompt_tokens: 100, completion_tokens: 50 };
    const result = await generate([
      planSteps.schemaInvalid(plan, { usage }),
      planSteps.streamJson(plan, { usage }),
    ]);
    expect(result.generation).toMatchObject({
      prompt_tokens: 200,
      completion_tokens: 100,
      attempts: 1,
    });
  });

  it('stops a generation cancelled while the model writes, storing nothing', async () => {
    mock.reset();
    mock.script(planSteps.streamJson(plan, { chunkSize: 20, delayMs: 20 }));
    const user = await insertUser(services.db);
    const ids = await startPlanGeneration(services, {
      userId: user.id,
      request: { goal: 'Learn to juggle', durationWeeks: 2, startDate: START },
    });
    const running = runPlanGeneration(services, {
      generationId: ids.generationId,
      isLastAttempt: true,
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(
      await cancelGeneration(services, { userId: user.id, generationId: ids.generationId }),
    ).toEqual({
      cancelled: true,
    });
    await running;
    const events = await listStreamEvents(services.db, { generationId: ids.generationId });
    expect(events.filter((e) => e.type === 'failed')).toHaveLength(1);
    expect(events.at(-1)?.data).toMatchObject({ type: 'failed', code: 'CANCELLED' });
    const versions = await services.db
      .selectFrom('plan_versions')
      .select('id')
      .where('goal_id', '=', ids.goalId)
      .execute();
    expect(versions).toEqual([]);
    // Cancelling an ended generation changes nothing.
    expect(
      await cancelGeneration(services, { userId: user.id, generationId: ids.generationId }),
    ).toEqual({
      cancelled: false,
    });
  });
});
