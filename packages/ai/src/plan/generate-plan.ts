import { DomainError, isDomainError } from '@stepwise/core';
import type OpenAI from 'openai';
import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import type { AiConfig } from '../providers/ai-config.js';
import { LlmCallPolicy } from '../providers/llm-call-policy.js';
import type { StructuredOutputMode } from '../providers/provider-profiles.js';
import { emptyUsage } from '../usage.js';
import type { TUsage } from '../usage.schema.js';
import { checkPlan } from './check-plan.js';
import { buildOfflinePlan } from './offline-planner.js';
import { parsePlan } from './parse-plan.js';
import { placeTasks } from './place-tasks.js';
import { buildPlanMessages } from './plan.prompt.js';
import type { TPlacedTask, TPlan } from './plan.schema.js';
import type { TPlanRequestResolved } from './plan-request.schema.js';
import { planResponseFormat } from './plan-response-format.js';
import { type PlanStream, streamPlan } from './stream-plan.js';

/** Progress of a generation, reported through `onPhase`; repeats on retries. */
export type PlanPhase = 'prompting' | 'generating' | 'parsing' | 'validating';

export interface GeneratePlanOptions {
  config: AiConfig;
  request: TPlanRequestResolved;
  signal?: AbortSignal | undefined;
  onPhase?: ((phase: PlanPhase) => void) | undefined;
  /**
   * Called once per task position, in increasing order, as soon as the task is parsed from the
   * stream. A retry does not repeat positions already emitted. After success, positions of the
   * checked plan that were not streamed are emitted too. The final plan is authoritative: the
   * constraint check may still change streamed tasks (e.g. scale efforts).
   */
  onTask?: ((task: TPlacedTask) => void) | undefined;
  /** An existing client to reuse; one is created from `config` otherwise. */
  client?: OpenAI | undefined;
}

export interface GeneratedPlan {
  plan: TPlan;
  /** What the constraint check changed. */
  fixes: string[];
  /** Summed over every request of this generation. */
  usage: TUsage;
  model: string;
  provider: string;
  offline: boolean;
  /** LLM requests made (0 offline). */
  attempts: number;
  mode: StructuredOutputMode | 'offline';
}

const TRUNCATION_HINT =
  'Your previous answer was cut off before the JSON was complete. Write a more compact plan: fewer tasks per day and descriptions of one short sentence.';

function generateOffline(options: GeneratePlanOptions): GeneratedPlan {
  if (options.signal?.aborted) throw new DomainError('CANCELLED', 'the generation was cancelled');
  options.onPhase?.('generating');
  const draft = buildOfflinePlan(options.request);
  options.onPhase?.('validating');
  const { plan, fixes } = checkPlan(draft, options.request);
  for (const task of placeTasks(plan)) options.onTask?.(task);
  return {
    plan,
    fixes,
    usage: emptyUsage(0),
    model: 'offline',
    provider: 'offline',
    offline: true,
    attempts: 0,
    mode: 'offline',
  };
}

function requestBody(
  config: AiConfig,
  mode: StructuredOutputMode,
  messages: ChatCompletionCreateParamsStreaming['messages'],
): ChatCompletionCreateParamsStreaming {
  const { profile } = config;
  const responseFormat = planResponseFormat(mode);
  return {
    ...profile.extraBody,
    model: config.planModel,
    messages,
    stream: true,
    [profile.maxTokensField]: config.maxTokens,
    ...(responseFormat ? { response_format: responseFormat } : {}),
    ...(profile.streamUsage ? { stream_options: { include_usage: true } } : {}),
  };
}

