import { type TRPCRouterRecord, tracked } from '@trpc/server';
import { z } from 'zod';
import { CHAT_TERMINAL_TYPES, type ChatStreamEvent } from '../services/chat/chat-events.js';
import {
  deleteConversation,
  getConversations,
  getHistory,
  resetConversations,
} from '../services/chat/chat-history.service.js';
import { sendMessage, stopReply } from '../services/chat/chat-send.service.js';
import { openGenerationStream } from '../services/events/open-generation-stream.js';
import { ZChatHistory, ZChatSent, ZConversationPage } from '../services/openapi/rest-schemas.js';
import { protectedProcedure } from '../trpc/init.js';
import { ZGenerationStreamInput, ZId, ZIdempotencyKey } from './ids.js';

const ZCursor = z.string().max(500).nullish();

export const chatRouter = {
  /** Stores the message and starts the reply; a retry with the same key returns the same ids. */
  send: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/chat/messages',
        tags: ['chat'],
        summary: 'Send a message to the assistant; the reply streams over chat.stream',
        protect: true,
      },
      response: ZChatSent,
    })
    .input(
      z.object({
        conversationId: ZId.optional(),
        goalId: ZId.optional(),
        scope: z
          .object({
            week: z.number().int().min(1).max(52).optional(),
            day: z.number().int().min(1).max(7).optional(),
          })
          .optional(),
        content: z.string().trim().min(1).max(8_000),
        idempotencyKey: ZIdempotencyKey,
      }),
    )
    .mutation(({ ctx, input }) => sendMessage(ctx, { ...input, userId: ctx.user.id })),

  /** The reply as `tracked` events: start, delta, tool_call, tool_result, plan_updated, end | error. */
  stream: protectedProcedure
    .input(ZGenerationStreamInput)
    .subscription(async ({ ctx, input, signal }) => {
      const events = await openGenerationStream(ctx, {
        ...input,
        userId: ctx.user.id,
        kinds: ['chat'],
        terminalTypes: CHAT_TERMINAL_TYPES,
        signal,
      });
      return (async function* () {
        for await (const event of events) yield tracked(event.id, event.data as ChatStreamEvent);
      })();
    }),

  /** Ends a reply now and keeps what it has written. Closing the stream is not a stop. */
  stop: protectedProcedure
    .input(z.object({ generationId: ZId }))
    .mutation(({ ctx, input }) =>
      stopReply(ctx, { userId: ctx.user.id, generationId: input.generationId }),
    ),

  history: protectedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/chat/conversations/{conversationId}/messages',
        tags: ['chat'],
        summary: 'The messages of a conversation, newest first',
        protect: true,
      },
      response: ZChatHistory,
    })
    .input(
      z.object({
        conversationId: ZId,
        cursor: ZCursor,
        limit: z.number().int().min(1).max(100).default(50),
      }),
    )
    .query(({ ctx, input }) => getHistory(ctx, { ...input, userId: ctx.user.id })),

  conversations: protectedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/chat/conversations',
        tags: ['chat'],
        summary: "The caller's conversations, most recent first",
        protect: true,
      },
      response: ZConversationPage,
    })
    .input(
      z.object({
        goalId: ZId.optional(),
        cursor: ZCursor,
        limit: z.number().int().min(1).max(100).default(20),
      }),
    )
    .query(({ ctx, input }) => getConversations(ctx, { ...input, userId: ctx.user.id })),

  delete: protectedProcedure
    .input(z.object({ conversationId: ZId }))
    .mutation(({ ctx, input }) =>
      deleteConversation(ctx, { userId: ctx.user.id, conversationId: input.conversationId }),
    ),

  /** Forgets the conversations about a goal (or the general ones); plan and tasks stay. */
  reset: protectedProcedure
    .input(z.object({ goalId: ZId.optional() }))
    .mutation(({ ctx, input }) =>
      resetConversations(ctx, { userId: ctx.user.id, goalId: input.goalId }),
    ),
} satisfies TRPCRouterRecord;
