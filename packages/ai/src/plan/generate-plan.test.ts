import { DomainError } from '@stepwise/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AiConfigInput, resolveAiConfig } from '../providers/ai-config.js';
import { examplePlan } from '../testing/example-plan.js';
import { type MockOpenAI, startMockOpenAI } from '../testing/mock-openai.js';
import { planSteps } from '../testing/plan-steps.js';
import { type GeneratePlanOptions, generatePlan, type PlanPhase } from './generate-plan.js';
import { placeTasks } from './place-tasks.js';
import type { TPlacedTask } from './plan.schema.js';
import { resolvePlanRequest, ZPlanRequest } from './plan-request.schema.js';

const startDate = '2025-01-06';
const request = resolvePlanRequest(
  ZPlanRequest.parse({ goal: 'Learn Go', durationWeeks: 2, dailyHours: 1, startDate }),
  startDate,
);
const plan = examplePlan({ weeks: 2, days: [1, 3, 5], tasksPerDay: 2, startDate });
const allTasks = placeTasks(plan);

let mock: MockOpenAI;
beforeAll(async () => {
  mock = await startMockOpenAI();
});
afterAll(() => mock.close());
afterEach(() => {
  const unused = mock.pending();
  mock.reset();
  expect(unused, 'every scripted step is consumed').toBe(0);
});

function config(overrides: AiConfigInput = {}) {
  return resolveAiConfig({
    apiKey: 'test-key',
    baseUrl: mock.url,
    planModel: 'mock-model',
    requestTimeoutMs: 1000,
    idleTimeoutMs: 200,
    deadlineMs: 5000,
    retryBaseDelayMs: 5,
    maxRetries: 2,
    price: { input: 1, output: 2 },
    ...overrides,
  });
}

async function run(options: Partial<GeneratePlanOptions> & { configInput?: AiConfigInput } = {}) {
  const tasks: TPlacedTask[] = [];
  const phases: PlanPhase[] = [];
  const { configInput, ...rest } = options;
  const result = await generatePlan({
    config: config(configInput),
    request,
    onTask: (task) => tasks.push(task),
    onPhase: (phase) => phases.push(phase),
    ...rest,
  });
  return { result, tasks, phases };
}

