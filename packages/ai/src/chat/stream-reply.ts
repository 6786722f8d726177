import { DomainError, isDomainError } from '@stepwise/core';
import type OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionFunctionTool,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { AiConfig } from '../providers/ai-config.js';
import { LlmCallPolicy, type LlmResponse } from '../providers/llm-call-policy.js';
import type { TUsage } from '../usage.schema.js';
import {
  type AgentTool,
  CHAT_TOOLS,
  type ChatTool,
  chatToolSpecs,
  parseToolArguments,
  type ToolCallOf,
} from './tools.js';

/** A tool call as the model made it: validated (`args`) or not (`error`). */
export type ChatToolCallEvent<T extends AgentTool = ChatTool> =
  | { id: string; name: string; valid: true; args: ToolCallOf<T>['args']; rawArguments: string }
  | { id: string; name: string; valid: false; rawArguments: string; error: string };

/** The outcome of a tool call, as sent back to the model: a result or an error. */
export interface ChatToolResultEvent {
  id: string;
  name: string;
  result?: unknown;
  error?: string;
}

export interface StreamChatReplyOptions<T extends AgentTool = ChatTool> {
  config: AiConfig;
  /** From `buildChatMessages`. */
  messages: readonly ChatCompletionMessageParam[];
  /** Tools offered to the model (default: all of `CHAT_TOOLS`; `[]`: none). */
  tools?: readonly T[] | undefined;
  /**
   * Runs a validated tool call on the caller's data and returns a JSON-serialisable result.
   * A throw is reported back to the model as the call's error (with the error's message), not
   * rethrown: never put secrets in those messages.
   */
  executeTool: (call: ToolCallOf<T>) => Promise<unknown>;
  /** Rounds of tool calls executed before the model must answer in text (default 4). */
  maxToolRounds?: number | undefined;
  /** Stops the reply; the text written so far is returned with `finishReason: 'cancelled'`. */
  signal?: AbortSignal | undefined;
  /** Each piece of text as soon as it arrives; must not throw and should not block. */
  onDelta?: ((text: string) => void) | undefined;
  /** Each tool call the model made, valid or not, before it runs; awaited. */
  onToolCall?: ((call: ChatToolCallEvent<T>) => void | Promise<void>) | undefined;
  /** Each tool outcome, in call order; awaited. */
  onToolResult?: ((result: ChatToolResultEvent) => void | Promise<void>) | undefined;
  /** An existing client to reuse; one is created from `config` otherwise. */
  client?: OpenAI | undefined;
  /** Longest tool result sent to the model, in characters of JSON (default 16,000). */
  maxToolResultChars?: number | undefined;
}

export type ChatFinishReason = 'stop' | 'length' | 'tool_rounds_exhausted' | 'cancelled';

export interface ChatReply {
  /** Everything passed to `onDelta`, joined. */
  text: string;
  /** Summed over every request of this reply (a cancelled or failed request reports none). */
  usage: TUsage;
  /** Rounds of tool calls executed. */
  toolRounds: number;
  finishReason: ChatFinishReason;
  model: string;
  provider: string;
  /** LLM requests made, retries included. */
  attempts: number;
}

const DEFAULT_MAX_TOOL_ROUNDS = 4;
const DEFAULT_MAX_TOOL_RESULT_CHARS = 16_000;
const ROUND_SEPARATOR = '\n\n';
const TOOL_LIMIT_NOTE =
  'You have used every tool call allowed for this reply. Answer now in text with what you know, and say what is left to do.';
const TOOLS_UNSUPPORTED = /\btools?\b|function.?call/i;

interface ToolCallFragment {
  id: string;
  name: string;
  arguments: string;
}

/** Joins the streamed pieces of tool calls (`delta.tool_calls`, keyed by `index`). */
class ToolCallAccumulator {
  private readonly calls = new Map<number, ToolCallFragment>();

  add(chunk: ChatCompletionChunk): void {
    for (const [position, delta] of (chunk.choices?.[0]?.delta?.tool_calls ?? []).entries()) {
      // Some OpenAI-compatible servers leave out `index` when they send whole calls.
      const index = delta.index ?? position;
      const call = this.calls.get(index) ?? { id: '', name: '', arguments: '' };
      if (delta.id) call.id = delta.id;
      // Names are never split; a few servers repeat them in every fragment.
      if (delta.function?.name) call.name = delta.function.name;
      if (delta.function?.arguments) call.arguments += delta.function.arguments;
      this.calls.set(index, call);
    }
  }

