import {
  deleteWebhook,
  listWebhookDeliveries,
  listWebhooks,
  updateWebhook,
  WEBHOOK_EVENT_FILTERS,
} from '@stepwise/db';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import {
  createWebhook,
  pingWebhook,
  redeliverWebhook,
  rotateWebhookSecret,
  webhookNotFound,
} from '../services/webhooks/webhook.service.js';
import { protectedProcedure } from '../trpc/init.js';
import { ZId } from './ids.js';

/**
 * An http(s) URL, normalised (`HTTPS://Example.com` is stored as `https://example.com/`),
 * without credentials in it (they would be stored and logged in clear).
 */
const ZWebhookUrl = z
  .url({ protocol: /^https?$/, hostname: z.regexes.hostname })
  .transform((url) => new URL(url))
  .refine((url) => url.username === '' && url.password === '', 'no user name or password')
  .transform((url) => url.href)
  .pipe(z.string().max(2000));

/** Event types ('task.completed'), an entity's types ('task.*'), or all of them ('*'). */
const ZEventTypes = z.array(z.enum(WEBHOOK_EVENT_FILTERS)).min(1).max(50);
const ZDescription = z.string().trim().max(500);
const ZWebhookInput = z.object({ webhookId: ZId });

export const webhookRouter = {
  /** Registers an endpoint; the answer holds its signing `secret`, shown in full only here. */
  create: protectedProcedure
    .input(
      z.object({
        url: ZWebhookUrl,
        eventTypes: ZEventTypes,
        description: ZDescription.default(''),
      }),
    )
    .mutation(({ ctx, input }) => createWebhook(ctx.db, { userId: ctx.user.id, ...input })),

  /** The caller's webhooks, oldest first, secrets masked. */
  list: protectedProcedure.query(({ ctx }) => listWebhooks(ctx.db, ctx.user.id)),

  /** Changes a webhook; turned on again (`active: true`), it skips what happened while off. */
  update: protectedProcedure
    .input(
      ZWebhookInput.extend({
        url: ZWebhookUrl.optional(),
        eventTypes: ZEventTypes.optional(),
        description: ZDescription.optional(),
        active: z.boolean().optional(),
      }).refine(({ webhookId: _, ...patch }) => Object.values(patch).some((v) => v !== undefined), {
        message: 'give a field to change',
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { webhookId, eventTypes, ...patch } = input;
      const webhook = await updateWebhook(ctx.db, {
        userId: ctx.user.id,
        webhookId,
        patch: { ...patch, eventTypes: eventTypes && [...new Set(eventTypes)] },
      });
      if (!webhook) throw webhookNotFound();
      return webhook;
    }),

  /** Deletes a webhook and its delivery log. */
  delete: protectedProcedure.input(ZWebhookInput).mutation(async ({ ctx, input }) => {
    if (!(await deleteWebhook(ctx.db, { userId: ctx.user.id, ...input }))) throw webhookNotFound();
    return { webhookId: input.webhookId };
  }),

  /** A new signing secret, in full; the old one stops working at once. */
  rotateSecret: protectedProcedure
    .input(ZWebhookInput)
    .mutation(({ ctx, input }) => rotateWebhookSecret(ctx.db, { userId: ctx.user.id, ...input })),

  /** The delivery log, newest first, each with its attempts; pass `nextCursor` as `cursor`. */
  deliveries: protectedProcedure
    .input(
      ZWebhookInput.extend({
        status: z.enum(['pending', 'succeeded', 'failed']).optional(),
        limit: z.number().int().min(1).max(100).default(20),
        cursor: z.string().max(500).nullish(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const page = await listWebhookDeliveries(ctx.db, { userId: ctx.user.id, ...input });
      if (!page) throw webhookNotFound();
      return page;
    }),

  /** Sends a delivery again now, whatever its status; answers it, pending. */
  redeliver: protectedProcedure
    .input(z.object({ deliveryId: ZId }))
    .mutation(({ ctx, input }) => redeliverWebhook(ctx.db, { userId: ctx.user.id, ...input })),

  /** Sends a signed 'ping' through the delivery path; answers its delivery, pending. */
  test: protectedProcedure
    .input(ZWebhookInput)
    .mutation(({ ctx, input }) => pingWebhook(ctx.db, { userId: ctx.user.id, ...input })),
} satisfies TRPCRouterRecord;