async function failure(options: Parameters<typeof run>[0] = {}): Promise<DomainError> {
  const error = await run(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

function lastUserMessage(index: number): string {
  const messages = mock.requests[index]?.messages ?? [];
  const content = messages.at(-1)?.content;
  return typeof content === 'string' ? content : '';
}

describe('generatePlan against an OpenAI-compatible server', () => {
  it('streams a schema-constrained plan and emits every task once, in order', async () => {
    mock.script(
      planSteps.streamJson(plan, {
        chunkSize: 13,
        usage: { prompt_tokens: 1000, completion_tokens: 500 },
      }),
    );
    const { result, tasks, phases } = await run();
    expect(result).toMatchObject({
      plan,
      fixes: [],
      mode: 'json_schema',
      attempts: 1,
      offline: false,
      provider: 'generic',
      model: 'mock-model',
      usage: { promptTokens: 1000, completionTokens: 500, totalTokens: 1500, costUsd: 0.002 },
    });
    expect(tasks).toEqual(allTasks);
    expect(phases).toEqual(['prompting', 'generating', 'parsing', 'validating']);
    const body = mock.requests[0];
    expect(body).toMatchObject({
      model: 'mock-model',
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 16_000,
      response_format: { type: 'json_schema', json_schema: { name: 'plan', strict: true } },
    });
  });

  it('sends the provider extra body fields', async () => {
    mock.script(planSteps.streamJson(plan));
    await run({ configInput: { provider: 'openrouter' } });
    expect(mock.requests[0]).toMatchObject({
      provider: { require_parameters: true },
      max_tokens: 16_000,
    });
  });

  it.each([
    ['code fences', planSteps.inFences(plan, { chunkSize: 9 })],
    ['a think block', planSteps.inThinkBlock(plan, { chunkSize: 9 })],
  ])('accepts a plan wrapped in %s', async (_, step) => {
    mock.script(step);
    const { result, tasks } = await run();
    expect(result.plan).toEqual(plan);
    expect(tasks).toEqual(allTasks);
  });

  it('falls back to json_object, then to a prompted plan, when response_format is rejected', async () => {
    mock.script([
      { kind: 'reject_response_format' },
      { kind: 'reject_response_format' },
      planSteps.streamJson(plan),
    ]);
    const { result } = await run();
    expect(result).toMatchObject({ mode: 'prompted', attempts: 3 });
    expect(mock.requests.map((r) => r.response_format)).toEqual([
      expect.objectContaining({ type: 'json_schema' }),
      { type: 'json_object' },
      undefined,
    ]);
    expect(mock.requests[2]?.messages[0]?.content).toContain(
      'The JSON object has exactly this shape',
    );
  });

  it('starts with the first mode of the provider profile', async () => {
    mock.script(planSteps.streamJson(plan));
    const { result } = await run({ configInput: { provider: 'minimax' } });
    expect(result.mode).toBe('prompted');
    expect(mock.requests[0]).toMatchObject({
      reasoning_split: true,
      max_completion_tokens: 16_000,
    });
    expect(mock.requests[0]?.response_format).toBeUndefined();
  });

  describe('rate limits', () => {
    it('retries after retry-after and succeeds', async () => {
      mock.script([{ kind: 'status', status: 429, retryAfter: 0 }, planSteps.streamJson(plan)]);
      const { result } = await run();
      expect(result.attempts).toBe(2);
      expect(mock.requests).toHaveLength(2);
    });

    it('fails with LLM_RATE_LIMITED after the bounded retries', async () => {
      mock.setDefault({ kind: 'status', status: 429, retryAfter: 0 });
      const error = await failure();
      expect(error.code).toBe('LLM_RATE_LIMITED');
      expect(mock.requests).toHaveLength(3);
    });

    it('fails at once when retry-after exceeds the longest wait', async () => {
      mock.script({ kind: 'status', status: 429, retryAfter: 60 });
      const error = await failure();
      expect(error.code).toBe('LLM_RATE_LIMITED');
      expect(error.details).toMatchObject({ retryAfterMs: 60_000 });
      expect(mock.requests).toHaveLength(1);
    });
  });

  describe('unavailable providers', () => {
    it('retries a 500 and succeeds', async () => {
      mock.script([{ kind: 'status', status: 500 }, planSteps.streamJson(plan)]);
      const { result } = await run();
      expect(result.attempts).toBe(2);
    });

    it('fails with LLM_UNAVAILABLE after the bounded retries', async () => {
      mock.setDefault({ kind: 'status', status: 503 });
      const error = await failure();
      expect(error.code).toBe('LLM_UNAVAILABLE');
      expect(mock.requests).toHaveLength(3);
    });

    it('retries malformed SSE and succeeds', async () => {
      mock.script([{ kind: 'malformed_sse' }, planSteps.streamJson(plan)]);
      const { result, tasks } = await run();
      expect(result.plan).toEqual(plan);
      expect(tasks).toEqual(allTasks);
    });

    it('retries a connection cut mid-stream without emitting any task twice', async () => {
      const json = JSON.stringify(plan);
      const cut = json.indexOf('W1D5T1');
      mock.script([
        { kind: 'truncate', chunks: [json.slice(0, cut / 2), json.slice(cut / 2, cut)] },
        planSteps.streamJson(plan, { chunkSize: 11 }),
      ]);
      const { result, tasks } = await run();
      expect(result.attempts).toBe(2);
      expect(tasks).toEqual(allTasks);
    });

    it('rejects with LLM_REJECTED on other client errors, without retrying', async () => {
      mock.script({ kind: 'status', status: 401, message: 'invalid api key' });
      const error = await failure();
      expect(error.code).toBe('LLM_REJECTED');
      expect(error.details).toMatchObject({ status: 401 });
      expect(mock.requests).toHaveLength(1);
    });

    it('rejects with LLM_REJECTED when the content filter stops the answer', async () => {
      mock.script({ kind: 'stream', chunks: ['{"title":'], finishReason: 'content_filter' });
      expect((await failure()).code).toBe('LLM_REJECTED');
    });
  });

  describe('timeouts', () => {
    it('fails with LLM_TIMEOUT when no headers arrive', async () => {
      mock.script({ kind: 'hang' });
      const started = Date.now();
      const error = await failure({ configInput: { requestTimeoutMs: 150 } });
      expect(error.code).toBe('LLM_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(1000);
      expect(mock.requests).toHaveLength(1);
    });

    it('fails with LLM_TIMEOUT when the stream goes idle, keeping the tasks already emitted', async () => {
      const json = JSON.stringify(plan);
      mock.script({ kind: 'hang', afterChunks: [json.slice(0, json.indexOf('W1D3T1'))] });
      const tasks: TPlacedTask[] = [];
      const error = await failure({ onTask: (task) => tasks.push(task) });
      expect(error.code).toBe('LLM_TIMEOUT');
      expect(error.details).toMatchObject({ idleTimeoutMs: 200 });
      expect(tasks).toEqual(allTasks.slice(0, 2));
    });

    it('fails with LLM_TIMEOUT at the overall deadline even while chunks keep coming', async () => {
      mock.script(planSteps.streamJson(plan, { chunkSize: 5, delayMs: 50 }));
      const started = Date.now();
      const error = await failure({ configInput: { deadlineMs: 400 } });
      expect(error.code).toBe('LLM_TIMEOUT');
      expect(error.message).toMatch(/deadline/);
      expect(Date.now() - started).toBeLessThan(1500);
    });
  });

  describe('truncated output', () => {
    it('retries once asking for a compact plan', async () => {
      mock.script([planSteps.truncated(plan, 0.6), planSteps.streamJson(plan)]);
      const { result, tasks } = await run();
      expect(result.attempts).toBe(2);
      expect(lastUserMessage(1)).toMatch(/cut off/);
      expect(tasks).toEqual(allTasks);
    });

    it('fails with LLM_TRUNCATED when the retry is cut off too', async () => {
      mock.script([planSteps.truncated(plan, 0.6), planSteps.truncated(plan, 0.9)]);
      expect((await failure()).code).toBe('LLM_TRUNCATED');
      expect(mock.requests).toHaveLength(2);
    });

    it('accepts a stream without finish_reason when the plan is complete and valid', async () => {
      mock.script(planSteps.streamJson(plan, { finishReason: null }));
      const { result } = await run();
      expect(result).toMatchObject({ plan, attempts: 1 });
    });

    it('treats a stream without finish_reason and an unclosed plan as truncated', async () => {
      const json = JSON.stringify(plan);
      mock.script([
        { kind: 'stream', chunks: [json.slice(0, 200)], finishReason: null },
        { kind: 'stream', chunks: [json.slice(0, 300)], finishReason: null },
      ]);
      expect((await failure()).code).toBe('LLM_TRUNCATED');
    });
  });

  describe('invalid output', () => {
    it('retries once with the validation errors and succeeds', async () => {
      mock.script([planSteps.schemaInvalid(plan), planSteps.streamJson(plan)]);
      const { result, tasks } = await run();
      expect(result.attempts).toBe(2);
      expect(lastUserMessage(1)).toContain('weeks.0.days.0.tasks.0.effortMinutes');
      expect(lastUserMessage(1)).toContain('weeks.0.days.0.tasks.0.title');
      expect(tasks).toEqual(allTasks);
    });

    it('fails with LLM_INVALID_OUTPUT when the corrected answer is invalid too', async () => {
      mock.script([
        planSteps.schemaInvalid(plan),
        { kind: 'text', content: 'I cannot make plans.' },
      ]);
      const error = await failure();
      expect(error.code).toBe('LLM_INVALID_OUTPUT');
      expect(error.details).toMatchObject({ reason: 'no_json' });
      expect(mock.requests).toHaveLength(2);
    });

    it('retries a plan the constraint check rejects, showing the reason', async () => {
      const emptyWeek = structuredClone(plan);
      const week2 = emptyWeek.weeks[1];
      if (week2) week2.days = [];
      mock.script([planSteps.streamJson(emptyWeek), planSteps.streamJson(plan)]);
      const { result } = await run();
      expect(result.plan).toEqual(plan);
      expect(lastUserMessage(1)).toContain('week 2 has no tasks');
    });

    it('fails with PLAN_CONSTRAINTS when the corrected plan is still rejected', async () => {
      const noWeeks = { ...plan, weeks: [] };
      mock.script([planSteps.streamJson(noWeeks), planSteps.streamJson(noWeeks)]);
      expect((await failure()).code).toBe('PLAN_CONSTRAINTS');
    });

    it('returns the fixes of the constraint check', async () => {
      const overBudget = examplePlan({
        weeks: 2,
        days: [1, 3, 5],
        tasksPerDay: 2,
        effortMinutes: 45,
        startDate,
      });
      mock.script(planSteps.streamJson(overBudget));
      const { result } = await run();
      expect(result.fixes).toEqual(['scaled effort down on 6 day(s) to fit 1 h (60 min) a day']);
      expect(result.plan.weeks[0]?.days[0]?.tasks.map((t) => t.effortMinutes)).toEqual([30, 30]);
    });
  });

  it('sums usage and cost over every attempt', async () => {
    mock.script([
      { kind: 'status', status: 500 },
      planSteps.schemaInvalid(plan, { usage: { prompt_tokens: 100, completion_tokens: 200 } }),
      planSteps.streamJson(plan, { usage: { prompt_tokens: 150, completion_tokens: 250 } }),
    ]);
    const { result } = await run();
    expect(result.attempts).toBe(3);
    expect(result.usage).toEqual({
      promptTokens: 250,
      completionTokens: 450,
      totalTokens: 700,
      costUsd: (250 * 1 + 450 * 2) / 1_000_000,
    });
  });

  it('reports an unknown cost when no price is known', async () => {
    mock.script(planSteps.streamJson(plan, { usage: { prompt_tokens: 1, completion_tokens: 1 } }));
    const { result } = await run({ configInput: { price: undefined } });
    expect(result.usage.costUsd).toBeNull();
  });

  describe('cancellation', () => {
    it('throws CANCELLED when the signal aborts mid-stream', async () => {
      mock.script(planSteps.streamJson(plan, { chunkSize: 5, delayMs: 20 }));
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      expect((await failure({ signal: controller.signal })).code).toBe('CANCELLED');
    });

    it('throws CANCELLED without a request when already aborted', async () => {
      const error = await failure({ signal: AbortSignal.abort() });
      expect(error.code).toBe('CANCELLED');
      expect(mock.requests).toHaveLength(0);
    });

    it('throws CANCELLED while waiting to retry', async () => {
      mock.script({ kind: 'status', status: 429, retryAfter: 1 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const started = Date.now();
      expect((await failure({ signal: controller.signal })).code).toBe('CANCELLED');
      expect(Date.now() - started).toBeLessThan(900);
    });
  });

  it('stops at once when onTask fails', async () => {
    mock.script(planSteps.streamJson(plan));
    const error = await failure({
      onTask: () => {
        throw new Error('event log unavailable');
      },
    });
    expect(error.code).toBe('INTERNAL');
    expect(error.cause).toEqual(new Error('event log unavailable'));
    expect(mock.requests).toHaveLength(1);
  });
});

describe('generatePlan offline', () => {
  it('builds the heuristic plan without any request and emits every task', async () => {
    const tasks: TPlacedTask[] = [];
    const result = await generatePlan({
      config: resolveAiConfig({}),
      request,
      onTask: (task) => tasks.push(task),
    });
    expect(result).toMatchObject({
      offline: true,
      mode: 'offline',
      attempts: 0,
      model: 'offline',
      fixes: [],
    });
    expect(result.usage).toEqual({
      promptTokens: 0,
      completionTokens: 0,
      totalTokens: 0,
      costUsd: 0,
    });
    expect(tasks).toEqual(placeTasks(result.plan));
    expect(tasks.length).toBeGreaterThan(0);
  });
});
