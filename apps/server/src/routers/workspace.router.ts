import { DomainError } from '@stepwise/core';
import {
  CHANNELS,
  decodeCursor,
  encodeCursor,
  findWorkspaceConversation,
  insertOwnerReply,
  listLatestMessages,
  listWorkspaceConversations,
  requireWorkspace,
  setConversationTags,
  sumTimeSaved,
  updateWorkspace,
  WORKSPACE_TONES,
} from '@stepwise/db';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { getOrCreateWorkspace, ZHandle } from '../services/workspaces/workspace.service.js';
import { protectedProcedure } from '../trpc/init.js';
import { ZId, ZTimezone } from './ids.js';

/** Knowledge base size limit (characters); the database refuses more too. */
export const KNOWLEDGE_BASE_MAX = 50_000;

const ZTags = z.array(z.string().trim().toLowerCase().min(1).max(40)).max(20);

const ZConversationFilters = z.strictObject({
  channel: z.enum(CHANNELS).optional(),
  tags: ZTags.optional(),
  from: z.date().optional(),
  to: z.date().optional(),
});

const conversationNotFound = () => new DomainError('NOT_FOUND', 'conversation not found');

export const workspaceRouter = {
  /** The caller's workspace, created on first call (handle from the email, made unique). */
  me: protectedProcedure.query(({ ctx }) => getOrCreateWorkspace(ctx.db, ctx.user)),

  /** Changes settings and profile; CONFLICT when the handle is taken. */
  update: protectedProcedure
    .input(
      z
        .strictObject({
          handle: ZHandle,
          type: z.enum(['individual', 'business']),
          tone: z.enum(WORKSPACE_TONES),
          timezone: ZTimezone,
          knowledgeBase: z.string().max(KNOWLEDGE_BASE_MAX),
          businessName: z.string().trim().max(120),
          tagline: z.string().trim().max(200),
          bio: z.string().trim().max(2_000),
          phone: z
            .string()
            .trim()
            .max(40)
            .regex(/^[+()0-9 .-]*$/, 'digits, spaces and + ( ) . - only'),
          website: z.union([z.literal(''), z.url({ protocol: /^https?$/ }).max(300)]),
          socialLinks: z.partialRecord(
            z.enum(['instagram', 'facebook', 'tiktok', 'x', 'linkedin', 'youtube', 'whatsapp']),
            z.url({ protocol: /^https$/ }).max(300),
          ),
          setupCompleted: z.boolean(),
          dailyTokenBudget: z.number().int().min(0).max(10_000_000),
        })
        .partial()
        .refine((patch) => Object.values(patch).some((v) => v !== undefined), {
          message: 'give a field to change',
        }),
    )
    .mutation(async ({ ctx, input }) => {
      await getOrCreateWorkspace(ctx.db, ctx.user);
      return updateWorkspace(ctx.db, { ownerId: ctx.user.id, patch: input });
    }),

  /** Visitor conversations, newest first, filtered by channel, tags (any of) and date. */
  conversations: protectedProcedure
    .input(
      ZConversationFilters.extend({
        cursor: z.string().max(500).nullish(),
        limit: z.number().int().min(1).max(100).default(20),
      }),
    )
    .query(async ({ ctx, input }) => {
      const workspace = await requireWorkspace(ctx.db, ctx.user.id);
      const before = input.cursor ? decodeCursor('visitor-conversations', input.cursor) : undefined;
      const items = await listWorkspaceConversations(ctx.db, {
        ...input,
        workspaceId: workspace.id,
        beforeId: before?.id,
        limit: input.limit + 1,
      });
      const page = items.slice(0, input.limit);
      const last = page.at(-1);
      return {
        items: page,
        nextCursor:
          items.length > input.limit && last
            ? encodeCursor('visitor-conversations', null, last.id)
            : null,
      };
    }),

  /**
   * One visitor conversation with its latest messages, oldest first; pass `olderCursor` back
   * as `before` for the page before them.
   */
  conversation: protectedProcedure
    .input(
      z.object({
        conversationId: ZId,
        before: ZId.optional(),
        limit: z.number().int().min(1).max(500).default(100),
      }),
    )
    .query(async ({ ctx, input }) => {
      const workspace = await requireWorkspace(ctx.db, ctx.user.id);
      const conversation = await findWorkspaceConversation(ctx.db, {
        workspaceId: workspace.id,
        conversationId: input.conversationId,
      });
      if (!conversation) throw conversationNotFound();
      const messages = await listLatestMessages(ctx.db, {
        conversationId: conversation.id,
        beforeId: input.before,
        limit: input.limit,
      });
      const olderCursor = messages.length === input.limit ? (messages[0]?.id ?? null) : null;
      return { ...conversation, messages, olderCursor };
    }),

  /**
   * The owner answers a visitor in person (after a hand-off, say): stored as an assistant
   * message marked `{ type: 'owner' }` in its parts; the visitor sees it in `public.messages`.
   */
  reply: protectedProcedure
    .input(z.object({ conversationId: ZId, content: z.string().trim().min(1).max(8_000) }))
    .mutation(async ({ ctx, input }) => {
      const workspace = await requireWorkspace(ctx.db, ctx.user.id);
      const conversation = await findWorkspaceConversation(ctx.db, {
        workspaceId: workspace.id,
        conversationId: input.conversationId,
      });
      if (!conversation) throw conversationNotFound();
      return insertOwnerReply(ctx.db, {
        conversationId: conversation.id,
        ownerId: ctx.user.id,
        content: input.content,
      });
    }),

  /** Replaces a conversation's tags. */
  tagConversation: protectedProcedure
    .input(z.object({ conversationId: ZId, tags: ZTags }))
    .mutation(async ({ ctx, input }) => {
      const workspace = await requireWorkspace(ctx.db, ctx.user.id);
      const tags = [...new Set(input.tags)];
      const changed = await setConversationTags(ctx.db, {
        workspaceId: workspace.id,
        conversationId: input.conversationId,
        tags,
      });
      if (!changed) throw conversationNotFound();
      return { conversationId: input.conversationId, tags };
    }),

  /** Minutes the assistant saved the owner, summed over the matching conversations. */
  timeSaved: protectedProcedure.input(ZConversationFilters).query(async ({ ctx, input }) => {
    const workspace = await requireWorkspace(ctx.db, ctx.user.id);
    return sumTimeSaved(ctx.db, { ...input, workspaceId: workspace.id });
  }),
} satisfies TRPCRouterRecord;
