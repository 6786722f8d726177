import { DomainError } from '@stepwise/core';
import { deleteGoal, getGoalView, listGoals, updateGoal } from '@stepwise/db';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { importGoal, ZGoalImport } from '../services/goals/goal-import.service.js';
import { ZGoal, ZGoalDeleted, ZGoalListPage, ZGoalView } from '../services/openapi/rest-schemas.js';
import { protectedProcedure } from '../trpc/init.js';
import { ZId } from './ids.js';

const notFound = () => new DomainError('NOT_FOUND', 'goal not found');

export const goalRouter = {
  /** The caller's goals, newest first, with task counts; pass `nextCursor` back as `cursor`. */
  list: protectedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/goals',
        tags: ['goals'],
        summary: 'List goals',
        protect: true,
      },
      response: ZGoalListPage,
    })
    .input(
      // Strict: every field is optional, so an unknown key is the only sign of a wrong call.
      z.strictObject({
        status: z.enum(['generating', 'active', 'completed', 'archived', 'failed']).optional(),
        limit: z.number().int().min(1).max(100).default(20),
        cursor: z.string().max(500).nullish(),
      }),
    )
    .query(({ ctx, input }) => listGoals(ctx.db, { userId: ctx.user.id, ...input })),

  /**
   * The goal with its current plan version and its tasks. The plan's snapshot (weeks, themes,
   * days) comes only with `withSnapshot: true`; `plan.weeks` and `plan.week` serve it by parts.
   */
  get: protectedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/goals/{goalId}',
        tags: ['goals'],
        summary: 'A goal with its current plan and tasks',
        protect: true,
      },
      response: ZGoalView,
    })
    .input(z.object({ goalId: ZId, withSnapshot: z.boolean().default(false) }))
    .query(async ({ ctx, input }) => {
      const goal = await getGoalView(ctx.db, { userId: ctx.user.id, ...input });
      if (!goal) throw notFound();
      return goal;
    }),

  /**
   * Stores a goal with its dated tasks (e.g. from another app) in one call: the goal, version
   * 1 of its plan (source `imported`, weeks counted from `startDate`) and its tasks.
   */
  import: protectedProcedure
    .input(ZGoalImport)
    .mutation(({ ctx, input }) => importGoal(ctx.db, { userId: ctx.user.id, ...input })),

  /** Renames a goal and/or sets its status (CONFLICT while it is generating or failed). */
  update: protectedProcedure
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/goals/{goalId}',
        tags: ['goals'],
        summary: 'Rename a goal or set its status',
        protect: true,
      },
      response: ZGoal,
    })
    .input(
      z
        .object({
          goalId: ZId,
          title: z.string().trim().min(1).max(200).optional(),
          status: z.enum(['active', 'completed', 'archived']).optional(),
        })
        .refine((v) => v.title !== undefined || v.status !== undefined, {
          message: 'give a title or a status',
        }),
    )
    .mutation(async ({ ctx, input }) => {
      const goal = await updateGoal(ctx.db, { userId: ctx.user.id, ...input });
      if (!goal) throw notFound();
      return goal;
    }),

  /** Deletes the goal with its plan versions, tasks, generations and conversations. */
  delete: protectedProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/goals/{goalId}',
        tags: ['goals'],
        summary: 'Delete a goal with its plans, tasks and conversations',
        protect: true,
      },
      response: ZGoalDeleted,
    })
    .input(z.object({ goalId: ZId }))
    .mutation(async ({ ctx, input }) => {
      if (!(await deleteGoal(ctx.db, { userId: ctx.user.id, goalId: input.goalId }))) {
        throw notFound();
      }
      return { goalId: input.goalId };
    }),
} satisfies TRPCRouterRecord;
