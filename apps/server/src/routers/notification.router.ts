import { listNotifications, markNotificationsRead } from '@stepwise/db';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { protectedProcedure } from '../trpc/init.js';
import { ZId } from './ids.js';

export const notificationRouter = {
  /**
   * The caller's notifications, newest first, with `unreadCount` (all unread, not only this
   * page's). Pass `nextCursor` back as `cursor` for the next page. New ones also arrive
   * live through `sync.live` (entity 'notification').
   */
  list: protectedProcedure
    .input(
      z.strictObject({
        unreadOnly: z.boolean().default(false),
        limit: z.number().int().min(1).max(100).default(20),
        cursor: z.string().max(500).nullish(),
      }),
    )
    .query(({ ctx, input }) => listNotifications(ctx.db, { userId: ctx.user.id, ...input })),

  /** Marks the given notifications, or all, read; answers how many were unread and are now read. */
  markRead: protectedProcedure
    .input(
      z.union([
        z.strictObject({ ids: z.array(ZId).min(1).max(500) }),
        z.strictObject({ all: z.literal(true) }),
      ]),
    )
    .mutation(async ({ ctx, input }) => ({
      marked: await markNotificationsRead(ctx.db, { userId: ctx.user.id, ...input }),
    })),
} satisfies TRPCRouterRecord;
