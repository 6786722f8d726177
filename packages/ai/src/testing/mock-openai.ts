import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatCompletionCreateParams } from 'openai/resources/chat/completions';
import type { MockStep, MockUsage } from './mock-steps.js';

/** A request body the mock received. */
export type MockRequestBody = ChatCompletionCreateParams & Record<string, unknown>;

export interface MockOpenAIOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Answer when the script is empty; without it an empty script answers 500. */
  defaultStep?: MockStep;
  /**
   * Chooses the answer from the request when the script is empty (before `defaultStep`):
   * e.g. a plan for plan requests and text for chat requests in a mixed load test.
   */
  respond?: (body: MockRequestBody) => MockStep | undefined;
  /** Called as each streamed content piece is handed to the socket (for latency benchmarks). */
  onContentSent?: (content: string) => void;
}

/** A running OpenAI-compatible mock; see `startMockOpenAI`. */
export interface MockOpenAI {
  /** Base URL for the openai SDK, ending in `/v1`. */
  url: string;
  /** Appends steps to the script; each request consumes the next one. */
  script(steps: MockStep | MockStep[]): void;
  /** Bodies of every chat completion request received, in order. */
  requests: MockRequestBody[];
  /** Steps not consumed yet. */
  pending(): number;
  /** Changes the answer used when the script is empty (`undefined`: answer 500). */
  setDefault(step: MockStep | undefined): void;
  /** Forgets the script, the recorded requests and the default step. */
  reset(): void;
  /** Stops the server, cutting any connection left hanging. */
  close(): Promise<void>;
}

const NO_STEP: MockStep = { kind: 'status', status: 500, message: 'mock: no scripted step left' };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, message: string, extra = {}) {
  sendJson(res, status, { error: { message, type: 'mock_error', code: null, ...extra } });
}

/** Writes and resolves once the data is handed to the socket (false when the client is gone). */
function write(res: ServerResponse, data: string): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return Promise.resolve(false);
  return new Promise((resolve) => res.write(data, (error) => resolve(!error)));
}

class Exchange {
  private readonly id: string;
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(
    private readonly body: MockRequestBody,
    private readonly res: ServerResponse,
    sequence: number,
    private readonly onContentSent?: (content: string) => void,
  ) {
    this.id = `chatcmpl-mock-${sequence}`;
  }

  get streams(): boolean {
    return this.body.stream === true;
  }

  private get includeUsage(): boolean {
    const options = this.body.stream_options as { include_usage?: boolean } | undefined | null;
    return options?.include_usage === true;
  }

  private usage(content: string, given: MockUsage | undefined) {
    const prompt = given?.prompt_tokens ?? Math.ceil(JSON.stringify(this.body.messages).length / 4);
    const completion = given?.completion_tokens ?? Math.ceil(content.length / 4);
    return {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      ...(given?.cost === undefined ? {} : { cost: given.cost }),
    };
  }