/**
 * Turns a request into a checked plan with the configured LLM, or with the offline planner when
 * the configuration is offline.
 *
 * Every request goes through one `LlmCallPolicy` (retries, backoff, timeouts, usage). Failure
 * handling, all ending in a `DomainError`:
 * - the provider rejects the structured-output mode (400 about `response_format`): the next
 *   mode of the profile is tried (json_schema → json_object → prompted);
 * - 429: retried after `retry-after` (or a backoff) up to `maxRetries`, then LLM_RATE_LIMITED;
 *   a `retry-after` longer than `maxRetryDelayMs` or the deadline fails at once;
 * - 5xx, dropped connections, malformed streams: retried after `retry-after` or a backoff with
 *   jitter, then LLM_UNAVAILABLE;
 * - other 4xx: LLM_REJECTED; no headers in time, silence between chunks or the overall deadline:
 *   LLM_TIMEOUT; the caller's signal: CANCELLED;
 * - truncated output (finish_reason `length`, unclosed JSON, or no finish_reason and no valid
 *   plan): one retry asking for a more compact plan, then LLM_TRUNCATED;
 * - invalid output or a plan the constraint check rejects: one corrective retry that shows
 *   the model its errors, then LLM_INVALID_OUTPUT (or PLAN_CONSTRAINTS).
 *
 * @example
 * const result = await generatePlan({
 *   config: resolveAiConfig({ apiKey, baseUrl }),
 *   request: resolvePlanRequest(input, today),
 *   onTask: (task) => appendEvent({ type: 'task', index: task.position, task }),
 * });
 */
export async function generatePlan(options: GeneratePlanOptions): Promise<GeneratedPlan> {
  const { config, request, signal } = options;
  if (config.mode === 'offline') return generateOffline(options);

  const llm = new LlmCallPolicy({
    config,
    model: config.planModel,
    client: options.client,
    signal,
  });
  const modes = config.profile.structuredOutputs;
  let modeIndex = 0;
  let corrected = false;
  let truncationRetried = false;
  let previousErrors: string[] | undefined;
  let lastEmitted = -1;
  const emit = (task: TPlacedTask) => {
    lastEmitted = task.position;
    options.onTask?.(task);
  };

  for (;;) {
    let planStream: PlanStream | undefined;
    const completion = await llm.stream({
      body: () => {
        const mode = modes[modeIndex] ?? 'prompted';
        options.onPhase?.('prompting');
        const messages = buildPlanMessages(request, {
          mode,
          attempt: llm.attempts + 1,
          previousErrors,
        });
        planStream = streamPlan({
          startDate: request.startDate,
          fromPosition: lastEmitted + 1,
          onTask: emit,
        });
        options.onPhase?.('generating');
        return requestBody(config, mode, messages);
      },
      onContent: (content) => planStream?.write(content),
      retryAfterContent: true,
      fallback: (failure) => {
        if (failure.kind !== 'mode_rejected' || modeIndex >= modes.length - 1) return false;
        modeIndex++;
        return true;
      },
    });

    options.onPhase?.('parsing');
    const parsed = parsePlan(completion.text, { finishReason: completion.finishReason });
    if (!parsed.ok) {
      if (parsed.reason === 'truncated' || completion.finishReason === null) {
        if (truncationRetried) {
          throw new DomainError('LLM_TRUNCATED', `the plan was cut off: ${parsed.message}`, {
            details: { attempts: llm.attempts, finishReason: completion.finishReason },
          });
        }
        truncationRetried = true;
        previousErrors = [TRUNCATION_HINT];
        continue;
      }
      if (corrected) {
        throw new DomainError('LLM_INVALID_OUTPUT', `the plan is invalid: ${parsed.message}`, {
          details: { reason: parsed.reason, issues: parsed.issues },
        });
      }
      corrected = true;
      previousErrors =
        parsed.issues.length > 0
          ? parsed.issues.map((issue) => `${issue.path}: ${issue.message}`)
          : [parsed.message];
      continue;
    }

    options.onPhase?.('validating');
    let checked: ReturnType<typeof checkPlan>;
    try {
      checked = checkPlan(parsed.plan, request);
    } catch (error) {
      if (isDomainError(error) && error.code === 'PLAN_CONSTRAINTS' && !corrected) {
        corrected = true;
        previousErrors = [error.message];
        continue;
      }
      throw error;
    }

    for (const task of placeTasks(checked.plan)) {
      if (task.position > lastEmitted) emit(task);
    }
    return {
      plan: checked.plan,
      fixes: checked.fixes,
      usage: llm.usage,
      model: llm.model,
      provider: config.provider,
      offline: false,
      attempts: llm.attempts,
      mode: modes[modeIndex] ?? 'prompted',
    };
  }
}
