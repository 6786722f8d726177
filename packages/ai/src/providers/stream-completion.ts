import { DomainError, isDomainError } from '@stepwise/core';
import type OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import type { ApiUsage } from '../usage.js';

export interface StreamCompletionOptions {
  /** Called with each piece of `delta.content`, in order. */
  onContent?: ((content: string) => void) | undefined;
  /** Called with every chunk, before its content (tool-call fragments arrive this way). */
  onChunk?: ((chunk: ChatCompletionChunk) => void) | undefined;
  /** The caller's cancellation. */
  signal?: AbortSignal | undefined;
  /** Wall-clock time (ms since epoch) by which the whole stream must have finished. */
  deadlineAt: number;
  /** Longest wait for the response headers. */
  requestTimeoutMs: number;
  /** Longest silence between two chunks once the headers arrived. */
  idleTimeoutMs: number;
}

/** How a completed stream ended. `finishReason` is `null` when the provider never sent one. */
export interface StreamCompletionResult {
  finishReason: string | null;
  usage: ApiUsage | undefined;
  /** The model the provider says answered (routers like OpenRouter resolve aliases). */
  model: string | undefined;
}

type StopReason = 'cancelled' | 'idle' | 'deadline';

/** Groq reports stream usage in a vendor field of the last chunk. */
type ProviderChunk = ChatCompletionChunk & { x_groq?: { usage?: ApiUsage } };

function stopError(reason: StopReason, options: StreamCompletionOptions): DomainError {
  switch (reason) {
    case 'cancelled':
      return new DomainError('CANCELLED', 'the generation was cancelled');
    case 'idle':
      return new DomainError(
        'LLM_TIMEOUT',
        `the model sent nothing for ${options.idleTimeoutMs} ms`,
        { details: { idleTimeoutMs: options.idleTimeoutMs } },
      );
    case 'deadline':
      return new DomainError('LLM_TIMEOUT', 'the generation ran past its deadline');
  }
}

/**
 * Runs one streaming chat completion with the timeouts the SDK lacks: its own `timeout` only
 * covers the response headers, so an idle timer between chunks and an overall deadline abort
 * the request too. Throws `DomainError` CANCELLED / LLM_TIMEOUT for those, rethrows a
 * `DomainError` from `onChunk` / `onContent` as is (their other errors become INTERNAL), and
 * lets every other SDK error through for the caller to classify. Retries are the caller's:
 * see `LlmCallPolicy`.
 */
export async function streamCompletion(
  client: OpenAI,
  body: ChatCompletionCreateParamsStreaming,
  options: StreamCompletionOptions,
): Promise<StreamCompletionResult> {
  if (options.signal?.aborted) throw stopError('cancelled', options);
  const remaining = options.deadlineAt - Date.now();
  if (remaining <= 0) throw stopError('deadline', options);

  const controller = new AbortController();
  let stopped: StopReason | undefined;
  const stop = (reason: StopReason) => {
    stopped ??= reason;
    controller.abort();
  };
  const onCancel = () => stop('cancelled');
  options.signal?.addEventListener('abort', onCancel, { once: true });
  const deadlineTimer = setTimeout(() => stop('deadline'), remaining);
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const armIdle = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => stop('idle'), options.idleTimeoutMs);
  };

  const result: StreamCompletionResult = { finishReason: null, usage: undefined, model: undefined };
  try {
    const stream = await client.chat.completions.create(body, {
      signal: controller.signal,
      timeout: Math.max(1, Math.ceil(Math.min(options.requestTimeoutMs, remaining))),
      maxRetries: 0,
    });
    armIdle();
    for await (const chunk of stream as AsyncIterable<ProviderChunk>) {
      armIdle();
      result.model ??= chunk.model || undefined;
      result.usage = chunk.usage ?? chunk.x_groq?.usage ?? result.usage;
      const choice = chunk.choices?.[0];
      const content = choice?.delta?.content;
      try {
        options.onChunk?.(chunk);
        if (content) options.onContent?.(content);
      } catch (error) {
        throw isDomainError(error)
          ? error
          : new DomainError('INTERNAL', 'a stream consumer failed', { cause: error });
      }
      if (choice?.finish_reason) result.finishReason = choice.finish_reason;
    }
  } catch (error) {
    if (isDomainError(error)) throw error;
    if (stopped) throw stopError(stopped, options);
    throw error;
  } finally {
    clearTimeout(deadlineTimer);
    clearTimeout(idleTimer);
    options.signal?.removeEventListener('abort', onCancel);
  }
  // The SDK ends the iteration quietly when its request is aborted.
  if (stopped) throw stopError(stopped, options);
  return result;
}
