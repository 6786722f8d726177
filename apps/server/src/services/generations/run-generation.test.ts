import { DomainError } from '@stepwise/core';
import { getGeneration, listStreamEvents, type StreamEventRow } from '@stepwise/db';
import { insertGoalRow, insertUser } from '@stepwise/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.js';
import { createTestServices, type TestServices, testEnv } from '../../testing/test-services.js';
import { cancelGeneration } from '../plans/plan-generation.service.js';
import {
  type GenerationContext,
  type GenerationPipeline,
  runGeneration,
  WorkerShutdownError,
} from './run-generation.js';

type TestEvent =
  | { type: 'step'; n: number }
  | { type: 'text'; text: string }
  | { type: 'done'; steps: number }
  | { type: 'failed'; code: string; message: string };

let services: TestServices;
let logs: Record<string, unknown>[] = [];
beforeAll(async () => {
  // One heartbeat every 1000 / 6 ms.
  const base = await createTestServices({ WORKER_STALE_AFTER_MS: '1000' });
  const logger = createLogger(testEnv({ LOG_LEVEL: 'info' }), {
    write: (line: string) => {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  services = { ...base, logger };
});
afterAll(() => services.close());
beforeEach(() => {
  logs = [];
});

const usage = { promptTokens: 10, completionTokens: 5, totalTokens: 15, costUsd: 0 };

/** A pipeline of the plan shape around `run`: terminal `done` and `failed` (what plan.cancel writes). */
function pipeline(
  run: (ctx: GenerationContext<TestEvent>) => Promise<void>,
  coalesce?: GenerationPipeline<TestEvent>['coalesce'],
): GenerationPipeline<TestEvent> {
  return {
    kinds: ['plan'],
    terminalTypes: ['done', 'failed'],
    ...(coalesce ? { coalesce } : {}),
    run,
    async failed(_trx, _generation, failure) {
      return { type: 'failed', code: failure.code, message: failure.message };
    },
  };
}

const complete = (ctx: GenerationContext<TestEvent>, steps: number) =>
  ctx.complete({ usage, provider: 'test', model: 'test-model', offline: false }, async () => ({
    type: 'done',
    steps,
  }));

async function newGeneration() {
  const user = await insertUser(services.db);
  const goal = await insertGoalRow(services.db, user.id, { status: 'generating' });
  const generation = await services.db
    .insertInto('generations')
    .values({ user_id: user.id, goal_id: goal.id, kind: 'plan', input: JSON.stringify({}) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { userId: user.id, generationId: generation.id };
}

const eventsOf = (generationId: string) => listStreamEvents(services.db, { generationId });
const terminal = (events: StreamEventRow[]) =>
  events.filter((e) => e.type === 'done' || e.type === 'failed');

async function until(check: () => Promise<boolean>, timeoutMs = 5_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('runGeneration', () => {
  it('counts attempts across a worker retry and completes on the next attempt', async () => {
    const { generationId } = await newGeneration();
    let runs = 0;
    const flaky = pipeline(async (ctx) => {
      runs++;
      ctx.emit({ type: 'step', n: ctx.generation.attempts });
      if (ctx.generation.attempts === 1) throw new Error('connection terminated unexpectedly');
      await complete(ctx, 2);
    });

    await expect(
      runGeneration(services, { generationId, isLastAttempt: false }, flaky),
    ).rejects.toThrow('connection terminated unexpectedly');
    expect(await getGeneration(services.db, generationId)).toMatchObject({
      status: 'running',
      attempts: 1,
    });
    expect(terminal(await eventsOf(generationId))).toEqual([]);

    await runGeneration(services, { generationId, isLastAttempt: false }, flaky);
    expect(await getGeneration(services.db, generationId)).toMatchObject({
      status: 'completed',
      attempts: 2,
      prompt_tokens: 10,
      completion_tokens: 5,
      provider: 'test',
      model: 'test-model',
    });
    const events = await eventsOf(generationId);
    expect(events.map((e) => e.data)).toEqual([
      { type: 'step', n: 1 },
      { type: 'step', n: 2 },
      { type: 'done', steps: 2 },
    ]);

    // A duplicate job for an ended generation leaves it alone.
    await runGeneration(services, { generationId, isLastAttempt: true }, flaky);
    expect(runs).toBe(2);
    expect(await eventsOf(generationId)).toHaveLength(3);
  });

  it('beats the heartbeat while the body runs', async () => {
    const { generationId } = await newGeneration();
    const beats: Date[] = [];
    await runGeneration(
      services,
      { generationId, isLastAttempt: true },
      pipeline(async (ctx) => {
        for (let i = 0; i < 3; i++) {
          const row = await getGeneration(services.db, generationId);
          beats.push(row!.heartbeat_at!);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        await complete(ctx, 0);
      }),
    );
    const [first, second, third] = beats.map((beat) => beat.getTime());
    expect(second! - first!).toBeGreaterThanOrEqual(100);
    expect(third! - second!).toBeGreaterThanOrEqual(100);
  });

  it('stops a run cancelled mid-stream: the cancel event ends the log, nothing follows it', async () => {
    const { userId, generationId } = await newGeneration();
    let abortedAt: number | undefined;
    let emitted = 0;
    const running = runGeneration(
      services,
      { generationId, isLastAttempt: true },
      pipeline(async (ctx) => {
        ctx.signal.addEventListener('abort', () => {
          abortedAt = emitted;
        });
        // A body slow to notice: it keeps emitting for a while after the cancel.
        const stopAt = Date.now() + 600;
        while (Date.now() < stopAt) {
          ctx.emit({ type: 'step', n: emitted++ });
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        await complete(ctx, emitted);
      }),
    );
    await until(async () => (await eventsOf(generationId)).length >= 10);
    expect(await cancelGeneration(services, { userId, generationId })).toEqual({
      cancelled: true,
    });
    await running;

    const events = await eventsOf(generationId);
    expect(terminal(events)).toHaveLength(1);
    expect(events.at(-1)?.data).toEqual({
      type: 'failed',
      code: 'CANCELLED',
      message: 'cancelled by the user',
    });
    expect(abortedAt).toBeDefined();
    expect(emitted).toBeGreaterThan(abortedAt!);
    expect(await getGeneration(services.db, generationId)).toMatchObject({ status: 'cancelled' });
    expect(logs.some((line) => line.msg === 'generation failed')).toBe(false);
  });

  it('rethrows a retryable error while attempts remain, then fails once on the last attempt', async () => {
    const { generationId } = await newGeneration();
    const broken = pipeline(async (ctx) => {
      ctx.emit({ type: 'step', n: ctx.generation.attempts });
      throw new Error('socket hang up');
    });
    for (const isLastAttempt of [false, false]) {
      await expect(
        runGeneration(services, { generationId, isLastAttempt }, broken),
      ).rejects.toThrow('socket hang up');
      expect(terminal(await eventsOf(generationId))).toEqual([]);
    }
    await runGeneration(services, { generationId, isLastAttempt: true }, broken);

    expect(await getGeneration(services.db, generationId)).toMatchObject({
      status: 'failed',
      attempts: 3,
      error_code: 'INTERNAL',
    });
    const events = await eventsOf(generationId);
    expect(terminal(events)).toHaveLength(1);
    expect(events.at(-1)?.data).toMatchObject({ type: 'failed', code: 'INTERNAL' });
    expect(
      logs.filter((line) => line.msg === 'generation attempt failed; the job will be retried'),
    ).toHaveLength(2);
    expect(logs.filter((line) => line.msg === 'generation failed')).toEqual([
      expect.objectContaining({ generationId, kind: 'plan', code: 'INTERNAL', attempt: 3 }),
    ]);

    // Another job for the same generation finds it ended.
    await runGeneration(services, { generationId, isLastAttempt: true }, broken);
    expect(terminal(await eventsOf(generationId))).toHaveLength(1);
  });

  it('fails at once with the code of a domain error, even with attempts left', async () => {
    const { generationId } = await newGeneration();
    await runGeneration(
      services,
      { generationId, isLastAttempt: false },
      pipeline(async () => {
        throw new DomainError('LLM_TIMEOUT', 'the model sent nothing for 30000 ms');
      }),
    );
    expect(await getGeneration(services.db, generationId)).toMatchObject({
      status: 'failed',
      attempts: 1,
      error_code: 'LLM_TIMEOUT',
    });
    expect((await eventsOf(generationId)).at(-1)?.data).toEqual({
      type: 'failed',
      code: 'LLM_TIMEOUT',
      message: 'the model sent nothing for 30000 ms',
    });
    expect(logs.filter((line) => line.msg === 'generation failed')).toEqual([
      expect.objectContaining({ generationId, kind: 'plan', code: 'LLM_TIMEOUT', level: 40 }),
    ]);
  });

  it('stores events in emit order with strictly increasing ids', async () => {
    const { generationId } = await newGeneration();
    await runGeneration(
      services,
      { generationId, isLastAttempt: true },
      pipeline(async (ctx) => {
        for (let n = 0; n < 200; n++) ctx.emit({ type: 'step', n });
        await complete(ctx, 200);
      }),
    );
    const events = await eventsOf(generationId);
    expect(events.map((e) => e.data)).toEqual([
      ...Array.from({ length: 200 }, (_, n) => ({ type: 'step', n })),
      { type: 'done', steps: 200 },
    ]);
    const ids = events.map((e) => BigInt(e.id));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
  });

  it('merges what the pipeline coalesces while a write is in flight, losing nothing', async () => {
    const { generationId } = await newGeneration();
    const pieces = Array.from({ length: 100 }, (_, i) => `w${i} `);
    await runGeneration(
      services,
      { generationId, isLastAttempt: true },
      pipeline(
        async (ctx) => {
          for (const text of pieces) ctx.emit({ type: 'text', text });
          await complete(ctx, 1);
        },
        (last, next) =>
          last.type === 'text' && next.type === 'text'
            ? { type: 'text', text: last.text + next.text }
            : undefined,
      ),
    );
    const texts = (await eventsOf(generationId)).filter((e) => e.type === 'text');
    // The first piece is written at once; the other 99 queue behind it as one event.
    expect(texts.map((e) => e.data.text)).toEqual([pieces[0], pieces.slice(1).join('')]);
  });

  it('leaves the generation running for the next attempt when the worker shuts down', async () => {
    const { generationId } = await newGeneration();
    const shutdown = new AbortController();
    const running = runGeneration(
      services,
      { generationId, signal: shutdown.signal, isLastAttempt: true },
      pipeline(async (ctx) => {
        ctx.emit({ type: 'step', n: 0 });
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        throw new DomainError('CANCELLED', 'the generation was cancelled');
      }),
    );
    await until(async () => (await eventsOf(generationId)).length === 1);
    shutdown.abort();
    await expect(running).rejects.toBeInstanceOf(WorkerShutdownError);
    expect(await getGeneration(services.db, generationId)).toMatchObject({
      status: 'running',
      error_code: null,
    });
    expect(terminal(await eventsOf(generationId))).toEqual([]);
  });
});
