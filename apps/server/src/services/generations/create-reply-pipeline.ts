import type { ChatFinishReason, ChatToolResultEvent } from '@stepwise/ai';
import type { TUsage } from '@stepwise/ai/schema';
import { DomainError } from '@stepwise/core';
import { completeMessage, type GenerationKind, listStreamEvents } from '@stepwise/db';
import {
  CHAT_TERMINAL_TYPES,
  type ChatEndReason,
  type ChatStreamEvent,
} from '../chat/chat-events.js';
import { replyFromEvents } from '../chat/reply-from-events.js';
import type { GenerationContext, GenerationPipeline } from './run-generation.js';

/** The ids a reply generation keeps in its `input`, set when the person's message is stored. */
interface ReplyIds {
  userMessageId: string;
  assistantMessageId: string;
}

/** What a reply body gets: the harness context, the reply's ids, and how to end it. */
export interface ReplyContext extends GenerationContext<ChatStreamEvent>, ReplyIds {
  /**
   * Stores the assistant message exactly as it was streamed (text and tool parts, from the
   * event log) and ends the stream with `end { reason, usage }`; see `ctx.complete`.
   */
  finish(reply: { reason: ChatEndReason; usage: TUsage | null }): Promise<boolean>;
}

/**
 * The `streamChatReply` callbacks that put a reply on the event log: each text piece as a
 * `delta`, each tool call and result as `tool_call` / `tool_result` (written before the tool
 * runs, and before the model continues).
 */
export function replyStreamCallbacks(ctx: Pick<ReplyContext, 'emit' | 'flush'>) {
  return {
    onDelta: (text: string) => ctx.emit({ type: 'delta', text }),
    // Any tool set's call event (chat's or the public assistant's).
    onToolCall: async (
      call: { id: string; name: string; rawArguments: string } & (
        | { valid: true; args: unknown }
        | { valid: false }
      ),
    ) => {
      ctx.emit({
        type: 'tool_call',
        id: call.id,
        name: call.name,
        args: call.valid ? call.args : call.rawArguments,
        valid: call.valid,
      });
      await ctx.flush();
    },
    onToolResult: async (result: ChatToolResultEvent) => {
      ctx.emit({
        type: 'tool_result',
        id: result.id,
        name: result.name,
        ...(result.error !== undefined ? { error: result.error } : { result: result.result }),
      });
      await ctx.flush();
    },
  };
}

/** How a streamed reply's finish reason reads in its `end` event. */
export function endReason(finishReason: ChatFinishReason): ChatEndReason {
  if (finishReason === 'cancelled') return 'stopped';
  if (finishReason === 'length' || finishReason === 'tool_rounds_exhausted') return finishReason;
  return 'complete';
}

/**
 * A pipeline for chat-shaped replies (`start`, `delta`, `tool_call`, `tool_result`, `end`,
 * `error`): the assistant's chat and a workspace's public chat differ only in `run`, which
 * builds the context and streams the answer.
 *
 * Shared here: consecutive deltas merge while a write is in flight; `end` or `error` appended
 * by someone else (`chat.stop`) cancels the run; a retry after a crash mid-reply fails with
 * INTERNAL (the model cannot continue a half-sent stream); a failure stores the partial reply
 * with status `error` and ends the stream with `error { code, message }`.
 *
 * @example
 * export const publicReplyPipeline = createReplyPipeline({
 *   kinds: ['public_reply'],
 *   run: async (ctx) => {
 *     ctx.emit({ type: 'delta', text: 'Hello!' });
 *     await ctx.finish({ reason: 'complete', usage: null });
 *   },
 * });
 */
export function createReplyPipeline(definition: {
  kinds: readonly GenerationKind[];
  run: (ctx: ReplyContext) => Promise<void>;
}): GenerationPipeline<ChatStreamEvent> {
  return {
    kinds: definition.kinds,
    terminalTypes: CHAT_TERMINAL_TYPES,
    coalesce(last, next) {
      if (last.type !== 'delta' || next.type !== 'delta') return undefined;
      return { type: 'delta', text: last.text + next.text };
    },
    async run(ctx) {
      const { services, generation } = ctx;
      const ids = generation.input as unknown as ReplyIds;
      const previous = await listStreamEvents(services.db, { generationId: generation.id });
      if (previous.some((event) => event.type !== 'start')) {
        throw new DomainError('INTERNAL', 'the reply was interrupted');
      }
      const offline = services.ai.mode === 'offline';
      await definition.run({
        ...ctx,
        userMessageId: ids.userMessageId,
        assistantMessageId: ids.assistantMessageId,
        finish: (reply) =>
          ctx.complete(
            {
              usage: reply.usage,
              provider: services.ai.provider,
              model: offline ? 'offline' : services.ai.chatModel,
              offline,
            },
            async (trx) => {
              const { content, parts } = replyFromEvents(
                await listStreamEvents(trx, { generationId: generation.id, limit: 100_000 }),
              );
              await completeMessage(trx, {
                messageId: ids.assistantMessageId,
                content,
                parts,
                status: 'complete',
              });
              return {
                type: 'end',
                messageId: ids.assistantMessageId,
                reason: reply.reason,
                usage: reply.usage,
              };
            },
          ),
      });
    },
    async failed(trx, generation, failure) {
      const { assistantMessageId } = generation.input as unknown as ReplyIds;
      const { content, parts } = replyFromEvents(
        await listStreamEvents(trx, { generationId: generation.id, limit: 100_000 }),
      );
      await completeMessage(trx, {
        messageId: assistantMessageId,
        content,
        parts,
        status: 'error',
      });
      return { type: 'error', messageId: assistantMessageId, ...failure };
    },
  };
}
