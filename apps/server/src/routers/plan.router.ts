import { ZPlanRequest } from '@stepwise/ai/schema';
import { type TRPCRouterRecord, tracked } from '@trpc/server';
import { z } from 'zod';
import { openGenerationStream } from '../services/events/open-generation-stream.js';
import {
  ZCancelled,
  ZGenerationStarted,
  ZRevisionStarted,
} from '../services/openapi/rest-schemas.js';
import { PLAN_TERMINAL_TYPES, type PlanProgressEvent } from '../services/plans/plan-events.js';
import {
  cancelGeneration,
  startPlanGeneration,
} from '../services/plans/plan-generation.service.js';
import { startPlanRevision } from '../services/plans/plan-revision.service.js';
import { protectedProcedure } from '../trpc/init.js';
import { ZGenerationStreamInput, ZId } from './ids.js';
import { planViewProcedures } from './plan-views.procedures.js';

export const planRouter = {
  /** Starts a generation and answers at once; watch it with `plan.progress`. */
  generate: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/plans',
        tags: ['plans'],
        summary: 'Start generating a plan for a new goal',
        protect: true,
      },
      response: ZGenerationStarted,
    })
    .input(ZPlanRequest)
    .mutation(({ ctx, input }) =>
      startPlanGeneration(ctx, { userId: ctx.user.id, request: input }),
    ),

  /**
   * The generation's events as `tracked(id, event)`: the stored history after `lastEventId`,
   * then live ones; ends after `completed` or `failed`. Reconnects resume from the last id.
   */
  progress: protectedProcedure
    .input(ZGenerationStreamInput)
    .subscription(async ({ ctx, input, signal }) => {
      const events = await openGenerationStream(ctx, {
        ...input,
        userId: ctx.user.id,
        kinds: ['plan', 'revision'],
        terminalTypes: PLAN_TERMINAL_TYPES,
        signal,
      });
      return (async function* () {
        for await (const event of events) yield tracked(event.id, event.data as PlanProgressEvent);
      })();
    }),

  /** Revises the current plan by instructions; watch it with `plan.progress`. Progress is kept. */
  revise: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/goals/{goalId}/revise',
        tags: ['plans'],
        summary: "Start revising a goal's plan by instructions",
        protect: true,
      },
      response: ZRevisionStarted,
    })
    .input(z.object({ goalId: ZId, instructions: z.string().trim().min(3).max(2_000) }))
    .mutation(({ ctx, input }) =>
      startPlanRevision(ctx, { userId: ctx.user.id, ...input, enqueue: true }),
    ),

  cancel: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/generations/{generationId}/cancel',
        tags: ['plans'],
        summary: 'Cancel a plan generation or revision',
        protect: true,
      },
      response: ZCancelled,
    })
    .input(z.object({ generationId: ZId }))
    .mutation(({ ctx, input }) =>
      cancelGeneration(ctx, { userId: ctx.user.id, generationId: input.generationId }),
    ),

  ...planViewProcedures,
} satisfies TRPCRouterRecord;