  /** Forgets the fragments of a failed request before it is sent again. */
  clear(): void {
    this.calls.clear();
  }

  list(round: number): ToolCallFragment[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => ({ ...call, id: call.id || `call_${round}_${index}` }));
  }
}

function serialise(value: unknown, maxChars: number): string {
  let json: string;
  try {
    json = JSON.stringify(value ?? null) ?? 'null';
  } catch {
    json = JSON.stringify(String(value));
  }
  if (json.length <= maxChars) return json;
  return JSON.stringify({
    truncated: true,
    note: `the result had ${json.length} characters; only the first ${maxChars} are shown`,
    partial: json.slice(0, maxChars),
  });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Streams one assistant reply, running the tools the model calls, until the model answers
 * without tool calls.
 *
 * - Text deltas go to `onDelta` as they arrive. When the model writes text in more than one
 *   round (text, tool call, more text), a blank line separates the rounds; `text` is exactly
 *   what `onDelta` received.
 * - Tool calls are collected from the stream and validated with `parseToolArguments`. An
 *   invalid call (unknown tool, bad JSON, schema errors) is not run: the error is sent back to
 *   the model as the call's tool message and reported through `onToolResult`. So is an
 *   `executeTool` that throws. Valid calls run one after another, in the model's order.
 * - Tool rounds are bounded: after `maxToolRounds` rounds one last request is made without
 *   tools (`tool_choice: 'none'` where the profile supports it, otherwise no `tools`), with a
 *   note asking for an answer; it is the reply's end whatever it contains, and `finishReason`
 *   is `tool_rounds_exhausted`. The person thus always gets a text answer.
 * - Faults are handled by one `LlmCallPolicy`, as in the plan pipeline: no chunk for
 *   `idleTimeoutMs` or past `deadlineMs` → `LLM_TIMEOUT`; 429 and 5xx/dropped connections are
 *   retried (bounded by `maxRetries`, after `retry-after` or a backoff with jitter) only while
 *   the failed request forwarded no text: after text reached `onDelta`, re-sending would
 *   repeat or contradict it, so the reply fails with `LLM_RATE_LIMITED` / `LLM_UNAVAILABLE`
 *   (the caller already holds the partial text).
 *   Other 4xx → `LLM_REJECTED`, except that a 400 about tools before any tool round drops the
 *   tools and retries once (models without tool support). The deadline counts model time only:
 *   time spent in `executeTool` extends it.
 * - `signal` aborts: the reply resolves with the text so far and `finishReason: 'cancelled'`.
 * - Usage is summed over every request.
 *
 * @example
 * const reply = await streamChatReply({
 *   config, messages: buildChatMessages(context), signal,
 *   executeTool: (call) => runTool(db, userId, call),
 *   onDelta: (text) => events.append({ type: 'delta', text }),
 * });
 */
export async function streamChatReply<T extends AgentTool = ChatTool>(
  options: StreamChatReplyOptions<T>,
): Promise<ChatReply> {
  const { config, signal } = options;
  if (config.mode === 'offline') {
    throw new DomainError('INTERNAL', 'the AI configuration is offline: use answerOffline instead');
  }
  const llm = new LlmCallPolicy({
    config,
    model: config.chatModel,
    client: options.client,
    signal,
  });
  const maxToolRounds = Math.max(0, options.maxToolRounds ?? DEFAULT_MAX_TOOL_ROUNDS);
  const maxResultChars = options.maxToolResultChars ?? DEFAULT_MAX_TOOL_RESULT_CHARS;
  let tools: readonly T[] = options.tools ?? (CHAT_TOOLS as unknown as readonly T[]);
  let specs: ChatCompletionFunctionTool[] | undefined =
    tools.length > 0 && maxToolRounds > 0 ? chatToolSpecs(tools) : undefined;
  const conversation: ChatCompletionMessageParam[] = [...options.messages];
  const fragments = new ToolCallAccumulator();
  let text = '';
  let toolRounds = 0;

  const reply = (finishReason: ChatFinishReason): ChatReply => ({
    text,
    usage: llm.usage,
    toolRounds,
    finishReason,
    model: llm.model,
    provider: config.provider,
    attempts: llm.attempts,
  });

  for (;;) {
    const toolsWithheld = specs !== undefined && toolRounds >= maxToolRounds;
    let roundText = '';
    let response: LlmResponse;
    try {
      response = await llm.stream({
        body: () => {
          fragments.clear();
          return requestBody(config, conversation, specs, toolsWithheld);
        },
        onChunk: (chunk) => fragments.add(chunk),
        onContent: (content) => {
          const piece =
            roundText === '' && text !== '' && !/\s$/.test(text)
              ? `${ROUND_SEPARATOR}${content}`
              : content;
          roundText += content;
          text += piece;
          options.onDelta?.(piece);
        },
        fallback: (failure) => {
          const toolsUnsupported =
            failure.kind === 'rejected' &&
            failure.status === 400 &&
            specs !== undefined &&
            toolRounds === 0 &&
            TOOLS_UNSUPPORTED.test(failure.message);
          if (!toolsUnsupported) return false;
          tools = [];
          specs = undefined;
          return true;
        },
      });
    } catch (error) {
      if (isDomainError(error) && error.code === 'CANCELLED') return reply('cancelled');
      throw error;
    }

    const calls = fragments.list(toolRounds + 1);
    if (toolsWithheld) return reply('tool_rounds_exhausted');
    if (calls.length === 0) return reply(response.finishReason === 'length' ? 'length' : 'stop');

    toolRounds++;
    conversation.push({
      role: 'assistant',
      content: response.text || null,
      tool_calls: calls.map(
        (call): ChatCompletionMessageFunctionToolCall => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        }),
      ),
    });
    const toolsStartedAt = Date.now();
    for (const call of calls) {
      if (signal?.aborted) return reply('cancelled');
      const outcome = await runToolCall(call, tools, options);
      conversation.push({
        role: 'tool',
        tool_call_id: call.id,
        content:
          outcome.error === undefined
            ? serialise(outcome.result, maxResultChars)
            : JSON.stringify({ error: outcome.error }),
      });
    }
    llm.extendDeadline(Date.now() - toolsStartedAt);
    if (signal?.aborted) return reply('cancelled');
  }
}

