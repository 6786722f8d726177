import { DomainError } from '@stepwise/core';
import { type TRPCRouterRecord, tracked } from '@trpc/server';
import { z } from 'zod';
import { CHAT_TERMINAL_TYPES, type ChatStreamEvent } from '../services/chat/chat-events.js';
import { streamGenerationEvents } from '../services/events/stream-generation-events.js';
import {
  publicMessages,
  sendPublicMessage,
  startPublicConversation,
} from '../services/public/public-chat.service.js';
import { publicProcedure, visitorProcedure } from '../trpc/init.js';
import { ZGenerationStreamInput, ZId, ZIdempotencyKey } from './ids.js';

/** The longest visitor message, in characters. */
export const PUBLIC_MESSAGE_MAX = 2_000;

/**
 * The public assistant of a workspace, for visitors without an account. `startConversation`
 * hands out a visitor token (`sv_…`); every other procedure takes it as the bearer token (or
 * the `token` connection parameter for the stream) and reaches only that conversation.
 */
export const publicRouter = {
  startConversation: publicProcedure
    .input(z.object({ handle: z.string().trim().toLowerCase().min(3).max(40) }))
    // Visitors of the web page; other channels come from server-side integrations.
    .mutation(({ ctx, input }) =>
      startPublicConversation(ctx, { ...input, channel: 'web', ip: ctx.ip }),
    ),

  /** Stores the visitor's message and starts the reply; a retry with the same key is free. */
  send: visitorProcedure
    .input(
      z.object({
        content: z.string().trim().min(1).max(PUBLIC_MESSAGE_MAX),
        idempotencyKey: ZIdempotencyKey,
      }),
    )
    .mutation(({ ctx, input }) =>
      sendPublicMessage(ctx, { ...input, visitor: ctx.visitor, ip: ctx.ip }),
    ),

  /** The conversation's messages, oldest first, after the message `since`. */
  messages: visitorProcedure
    // Strict: both fields are optional, so an unknown key is the only sign of a wrong call.
    .input(
      z.strictObject({
        since: ZId.optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(({ ctx, input }) => publicMessages(ctx, { ...input, visitor: ctx.visitor })),

  /**
   * A reply as `tracked` events, the shapes of `chat.stream` (start, delta, tool_call,
   * tool_result, end | error); resumable with `lastEventId`.
   */
  stream: visitorProcedure
    .input(ZGenerationStreamInput)
    .subscription(async ({ ctx, input, signal }) => {
      const generation = await ctx.db
        .selectFrom('generations')
        .select('id')
        .where('id', '=', input.generationId)
        .where('conversation_id', '=', ctx.visitor.id)
        .where('kind', '=', 'public_reply')
        .executeTakeFirst();
      if (!generation) throw new DomainError('NOT_FOUND', 'reply not found');
      const events = streamGenerationEvents({
        fanout: ctx.fanout,
        generationId: generation.id,
        lastEventId: input.lastEventId,
        terminalTypes: CHAT_TERMINAL_TYPES,
        signal,
      });
      return (async function* () {
        for await (const event of events) yield tracked(event.id, event.data as ChatStreamEvent);
      })();
    }),
} satisfies TRPCRouterRecord;
