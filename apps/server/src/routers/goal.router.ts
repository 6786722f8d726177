import { DomainError } from '@stepwise/core';
import { getGoalWithPlan } from '@stepwise/db';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { protectedProcedure } from '../trpc/init.js';
import { ZId } from './ids.js';

export const goalRouter = {
  /** The goal with its current plan version and that version's tasks. */
  get: protectedProcedure.input(z.object({ goalId: ZId })).query(async ({ ctx, input }) => {
    const goal = await getGoalWithPlan(ctx.db, { userId: ctx.user.id, goalId: input.goalId });
    if (!goal) throw new DomainError('NOT_FOUND', 'goal not found');
    return goal;
  }),
} satisfies TRPCRouterRecord;
