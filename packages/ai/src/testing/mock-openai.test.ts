import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { examplePlan } from './example-plan.js';
import { type MockOpenAI, startMockOpenAI } from './mock-openai.js';
import { planSteps } from './plan-steps.js';

let mock: MockOpenAI;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockOpenAI();
  client = new OpenAI({ apiKey: 'test', baseURL: mock.url, maxRetries: 0, timeout: 2000 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const messages = [{ role: 'user' as const, content: 'hi' }];

async function collect(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  let content = '';
  let finish: string | null = null;
  let usage: OpenAI.Completions.CompletionUsage | undefined;
  for await (const chunk of stream) {
    content += chunk.choices[0]?.delta.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
    usage = chunk.usage ?? usage;
  }
  return { content, finish, usage };
}

describe('startMockOpenAI', () => {
  it('listens on 127.0.0.1 with a /v1 base URL', () => {
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  });

  it('answers a non-streaming request and records its body', async () => {
    mock.script({
      kind: 'text',
      content: 'hello',
      usage: { prompt_tokens: 3, completion_tokens: 1 },
    });
    const completion = await client.chat.completions.create({ model: 'm', messages });
    expect(completion.choices[0]?.message.content).toBe('hello');
    expect(completion.usage).toMatchObject({
      prompt_tokens: 3,
      completion_tokens: 1,
      total_tokens: 4,
    });
    expect(mock.requests).toEqual([{ model: 'm', messages }]);
  });

  it('streams chunks with a finish reason and usage when include_usage is set', async () => {
    mock.script({
      kind: 'stream',
      chunks: ['a', 'b', 'c'],
      usage: { prompt_tokens: 5, completion_tokens: 3, cost: 0.01 },
    });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(await collect(stream)).toEqual({
      content: 'abc',
      finish: 'stop',
      usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8, cost: 0.01 },
    });
  });

  it('omits usage without include_usage and can omit the finish reason', async () => {
    mock.script({ kind: 'stream', chunks: ['x'], finishReason: null });
    const stream = await client.chat.completions.create({ model: 'm', messages, stream: true });
    expect(await collect(stream)).toEqual({ content: 'x', finish: null, usage: undefined });
  });

  it('joins a stream step for a non-streaming request', async () => {
    mock.script(planSteps.streamJson(examplePlan(), { chunkSize: 7 }));
    const completion = await client.chat.completions.create({ model: 'm', messages });
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual(examplePlan());
  });

  it('answers tool calls, streamed and not', async () => {
    const calls = [{ name: 'complete_task', arguments: '{"taskId":"t1","done":true}' }];
    mock.script([
      { kind: 'tool_calls', calls },
      { kind: 'tool_calls', calls },
    ]);
    const plain = await client.chat.completions.create({ model: 'm', messages });
    expect(plain.choices[0]?.finish_reason).toBe('tool_calls');
    expect(plain.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      type: 'function',
      function: calls[0],
    });
    const stream = client.chat.completions.stream({ model: 'm', messages });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls?.[0]).toMatchObject({ function: calls[0] });
  });

  it('answers text and tool calls in one answer, with given ids and usage', async () => {
    const step = {
      kind: 'tool_calls' as const,
      content: ['Let me ', 'check.'],
      calls: [{ id: 'call_a', name: 'list_tasks', arguments: '{"week":2}' }],
      usage: { prompt_tokens: 9, completion_tokens: 4 },
    };
    mock.script([step, step]);
    const plain = await client.chat.completions.create({ model: 'm', messages });
    expect(plain.choices[0]?.message).toMatchObject({
      content: 'Let me check.',
      tool_calls: [{ id: 'call_a', function: { name: 'list_tasks', arguments: '{"week":2}' } }],
    });
    expect(plain.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 4 });
    const stream = client.chat.completions.stream({
      model: 'm',
      messages,
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message).toMatchObject({
      content: 'Let me check.',
      tool_calls: [{ id: 'call_a', function: { name: 'list_tasks', arguments: '{"week":2}' } }],
    });
    expect(final.usage).toMatchObject({ total_tokens: 13 });
  });

  it('answers error statuses with retry-after', async () => {
    mock.script({ kind: 'status', status: 429, retryAfter: 7 });
    const error = await client.chat.completions.create({ model: 'm', messages }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.headers.get('retry-after')).toBe('7');
  });

  it('rejects response_format with a 400 naming the parameter', async () => {
    mock.script({ kind: 'reject_response_format' });
    const error = await client.chat.completions.create({ model: 'm', messages }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe('response_format');
  });

  it('sends SSE data that is not JSON', async () => {
    mock.script({ kind: 'malformed_sse' });
    const stream = await client.chat.completions.create({ model: 'm', messages, stream: true });
    await expect(collect(stream)).rejects.toThrow(SyntaxError);
  });

  it('cuts the connection mid-stream', async () => {
    mock.script({ kind: 'truncate', chunks: ['{"weeks":'] });
    const stream = await client.chat.completions.create({ model: 'm', messages, stream: true });
    await expect(collect(stream)).rejects.toThrow();
  });

  it('hangs before the headers until the client gives up', async () => {
    mock.script({ kind: 'hang' });
    const error = await client.chat.completions
      .create({ model: 'm', messages }, { timeout: 100 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });

  it('hangs after the headers and some chunks', async () => {
    mock.script({ kind: 'hang', afterChunks: ['par', 'tial'] });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'm', messages, stream: true },
      { signal: controller.signal },
    );
    let content = '';
    setTimeout(() => controller.abort(), 150);
    for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    expect(content).toBe('partial');
  });

  it('answers 500 when the script is empty, or the default step', async () => {
    expect(mock.pending()).toBe(0);
    const error = await client.chat.completions.create({ model: 'm', messages }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    mock.setDefault({ kind: 'text', content: 'default' });
    const completion = await client.chat.completions.create({ model: 'm', messages });
    expect(completion.choices[0]?.message.content).toBe('default');
  });

  it('forgets script, requests and default on reset', async () => {
    mock.script([
      { kind: 'text', content: 'used' },
      { kind: 'text', content: 'left over' },
    ]);
    mock.setDefault({ kind: 'text', content: 'default' });
    await client.chat.completions.create({ model: 'm', messages });
    expect([mock.pending(), mock.requests.length]).toEqual([1, 1]);
    mock.reset();
    expect([mock.pending(), mock.requests.length]).toEqual([0, 0]);
    await expect(client.chat.completions.create({ model: 'm', messages })).rejects.toThrow(
      OpenAI.InternalServerError,
    );
  });

  it('consumes one step per request, in order', async () => {
    mock.script([
      { kind: 'text', content: 'one' },
      { kind: 'text', content: 'two' },
    ]);
    expect(mock.pending()).toBe(2);
    const first = await client.chat.completions.create({ model: 'm', messages });
    const second = await client.chat.completions.create({ model: 'm', messages });
    expect([first, second].map((c) => c.choices[0]?.message.content)).toEqual(['one', 'two']);
    expect(mock.pending()).toBe(0);
  });
});
