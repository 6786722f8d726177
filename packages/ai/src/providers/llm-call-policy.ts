import { DomainError, isDomainError } from '@stepwise/core';
import type OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import { addUsage, emptyUsage, toUsage } from '../usage.js';
import type { TUsage } from '../usage.schema.js';
import type { AiConfig } from './ai-config.js';
import { classifyLlmError, type LlmFailure } from './classify-llm-error.js';
import { createOpenAIClient } from './create-openai-client.js';
import { streamCompletion } from './stream-completion.js';

export interface LlmCallPolicyOptions {
  /** Timeouts, deadline, retry bounds and prices. */
  config: AiConfig;
  /** The model asked for; reported until a provider names the one that answered. */
  model: string;
  /** An existing client to reuse; one is created from `config` otherwise. */
  client?: OpenAI | undefined;
  /** The caller's cancellation: aborts a request in flight and a wait before a retry. */
  signal?: AbortSignal | undefined;
}

/** One streaming completion as `LlmCallPolicy.stream` runs it. */
export interface LlmRequest {
  /**
   * Builds the request body. Called before every request (the first, each retry, each
   * fallback), so state kept per request, such as a fresh stream parser, is reset here.
   */
  body: () => ChatCompletionCreateParamsStreaming;
  /** Each piece of `delta.content`, in order. */
  onContent?: ((content: string) => void) | undefined;
  /** Every chunk, before its content (for tool-call fragments). */
  onChunk?: ((chunk: ChatCompletionChunk) => void) | undefined;
  /**
   * Whether a request that failed after some content reached `onContent` may be sent again
   * (default false). A chat says no: the person has read that text, and a second answer would
   * repeat or contradict it. A plan says yes: its parser skips tasks already announced.
   */
  retryAfterContent?: boolean | undefined;
  /**
   * Offered every failure that is not retried: return true after changing what `body` builds
   * (the next structured-output mode, no tools) to send it again. Not counted as a retry.
   */
  fallback?: ((failure: LlmFailure) => boolean) | undefined;
}

/** How one `stream` call ended. */
export interface LlmResponse {
  /** Everything `onContent` received from the request that succeeded. */
  text: string;
  /** `null` when the provider never sent one. */
  finishReason: string | null;
  /** The model that answered. */
  model: string;
  /** Of the request that succeeded (the policy's `usage` is the sum). */
  usage: TUsage;
}

/**
 * The delay before retry number `retry` (0-based): `baseMs · 2^retry`, with "equal jitter"
 * (a random half of it added to the other half) so that clients failed by the same outage do
 * not come back in step.
 */
export function backoffDelay(baseMs: number, retry: number, random = Math.random): number {
  const ceiling = baseMs * 2 ** retry;
  return ceiling / 2 + random() * (ceiling / 2);
}

function cancelled(): DomainError {
  return new DomainError('CANCELLED', 'the generation was cancelled');
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * How one generation (a plan, a chat reply) calls the LLM: every request it makes goes
 * through one policy, which owns what the requests share.
 *
 * - Timeouts: the SDK's `timeout` only covers the response headers; `streamCompletion` adds an
 *   idle timeout between chunks and the policy's overall deadline (`config.deadlineMs` from
 *   construction, moved by `extendDeadline`). Both fail with LLM_TIMEOUT.
 * - Retries: 429, 5xx, dropped connections and malformed streams are retried, at most
 *   `config.maxRetries` times over all requests, after the provider's `retry-after` or an
 *   exponential backoff with jitter. A wait longer than `config.maxRetryDelayMs` or past the
 *   deadline fails at once, as does a retry after content unless `retryAfterContent`: then
 *   LLM_RATE_LIMITED / LLM_UNAVAILABLE. No headers in time: LLM_TIMEOUT; other 4xx: LLM_REJECTED
 *   (after `fallback` declined); a content filter stop: LLM_REJECTED.
 * - Cancellation: the signal fails a request or a wait with CANCELLED.
 * - Accounting: `attempts` counts requests, `usage` sums what they reported, priced with the
 *   configured price or the profile's price of the model that answered.
 *
 * @example
 * const llm = new LlmCallPolicy({ config, model: config.chatModel, signal });
 * const { text } = await llm.stream({
 *   body: () => ({ model: config.chatModel, messages, stream: true }),
 *   onContent: (piece) => send(piece),
 * });
 * record(llm.usage, llm.attempts);
 */
export class LlmCallPolicy {
  private readonly config: AiConfig;
  private readonly client: OpenAI;
  private readonly signal: AbortSignal | undefined;
  private deadlineAt: number;
  private retries = 0;
  private requests = 0;
  private summed: TUsage = emptyUsage(0);
  private answeredBy: string;