async function runToolCall<T extends AgentTool>(
  call: ToolCallFragment,
  tools: readonly T[],
  options: StreamChatReplyOptions<T>,
): Promise<ChatToolResultEvent> {
  const parsed = parseToolArguments<T>(call.name, call.arguments, tools);
  let outcome: ChatToolResultEvent;
  if (!parsed.ok) {
    await options.onToolCall?.({
      id: call.id,
      name: call.name,
      valid: false,
      rawArguments: call.arguments,
      error: parsed.error,
    });
    outcome = { id: call.id, name: call.name, error: parsed.error };
  } else {
    await options.onToolCall?.({
      id: call.id,
      name: call.name,
      valid: true,
      args: parsed.args,
      rawArguments: call.arguments,
    });
    try {
      const result = await options.executeTool({
        id: call.id,
        name: parsed.name,
        args: parsed.args,
      } as ToolCallOf<T>);
      outcome = { id: call.id, name: call.name, result };
    } catch (error) {
      outcome = { id: call.id, name: call.name, error: errorMessage(error) };
    }
  }
  await options.onToolResult?.(outcome);
  return outcome;
}

function requestBody(
  config: AiConfig,
  conversation: readonly ChatCompletionMessageParam[],
  specs: ChatCompletionFunctionTool[] | undefined,
  toolsWithheld: boolean,
): ChatCompletionCreateParamsStreaming {
  const { profile } = config;
  let tools: Partial<ChatCompletionCreateParamsStreaming> = {};
  if (specs && !toolsWithheld) tools = { tools: specs };
  // Some providers reject tool messages in a request that declares no tools, so keep them
  // declared and forbid their use where `tool_choice` is honoured.
  else if (specs && profile.toolChoice) tools = { tools: specs, tool_choice: 'none' };
  const messages: ChatCompletionMessageParam[] = toolsWithheld
    ? [...conversation, { role: 'system', content: TOOL_LIMIT_NOTE }]
    : [...conversation];
  return {
    ...profile.extraBody,
    model: config.chatModel,
    messages,
    stream: true,
    [profile.maxTokensField]: config.maxTokens,
    ...tools,
    ...(profile.streamUsage ? { stream_options: { include_usage: true } } : {}),
  };
}