  private chunk(delta: Record<string, unknown>, finishReason: string | null = null) {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.body.model,
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    };
  }

  startStream() {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
  }

  event(data: unknown): Promise<boolean> {
    return write(this.res, `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  }

  contentEvent(content: string): Promise<boolean> {
    return this.event(this.chunk({ content }));
  }

  async streamText(
    chunks: string[],
    finishReason: string | null,
    usage: MockUsage | undefined,
    delayMs = 0,
  ) {
    this.startStream();
    if (!(await this.event(this.chunk({ role: 'assistant', content: '' })))) return;
    for (const piece of chunks) {
      if (delayMs > 0) await sleep(delayMs);
      const sent = this.contentEvent(piece);
      this.onContentSent?.(piece);
      if (!(await sent)) return;
    }
    if (finishReason !== null) await this.event(this.chunk({}, finishReason));
    if (this.includeUsage) {
      await this.event({
        ...this.chunk({}),
        choices: [],
        usage: this.usage(chunks.join(''), usage),
      });
    }
    await this.event('[DONE]');
    this.res.end();
  }

  sendText(content: string, finishReason: string, usage: MockUsage | undefined) {
    sendJson(this.res, 200, {
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.body.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: null },
          finish_reason: finishReason,
          logprobs: null,
        },
      ],
      usage: this.usage(content, usage),
    });
  }

  async toolCalls(
    calls: { name: string; arguments: string; id?: string }[],
    stream: boolean,
    content: string[] = [],
    usage: MockUsage | undefined = undefined,
  ) {
    const toolCalls = calls.map((call, index) => ({
      id: call.id ?? `call_mock_${index}`,
      type: 'function' as const,
      function: { name: call.name, arguments: call.arguments },
    }));
    const text = content.join('');
    const reported = () => this.usage(text + JSON.stringify(calls), usage);
    if (!stream) {
      sendJson(this.res, 200, {
        id: this.id,
        object: 'chat.completion',
        created: this.created,
        model: this.body.model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: text || null,
              refusal: null,
              tool_calls: toolCalls,
            },
            finish_reason: 'tool_calls',
            logprobs: null,
          },
        ],
        usage: reported(),
      });
      return;
    }
    this.startStream();
    await this.event(this.chunk({ role: 'assistant', content: null }));
    for (const piece of content) {
      if (!(await this.contentEvent(piece))) return;
    }
    for (const [index, call] of toolCalls.entries()) {
      const args = call.function.arguments;
      const half = Math.ceil(args.length / 2);
      await this.event(
        this.chunk({
          tool_calls: [
            {
              index,
              id: call.id,
              type: 'function',
              function: { name: call.function.name, arguments: args.slice(0, half) },
            },
          ],
        }),
      );
      await this.event(
        this.chunk({ tool_calls: [{ index, function: { arguments: args.slice(half) } }] }),
      );
    }
    await this.event(this.chunk({}, 'tool_calls'));
    if (this.includeUsage) {
      await this.event({
        ...this.chunk({}),
        choices: [],
        usage: reported(),
      });
    }
    await this.event('[DONE]');
    this.res.end();
  }
}

async function play(step: MockStep, exchange: Exchange, res: ServerResponse): Promise<void> {
  switch (step.kind) {
    case 'text':
      if (exchange.streams) {
        await exchange.streamText([step.content], step.finishReason ?? 'stop', step.usage);
      } else {
        exchange.sendText(step.content, step.finishReason ?? 'stop', step.usage);
      }
      return;
    case 'stream': {
      const finishReason = step.finishReason === undefined ? 'stop' : step.finishReason;
      if (exchange.streams) {
        await exchange.streamText(step.chunks, finishReason, step.usage, step.delayMs);
      } else {
        exchange.sendText(step.chunks.join(''), finishReason ?? 'stop', step.usage);
      }
      return;
    }
    case 'tool_calls':
      await exchange.toolCalls(
        step.calls,
        exchange.streams && step.stream !== false,
        step.content,
        step.usage,
      );
      return;
    case 'status':
      sendJson(
        res,
        step.status,
        {
          error: {
            message: step.message ?? `mock status ${step.status}`,
            type: 'mock_error',
            code: null,
          },
        },
        step.retryAfter === undefined ? {} : { 'retry-after': String(step.retryAfter) },
      );
      return;
    case 'hang':
      if (step.afterChunks) {
        exchange.startStream();
        for (const piece of step.afterChunks) await exchange.contentEvent(piece);
      }
      return;
    case 'truncate':
      exchange.startStream();
      for (const piece of step.chunks) await exchange.contentEvent(piece);
      res.socket?.destroy();
      return;
    case 'malformed_sse':
      exchange.startStream();
      await exchange.event('{"id": "chatcmpl-mock", "choices": [{"delta": {"content": "oops"');
      await exchange.event('[DONE]');
      res.end();
      return;
    case 'reject_response_format':
      sendError(
        res,
        400,
        "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
        { type: 'invalid_request_error', param: 'response_format' },
      );
      return;
  }
}

/**
 * Starts an OpenAI-compatible server on 127.0.0.1 that answers `POST /v1/chat/completions`
 * (streaming and not) from a script of steps, including faults. Tests drive the real openai SDK
 * through it.
 *
 * @example
 * const mock = await startMockOpenAI();
 * mock.script([{ kind: 'status', status: 429, retryAfter: 0 }, planSteps.streamJson(plan)]);
 * const config = resolveAiConfig({ apiKey: 'test', baseUrl: mock.url });
 * await generatePlan({ config, request });
 * await mock.close();
 */
export async function startMockOpenAI(options: MockOpenAIOptions = {}): Promise<MockOpenAI> {
  const queue: MockStep[] = [];
  const requests: MockRequestBody[] = [];
  let defaultStep = options.defaultStep;
  let sequence = 0;

  const server = createServer(async (req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
      sendError(res, 404, `mock: no route for ${req.method} ${path}`);
      return;
    }
    let body: MockRequestBody;
    try {
      body = JSON.parse(await readBody(req)) as MockRequestBody;
    } catch {
      sendError(res, 400, 'mock: the request body is not JSON');
      return;
    }
    requests.push(body);
    const step = queue.shift() ?? options.respond?.(body) ?? defaultStep ?? NO_STEP;
    try {
      await play(step, new Exchange(body, res, ++sequence, options.onContentSent), res);
    } catch {
      res.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    script(steps) {
      queue.push(...(Array.isArray(steps) ? steps : [steps]));
    },
    pending: () => queue.length,
    setDefault(step) {
      defaultStep = step;
    },
    reset() {
      queue.length = 0;
      requests.length = 0;
      defaultStep = options.defaultStep;
    },
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
