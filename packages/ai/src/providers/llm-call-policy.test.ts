import { DomainError } from '@stepwise/core';
import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../testing/mock-openai.js';
import { type AiConfigInput, resolveAiConfig } from './ai-config.js';
import { backoffDelay, LlmCallPolicy, type LlmRequest } from './llm-call-policy.js';

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

function policy(overrides: AiConfigInput = {}, signal?: AbortSignal) {
  const config = resolveAiConfig({
    apiKey: 'test-key',
    baseUrl: mock.url,
    chatModel: 'mock-chat',
    requestTimeoutMs: 1000,
    idleTimeoutMs: 200,
    deadlineMs: 5000,
    retryBaseDelayMs: 5,
    maxRetries: 2,
    price: { input: 1, output: 2 },
    ...overrides,
  });
  return new LlmCallPolicy({ config, model: config.chatModel, signal });
}

const body = (): ChatCompletionCreateParamsStreaming => ({
  model: 'mock-chat',
  messages: [{ role: 'user', content: 'hi' }],
  stream: true,
  stream_options: { include_usage: true },
});

async function failure(
  llm: LlmCallPolicy,
  request: Partial<LlmRequest> = {},
): Promise<DomainError> {
  const error = await llm.stream({ body, ...request }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('LlmCallPolicy against an OpenAI-compatible server', () => {
  it('retries a 500 and a 429, then returns the answer with the attempts counted', async () => {
    mock.script([
      { kind: 'status', status: 500 },
      { kind: 'status', status: 429, retryAfter: 0 },
      { kind: 'stream', chunks: ['Hel', 'lo'] },
    ]);
    const llm = policy();
    const pieces: string[] = [];
    const response = await llm.stream({ body, onContent: (piece) => pieces.push(piece) });
    expect(response).toMatchObject({ text: 'Hello', finishReason: 'stop', model: 'mock-chat' });
    expect(pieces).toEqual(['Hel', 'lo']);
    expect(llm.attempts).toBe(3);
    expect(mock.requests).toHaveLength(3);
  });

  it("waits for a 503's retry-after before retrying", async () => {
    mock.script([
      { kind: 'status', status: 503, retryAfter: 0.3 },
      { kind: 'stream', chunks: ['ok'] },
    ]);
    const started = Date.now();
    const response = await policy().stream({ body });
    expect(response.text).toBe('ok');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('fails at once on a rejected request, without retrying', async () => {
    mock.script({ kind: 'status', status: 401, message: 'invalid api key' });
    const error = await failure(policy());
    expect(error.code).toBe('LLM_REJECTED');
    expect(error.details).toMatchObject({ status: 401 });
    expect(mock.requests).toHaveLength(1);
  });

  it('fails with the last failure once the retries are used up', async () => {
    mock.setDefault({ kind: 'status', status: 502 });
    const llm = policy();
    const error = await failure(llm);
    expect(error.code).toBe('LLM_UNAVAILABLE');
    expect(error.details).toMatchObject({ attempts: 3 });
    expect(mock.requests).toHaveLength(3);
  });

  it('spends one retry budget over every request of the generation', async () => {
    mock.script([
      { kind: 'status', status: 500 },
      { kind: 'stream', chunks: ['first'] },
      { kind: 'status', status: 500 },
      { kind: 'status', status: 500 },
    ]);
    const llm = policy();
    await llm.stream({ body });
    expect((await failure(llm)).code).toBe('LLM_UNAVAILABLE');
    expect(llm.attempts).toBe(4);
  });

  it('does not re-send after content unless the caller allows it', async () => {
    mock.script({ kind: 'truncate', chunks: ['Your plan ', 'has'] });
    const error = await failure(policy());
    expect(error.code).toBe('LLM_UNAVAILABLE');
    expect(error.details).toMatchObject({ forwardedText: true });
    expect(mock.requests).toHaveLength(1);

    mock.script([
      { kind: 'truncate', chunks: ['Your plan '] },
      { kind: 'stream', chunks: ['ok'] },
    ]);
    const response = await policy().stream({ body, retryAfterContent: true });
    expect(response.text).toBe('ok');
  });

  it('sends the fallback body the caller chose for a rejected request', async () => {
    mock.script([{ kind: 'reject_response_format' }, { kind: 'stream', chunks: ['ok'] }]);
    let withFormat = true;
    const response = await policy().stream({
      body: () => ({
        ...body(),
        ...(withFormat ? { response_format: { type: 'json_object' as const } } : {}),
      }),
      fallback: (failure) => {
        if (failure.kind !== 'mode_rejected' || !withFormat) return false;
        withFormat = false;
        return true;
      },
    });
    expect(response.text).toBe('ok');
    expect(mock.requests.map((r) => r.response_format)).toEqual([
      { type: 'json_object' },
      undefined,
    ]);
  });

  it('fails with LLM_TIMEOUT when the stream goes idle', async () => {
    mock.script({ kind: 'hang', afterChunks: ['Your next ', 'run'] });
    const started = Date.now();
    const error = await failure(policy());
    expect(error.code).toBe('LLM_TIMEOUT');
    expect(error.details).toEqual({ idleTimeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(mock.requests).toHaveLength(1);
  });

  it('fails with LLM_TIMEOUT at the deadline while chunks keep coming, and extends it on request', async () => {
    mock.script({ kind: 'stream', chunks: ['a', 'b', 'c', 'd', 'e', 'f'], delayMs: 100 });
    const error = await failure(policy({ deadlineMs: 250 }));
    expect(error.code).toBe('LLM_TIMEOUT');
    expect(error.message).toMatch(/deadline/);

    mock.script({ kind: 'stream', chunks: ['a', 'b', 'c', 'd', 'e', 'f'], delayMs: 100 });
    const extended = policy({ deadlineMs: 250 });
    extended.extendDeadline(1000);
    expect((await extended.stream({ body })).text).toBe('abcdef');
  });

  it('does not wait past the deadline for a retry', async () => {
    mock.script({ kind: 'status', status: 429, retryAfter: 1 });
    const started = Date.now();
    const error = await failure(policy({ deadlineMs: 500 }));
    expect(error.code).toBe('LLM_RATE_LIMITED');
    expect(Date.now() - started).toBeLessThan(400);
  });

  it('fails with CANCELLED when aborted mid-stream, while waiting to retry, or before a request', async () => {
    mock.script({ kind: 'stream', chunks: ['a', 'b', 'c', 'd'], delayMs: 50 });
    const midStream = new AbortController();
    const pieces: string[] = [];
    const error = await failure(policy({}, midStream.signal), {
      onContent: (piece) => {
        pieces.push(piece);
        if (pieces.length === 2) midStream.abort();
      },
    });
    expect(error.code).toBe('CANCELLED');
    expect(pieces).toEqual(['a', 'b']);

    mock.script({ kind: 'status', status: 429, retryAfter: 1 });
    const waiting = new AbortController();
    setTimeout(() => waiting.abort(), 100);
    const started = Date.now();
    expect((await failure(policy({}, waiting.signal))).code).toBe('CANCELLED');
    expect(Date.now() - started).toBeLessThan(900);

    const before = mock.requests.length;
    expect((await failure(policy({}, AbortSignal.abort()))).code).toBe('CANCELLED');
    expect(mock.requests).toHaveLength(before);
  });

  it('sums usage over every request, priced by the configured price', async () => {
    mock.script([
      { kind: 'stream', chunks: ['one'], usage: { prompt_tokens: 100, completion_tokens: 10 } },
      { kind: 'status', status: 500 },
      { kind: 'stream', chunks: ['two'], usage: { prompt_tokens: 150, completion_tokens: 20 } },
    ]);
    const llm = policy();
    const first = await llm.stream({ body });
    const second = await llm.stream({ body });
    expect(first.usage).toMatchObject({ promptTokens: 100, completionTokens: 10 });
    expect(second.usage).toMatchObject({ promptTokens: 150, completionTokens: 20 });
    expect(llm.usage).toEqual({
      promptTokens: 250,
      completionTokens: 30,
      totalTokens: 280,
      costUsd: (250 * 1 + 30 * 2) / 1_000_000,
    });
    expect(llm.attempts).toBe(3);
  });

  it("fails with LLM_REJECTED when the provider's content filter stops the answer", async () => {
    mock.script({ kind: 'stream', chunks: ['No'], finishReason: 'content_filter' });
    expect((await failure(policy())).code).toBe('LLM_REJECTED');
  });
});

describe('backoffDelay', () => {
  it('doubles per retry and keeps a random half of each delay', () => {
    expect([0, 1, 2].map((retry) => backoffDelay(100, retry, () => 0))).toEqual([50, 100, 200]);
    expect([0, 1, 2].map((retry) => backoffDelay(100, retry, () => 1))).toEqual([100, 200, 400]);
  });
});