  constructor(options: LlmCallPolicyOptions) {
    this.config = options.config;
    this.client = options.client ?? createOpenAIClient(options.config);
    this.signal = options.signal;
    this.deadlineAt = Date.now() + options.config.deadlineMs;
    this.answeredBy = options.model;
  }

  /** Requests made, retries and fallbacks included. */
  get attempts(): number {
    return this.requests;
  }

  /** Summed over every request that completed. */
  get usage(): TUsage {
    return this.summed;
  }

  /** The model that last answered (the one asked for until then). */
  get model(): string {
    return this.answeredBy;
  }

  /** Moves the deadline by time the model did not spend, e.g. running tools between rounds. */
  extendDeadline(ms: number): void {
    this.deadlineAt += ms;
  }

  /** Runs one streaming completion under the policy; see the class comment for the failures. */
  async stream(request: LlmRequest): Promise<LlmResponse> {
    const { config } = this;
    for (;;) {
      const body = request.body();
      let text = '';
      this.requests++;
      let completion: Awaited<ReturnType<typeof streamCompletion>>;
      try {
        completion = await streamCompletion(this.client, body, {
          onChunk: request.onChunk,
          onContent: (content) => {
            text += content;
            request.onContent?.(content);
          },
          signal: this.signal,
          deadlineAt: this.deadlineAt,
          requestTimeoutMs: config.requestTimeoutMs,
          idleTimeoutMs: config.idleTimeoutMs,
        });
      } catch (error) {
        if (isDomainError(error)) throw error;
        const failure = classifyLlmError(error);
        const forwarded = text !== '';
        if (
          (failure.kind === 'rate_limited' || failure.kind === 'transient') &&
          (!forwarded || request.retryAfterContent)
        ) {
          await this.waitBeforeRetry(failure);
          continue;
        }
        if (request.fallback?.(failure)) continue;
        throw toDomainError(failure, error, config, forwarded);
      }

      this.answeredBy = completion.model ?? this.answeredBy;
      const usage = toUsage(
        completion.usage,
        config.price ?? config.profile.prices[this.answeredBy],
      );
      this.summed = addUsage(this.summed, usage);
      if (completion.finishReason === 'content_filter') {
        throw new DomainError('LLM_REJECTED', "the provider's content filter stopped the answer");
      }
      return { text, finishReason: completion.finishReason, model: this.answeredBy, usage };
    }
  }

  private async waitBeforeRetry(
    failure: LlmFailure & { kind: 'rate_limited' | 'transient' },
  ): Promise<void> {
    const { config } = this;
    const code = failure.kind === 'rate_limited' ? 'LLM_RATE_LIMITED' : 'LLM_UNAVAILABLE';
    const delay = failure.retryAfterMs ?? backoffDelay(config.retryBaseDelayMs, this.retries);
    const details = { attempts: this.requests, retryAfterMs: delay, cause: failure.message };
    if (this.retries >= config.maxRetries) {
      const message = `the provider failed after ${this.requests} attempt(s): ${failure.message}`;
      throw new DomainError(code, message, { details });
    }
    if (delay > config.maxRetryDelayMs || Date.now() + delay >= this.deadlineAt) {
      const message = `the provider asked to wait ${Math.round(delay)} ms, too long`;
      throw new DomainError(code, message, { details });
    }
    this.retries++;
    await sleep(delay, this.signal);
  }
}

function toDomainError(
  failure: LlmFailure,
  error: unknown,
  config: AiConfig,
  forwarded: boolean,
): DomainError {
  const details = { forwardedText: forwarded };
  switch (failure.kind) {
    case 'rate_limited':
      return new DomainError(
        'LLM_RATE_LIMITED',
        `the provider is rate limiting: ${failure.message}`,
        { cause: error, details: { ...details, retryAfterMs: failure.retryAfterMs } },
      );
    case 'transient':
      return new DomainError(
        'LLM_UNAVAILABLE',
        forwarded
          ? `the answer broke off after it had started: ${failure.message}`
          : `the provider is unavailable: ${failure.message}`,
        { cause: error, details },
      );
    case 'timeout':
      return new DomainError('LLM_TIMEOUT', 'the provider did not answer in time', {
        cause: error,
        details: { ...details, requestTimeoutMs: config.requestTimeoutMs },
      });
    case 'mode_rejected':
    case 'rejected':
      return new DomainError(
        'LLM_REJECTED',
        `the provider rejected the request: ${failure.message}`,
        {
          cause: error,
          details: { ...details, status: failure.kind === 'rejected' ? failure.status : 400 },
        },
      );
  }
}
