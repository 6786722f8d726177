import { DomainError } from '@stepwise/core';
import { listPlanVersions } from '@stepwise/db';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { diffPlanVersions, restorePlanVersion } from '../services/goals/plan-versions.service.js';
import { getPlanWeek, getPlanWeeks } from '../services/goals/plan-views.service.js';
import {
  ZPlanDiff,
  ZPlanVersionList,
  ZPlanWeekList,
  ZPlanWeekView,
  ZSavedPlan,
} from '../services/openapi/rest-schemas.js';
import { protectedProcedure } from '../trpc/init.js';
import { ZId } from './ids.js';

const ZWeek = z.number().int().min(1).max(520);
const ZVersion = z.number().int().min(1);

/** The roadmap views and version history of a goal's plan; spread into `planRouter`. */
export const planViewProcedures = {
  /** Per week: number, theme, date range, task and completed counts, effort. */
  weeks: protectedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/goals/{goalId}/weeks',
        tags: ['plans'],
        summary: "The weeks of a goal's plan with their progress",
        protect: true,
      },
      response: ZPlanWeekList,
    })
    .input(z.object({ goalId: ZId }))
    .query(({ ctx, input }) => getPlanWeeks(ctx.db, { userId: ctx.user.id, ...input })),

  /** One week's seven days with their tasks. */
  week: protectedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/goals/{goalId}/weeks/{week}',
        tags: ['plans'],
        summary: 'One week of a plan, day by day, with its tasks',
        protect: true,
      },
      response: ZPlanWeekView,
    })
    .input(z.object({ goalId: ZId, week: ZWeek }))
    .query(({ ctx, input }) => getPlanWeek(ctx.db, { userId: ctx.user.id, ...input })),

  /** The goal's plan versions, newest first, without their snapshots. */
  versions: protectedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/goals/{goalId}/versions',
        tags: ['plans'],
        summary: "The versions of a goal's plan, newest first",
        protect: true,
      },
      response: ZPlanVersionList,
    })
    .input(z.object({ goalId: ZId }))
    .query(async ({ ctx, input }) => {
      const versions = await listPlanVersions(ctx.db, { userId: ctx.user.id, ...input });
      if (!versions) throw new DomainError('NOT_FOUND', 'goal not found');
      return versions;
    }),

  /** Tasks added, removed and changed from version `from` to `to`, grouped by week. */
  diff: protectedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/goals/{goalId}/diff',
        tags: ['plans'],
        summary: 'What changed between two plan versions',
        protect: true,
      },
      response: ZPlanDiff,
    })
    .input(z.object({ goalId: ZId, from: ZVersion, to: ZVersion }))
    .query(({ ctx, input }) => diffPlanVersions(ctx.db, { userId: ctx.user.id, ...input })),

  /** A new current version (source `restored`) from an old one's snapshot; progress is kept. */
  restore: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/goals/{goalId}/versions/{version}/restore',
        tags: ['plans'],
        summary: 'Make an old plan version current again',
        protect: true,
      },
      response: ZSavedPlan,
    })
    .input(z.object({ goalId: ZId, version: ZVersion }))
    .mutation(({ ctx, input }) => restorePlanVersion(ctx.db, { userId: ctx.user.id, ...input })),
} satisfies TRPCRouterRecord;
