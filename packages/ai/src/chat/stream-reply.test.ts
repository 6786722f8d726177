import { DomainError } from '@stepwise/core';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AiConfigInput, resolveAiConfig } from '../providers/ai-config.js';
import { type MockOpenAI, startMockOpenAI } from '../testing/mock-openai.js';
import {
  type ChatReply,
  type ChatToolCallEvent,
  type ChatToolResultEvent,
  type StreamChatReplyOptions,
  streamChatReply,
} from './stream-reply.js';
import { CHAT_TOOLS, type ChatToolCall } from './tools.js';

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

const messages: ChatCompletionMessageParam[] = [
  { role: 'system', content: 'You are Stepwise.' },
  { role: 'user', content: 'Add a stretching task for Friday.' },
];

function config(overrides: AiConfigInput = {}) {
  return resolveAiConfig({
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
}

interface Run {
  reply: ChatReply;
  deltas: string[];
  calls: ChatToolCallEvent[];
  results: ChatToolResultEvent[];
  executed: ChatToolCall[];
}

type RunOptions = Partial<StreamChatReplyOptions> & { configInput?: AiConfigInput };

async function run(options: RunOptions = {}): Promise<Run> {
  const deltas: string[] = [];
  const calls: ChatToolCallEvent[] = [];
  const results: ChatToolResultEvent[] = [];
  const executed: ChatToolCall[] = [];
  const { configInput, ...rest } = options;
  const reply = await streamChatReply({
    config: config(configInput),
    messages,
    executeTool: async (call) => {
      executed.push(call);
      return { ok: true };
    },
    onDelta: (text) => deltas.push(text),
    onToolCall: (call) => {
      calls.push(call);
    },
    onToolResult: (result) => {
      results.push(result);
    },
    ...rest,
  });
  return { reply, deltas, calls, results, executed };
}

async function failure(options: RunOptions = {}, deltas: string[] = []): Promise<DomainError> {
  const error = await run({ onDelta: (text) => deltas.push(text), ...options }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/** The messages the model was sent after `count` leading ones (what the loop appended). */
function appended(requestIndex: number, count = messages.length) {
  return (mock.requests[requestIndex]?.messages ?? []).slice(count);
}

describe('streamChatReply against an OpenAI-compatible server', () => {
  it('streams a plain reply, forwarding each delta as it arrives', async () => {
    mock.script({
      kind: 'stream',
      chunks: ['Sure', ', here is ', 'your plan.'],
      usage: { prompt_tokens: 100, completion_tokens: 10 },
    });
    const { reply, deltas, calls } = await run();
    expect(deltas).toEqual(['Sure', ', here is ', 'your plan.']);
    expect(reply).toEqual({
      text: 'Sure, here is your plan.',
      finishReason: 'stop',
      toolRounds: 0,
      attempts: 1,
      model: 'mock-chat',
      provider: 'generic',
      usage: { promptTokens: 100, completionTokens: 10, totalTokens: 110, costUsd: 0.00012 },
    });
    expect(calls).toEqual([]);
    const body = mock.requests[0];
    expect(body).toMatchObject({
      model: 'mock-chat',
      messages,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 16_000,
    });
    expect(body?.tools?.map((tool) => tool.type === 'function' && tool.function.name)).toEqual(
      CHAT_TOOLS.map((tool) => tool.name),
    );
    expect(body).not.toHaveProperty('tool_choice');
  });

  it('runs a tool call and sends its result back in the next request', async () => {
    mock.script([
      {
        kind: 'tool_calls',
        calls: [
          {
            id: 'call_1',
            name: 'add_task',
            arguments: '{"title":"Stretching","dueDate":"2025-03-14","priority":"low"}',
          },
        ],
      },
      { kind: 'stream', chunks: ['Added ', '"Stretching" for Friday.'] },
    ]);
    const executed: ChatToolCall[] = [];
    const { reply, calls, results } = await run({
      executeTool: async (call) => {
        executed.push(call);
        return { id: 't42', title: 'Stretching', dueDate: '2025-03-14' };
      },
    });
    expect(executed).toEqual([
      {
        id: 'call_1',
        name: 'add_task',
        args: { title: 'Stretching', dueDate: '2025-03-14', priority: 'low' },
      },
    ]);
    expect(reply).toMatchObject({
      text: 'Added "Stretching" for Friday.',
      toolRounds: 1,
      attempts: 2,
      finishReason: 'stop',
    });
    expect(calls).toEqual([
      {
        id: 'call_1',
        name: 'add_task',
        valid: true,
        args: { title: 'Stretching', dueDate: '2025-03-14', priority: 'low' },
        rawArguments: '{"title":"Stretching","dueDate":"2025-03-14","priority":"low"}',
      },
    ]);
    expect(results).toEqual([
      {
        id: 'call_1',
        name: 'add_task',
        result: { id: 't42', title: 'Stretching', dueDate: '2025-03-14' },
      },
    ]);
    expect(mock.requests).toHaveLength(2);
    expect(appended(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: {
              name: 'add_task',
              arguments: '{"title":"Stretching","dueDate":"2025-03-14","priority":"low"}',
            },
          },
        ],
      },
      {
        role: 'tool',
        tool_call_id: 'call_1',
        content: '{"id":"t42","title":"Stretching","dueDate":"2025-03-14"}',
      },
    ]);
  });

  it('keeps text written before tool calls and separates it from the final answer', async () => {
    mock.script([
      {
        kind: 'tool_calls',
        content: ['Let me ', 'check.'],
        calls: [{ name: 'list_tasks', arguments: '{"status":"open"}' }],
      },
      { kind: 'stream', chunks: ['You have ', 'two open tasks.'] },
    ]);
    const { reply, deltas, executed } = await run();
    expect(reply.text).toBe('Let me check.\n\nYou have two open tasks.');
    expect(deltas.join('')).toBe(reply.text);
    expect(deltas[2]).toBe('\n\nYou have ');
    expect(executed).toEqual([
      { id: 'call_mock_0', name: 'list_tasks', args: { status: 'open', limit: 20 } },
    ]);
    expect(appended(1)[0]).toMatchObject({ role: 'assistant', content: 'Let me check.' });
  });

  it('reports malformed tool calls back to the model instead of failing', async () => {
    mock.script([
      {
        kind: 'tool_calls',
        calls: [
          { name: 'add_task', arguments: '{"title": "Stretch' },
          { name: 'complete_task', arguments: '{"completed": true}' },
          { name: 'drop_database', arguments: '{}' },
          { name: 'list_tasks', arguments: '{"week": 2}' },
        ],
      },
      { kind: 'stream', chunks: ['Here are your week 2 tasks.'] },
    ]);
    const { reply, executed, calls, results } = await run();
    expect(reply).toMatchObject({ text: 'Here are your week 2 tasks.', finishReason: 'stop' });
    expect(executed.map((call) => call.name)).toEqual(['list_tasks']);
    expect(calls.map((call) => call.valid)).toEqual([false, false, false, true]);
    expect(calls[0]).toMatchObject({ rawArguments: '{"title": "Stretch', valid: false });
    const errors = results.map((result) => result.error);
    expect(errors[0]).toMatch(/arguments of add_task are not valid JSON/);
    expect(errors[1]).toMatch(/invalid arguments for complete_task: taskId/);
    expect(errors[2]).toMatch(/unknown tool "drop_database"/);
    expect(errors[3]).toBeUndefined();
    const toolMessages = appended(1).filter((message) => message.role === 'tool');
    expect(toolMessages.map((message) => message.tool_call_id)).toEqual([
      'call_mock_0',
      'call_mock_1',
      'call_mock_2',
      'call_mock_3',
    ]);
    expect(JSON.parse(String(toolMessages[0]?.content))).toEqual({ error: errors[0] });
    expect(JSON.parse(String(toolMessages[3]?.content))).toEqual({ ok: true });
  });

  it('reports an executeTool that throws as the call error', async () => {
    mock.script([
      { kind: 'tool_calls', calls: [{ name: 'delete_task', arguments: '{"taskId":"t-other"}' }] },
      { kind: 'stream', chunks: ['I could not find that task.'] },
    ]);
    const { reply, results } = await run({
      executeTool: async () => {
        throw new DomainError('NOT_FOUND', 'task not found');
      },
    });
    expect(reply.text).toBe('I could not find that task.');
    expect(results).toEqual([{ id: 'call_mock_0', name: 'delete_task', error: 'task not found' }]);
    expect(appended(1)[1]).toEqual({
      role: 'tool',
      tool_call_id: 'call_mock_0',
      content: '{"error":"task not found"}',
    });
  });

  it('bounds the tool rounds, then asks for an answer without tools', async () => {
    const call = { name: 'list_tasks', arguments: '{}' };
    mock.script([
      { kind: 'tool_calls', calls: [call] },
      { kind: 'tool_calls', calls: [call] },
      { kind: 'stream', chunks: ['I looked twice; here is what I found.'] },
    ]);
    const { reply, executed } = await run({ maxToolRounds: 2 });
    expect(executed).toHaveLength(2);
    expect(reply).toMatchObject({
      text: 'I looked twice; here is what I found.',
      toolRounds: 2,
      finishReason: 'tool_rounds_exhausted',
    });
    expect(mock.requests[1]).not.toHaveProperty('tool_choice');
    const last = mock.requests[2];
    expect(last?.tool_choice).toBe('none');
    expect(last?.tools).toHaveLength(CHAT_TOOLS.length);
    expect(last?.messages.at(-1)).toMatchObject({
      role: 'system',
      content: expect.stringMatching(/used every tool call allowed/),
    });
  });

  it('does not run tool calls made after the bound, and omits tools where tool_choice is unsupported', async () => {
    mock.script([
      { kind: 'tool_calls', calls: [{ name: 'list_tasks', arguments: '{}' }] },
      { kind: 'tool_calls', calls: [{ name: 'delete_task', arguments: '{"taskId":"t1"}' }] },
    ]);
    const { reply, executed } = await run({
      maxToolRounds: 1,
      configInput: { provider: 'ollama' },
    });
    expect(executed.map((call) => call.name)).toEqual(['list_tasks']);
    expect(reply).toMatchObject({ text: '', toolRounds: 1, finishReason: 'tool_rounds_exhausted' });
    expect(mock.requests[1]).not.toHaveProperty('tools');
    expect(mock.requests[1]).not.toHaveProperty('tool_choice');
  });

  it('returns the partial text with finishReason cancelled when aborted mid-stream', async () => {
    mock.script({
      kind: 'stream',
      chunks: ['Week 2 ', 'starts ', 'with ', 'a long run.'],
      delayMs: 40,
    });
    const controller = new AbortController();
    const deltas: string[] = [];
    const { reply } = await run({
      signal: controller.signal,
      onDelta: (text) => {
        deltas.push(text);
        if (deltas.length === 2) controller.abort();
      },
    });
    expect(reply).toMatchObject({ text: 'Week 2 starts ', finishReason: 'cancelled' });
    expect(deltas).toEqual(['Week 2 ', 'starts ']);
    expect(mock.requests).toHaveLength(1);
  });

  it('stops after the running tool when aborted during a tool round', async () => {
    mock.script({
      kind: 'tool_calls',
      content: ['On it.'],
      calls: [
        { name: 'complete_task', arguments: '{"taskId":"t1"}' },
        { name: 'complete_task', arguments: '{"taskId":"t2"}' },
      ],
    });
    const controller = new AbortController();
    const executed: ChatToolCall[] = [];
    const { reply, results } = await run({
      signal: controller.signal,
      executeTool: async (call) => {
        executed.push(call);
        controller.abort();
        return { done: true };
      },
    });
    expect(executed).toHaveLength(1);
    expect(results).toEqual([{ id: 'call_mock_0', name: 'complete_task', result: { done: true } }]);
    expect(reply).toMatchObject({ text: 'On it.', finishReason: 'cancelled', toolRounds: 1 });
    expect(mock.requests).toHaveLength(1);
  });

  it('is cancelled at once by an aborted signal', async () => {
    const { reply } = await run({ signal: AbortSignal.abort() });
    expect(reply).toMatchObject({ text: '', finishReason: 'cancelled' });
    expect(mock.requests).toHaveLength(0);
  });

  it('fails with LLM_TIMEOUT when the stream goes silent, without re-sending', async () => {
    mock.script({ kind: 'hang', afterChunks: ['Your next ', 'run is'] });
    const deltas: string[] = [];
    const error = await failure({}, deltas);
    expect(error.code).toBe('LLM_TIMEOUT');
    expect(error.details).toEqual({ idleTimeoutMs: 200 });
    expect(deltas).toEqual(['Your next ', 'run is']);
    expect(mock.requests).toHaveLength(1);
  });

  it('fails with LLM_TIMEOUT past the deadline', async () => {
    mock.script({ kind: 'stream', chunks: ['a', 'b', 'c', 'd', 'e'], delayMs: 100 });
    const error = await failure({ configInput: { deadlineMs: 250 } });
    expect(error.code).toBe('LLM_TIMEOUT');
    expect(error.message).toMatch(/deadline/);
  });

  it('does not count tool execution time against the model deadline', async () => {
    mock.script([
      {
        kind: 'tool_calls',
        calls: [{ name: 'revise_plan', arguments: '{"instructions":"Slower pace"}' }],
      },
      { kind: 'stream', chunks: ['Revised.'] },
    ]);
    const { reply } = await run({
      configInput: { deadlineMs: 300 },
      executeTool: async () => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        return { version: 2 };
      },
    });
    expect(reply.text).toBe('Revised.');
  });

  it('retries a 500 and a 429 that came before any text', async () => {
    mock.script([
      { kind: 'status', status: 500 },
      { kind: 'status', status: 429, retryAfter: 0 },
      { kind: 'stream', chunks: ['Hello again.'] },
    ]);
    const { reply, deltas } = await run();
    expect(reply).toMatchObject({ text: 'Hello again.', attempts: 3, finishReason: 'stop' });
    expect(deltas).toEqual(['Hello again.']);
    expect(mock.requests).toHaveLength(3);
  });

  it('retries a failure in a later round with the same conversation', async () => {
    mock.script([
      { kind: 'tool_calls', calls: [{ name: 'list_tasks', arguments: '{}' }] },
      { kind: 'status', status: 503 },
      { kind: 'stream', chunks: ['Done.'] },
    ]);
    const { reply, executed } = await run();
    expect(executed).toHaveLength(1);
    expect(reply).toMatchObject({ text: 'Done.', toolRounds: 1, attempts: 3 });
    expect(mock.requests[2]?.messages).toEqual(mock.requests[1]?.messages);
  });

  it('fails instead of re-sending when the stream breaks after text was forwarded', async () => {
    mock.script({ kind: 'truncate', chunks: ['Your plan ', 'has'] });
    const deltas: string[] = [];
    const error = await failure({}, deltas);
    expect(error.code).toBe('LLM_UNAVAILABLE');
    expect(error.details).toMatchObject({ forwardedText: true });
    expect(deltas).toEqual(['Your plan ', 'has']);
    expect(mock.requests).toHaveLength(1);
  });

  it('gives up after maxRetries', async () => {
    mock.script([
      { kind: 'status', status: 502 },
      { kind: 'status', status: 502 },
      { kind: 'status', status: 502 },
    ]);
    const error = await failure();
    expect(error.code).toBe('LLM_UNAVAILABLE');
    expect(error.details).toMatchObject({ attempts: 3 });
  });

  it('maps other 4xx to LLM_REJECTED without retrying', async () => {
    mock.script({ kind: 'status', status: 401, message: 'bad key' });
    const error = await failure();
    expect(error.code).toBe('LLM_REJECTED');
    expect(mock.requests).toHaveLength(1);
  });

  it('drops the tools once when the model does not support them', async () => {
    mock.script([
      { kind: 'status', status: 400, message: 'llama2 does not support tools' },
      { kind: 'stream', chunks: ['Hi!'] },
    ]);
    const { reply } = await run();
    expect(reply.text).toBe('Hi!');
    expect(mock.requests[0]).toHaveProperty('tools');
    expect(mock.requests[1]).not.toHaveProperty('tools');
  });

  it('sums usage over every request and prices it', async () => {
    mock.script([
      {
        kind: 'tool_calls',
        calls: [{ name: 'list_tasks', arguments: '{}' }],
        usage: { prompt_tokens: 1000, completion_tokens: 20 },
      },
      { kind: 'stream', chunks: ['Done.'], usage: { prompt_tokens: 1100, completion_tokens: 30 } },
    ]);
    const { reply } = await run();
    expect(reply.usage).toMatchObject({
      promptTokens: 2100,
      completionTokens: 50,
      totalTokens: 2150,
    });
    expect(reply.usage.costUsd).toBeCloseTo((2100 * 1 + 50 * 2) / 1_000_000, 12);
  });

  it('reports finishReason length for a cut-off answer', async () => {
    mock.script({ kind: 'stream', chunks: ['Week 1: ', 'easy'], finishReason: 'length' });
    const { reply } = await run();
    expect(reply).toMatchObject({ text: 'Week 1: easy', finishReason: 'length' });
  });

  it("fails with LLM_REJECTED when the provider's content filter stops the answer", async () => {
    mock.script({ kind: 'stream', chunks: ['No'], finishReason: 'content_filter' });
    expect((await failure()).code).toBe('LLM_REJECTED');
  });

  it('follows the provider profile and the offered tools', async () => {
    mock.script({ kind: 'stream', chunks: ['ok'] });
    await run({ configInput: { provider: 'groq' }, tools: [] });
    expect(mock.requests[0]).not.toHaveProperty('stream_options');
    expect(mock.requests[0]).not.toHaveProperty('tools');

    mock.script([
      { kind: 'tool_calls', calls: [{ name: 'delete_task', arguments: '{"taskId":"t1"}' }] },
      { kind: 'stream', chunks: ['I can only read your tasks.'] },
    ]);
    const readOnly = CHAT_TOOLS.filter((tool) => tool.name === 'list_tasks');
    const { executed, results } = await run({ tools: readOnly });
    expect(mock.requests[1]?.tools).toHaveLength(1);
    expect(executed).toEqual([]);
    expect(results[0]?.error).toMatch(/unknown tool "delete_task"; available tools: list_tasks/);
  });

  it('truncates a huge tool result', async () => {
    mock.script([
      { kind: 'tool_calls', calls: [{ name: 'list_tasks', arguments: '{}' }] },
      { kind: 'stream', chunks: ['Many tasks.'] },
    ]);
    await run({
      maxToolResultChars: 100,
      executeTool: async () => Array.from({ length: 100 }, (_, i) => ({ id: `t${i}` })),
    });
    const content = JSON.parse(String(appended(1)[1]?.content));
    expect(content).toMatchObject({ truncated: true });
    expect(content.partial).toHaveLength(100);
  });

  it('refuses an offline configuration', async () => {
    await expect(
      streamChatReply({ config: resolveAiConfig({}), messages, executeTool: async () => null }),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
