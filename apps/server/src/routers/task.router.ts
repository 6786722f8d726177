import { DomainError } from '@stepwise/core';
import {
  deleteTask,
  getTask,
  insertTask,
  listTasks,
  PRIORITIES,
  TASK_SORTS,
  updateTask,
} from '@stepwise/db';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { ZRecurrence } from '../services/tasks/recurrence.js';
import { getStats, setTaskComplete } from '../services/tasks/task.service.js';
import { protectedProcedure } from '../trpc/init.js';
import { ZId } from './ids.js';

const ZDate = z.iso.date();
const ZPriority = z.enum(PRIORITIES);
const ZTag = z.string().trim().min(1).max(40);

/** Every field a task can be created with; all of them but the title are optional. */
const ZTaskFields = z.object({
  title: z.string().trim().min(1).max(200),
  notes: z.string().max(5000),
  category: z.string().trim().min(1).max(40).nullable(),
  effortMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .nullable(),
  priority: ZPriority,
  tags: z.array(ZTag).max(20),
  startDate: ZDate.nullable(),
  dueDate: ZDate.nullable(),
  recurrence: ZRecurrence.nullable(),
  week: z.number().int().min(1).max(520).nullable(),
  day: z.number().int().min(1).max(7).nullable(),
  position: z.number().int().min(0).max(1_000_000),
});

const notFound = () => new DomainError('NOT_FOUND', 'task not found');

export const taskRouter = {
  /** Filtered, sorted, keyset-paginated: pass `nextCursor` back as `cursor` for the next page. */
  list: protectedProcedure
    .input(
      z.object({
        goalId: ZId.nullish().describe('a goal; null for standalone tasks only'),
        status: z.enum(['open', 'done', 'all']).default('all'),
        priority: z.array(ZPriority).max(4).optional(),
        tagsAny: z.array(ZTag).max(20).optional(),
        tagsAll: z.array(ZTag).max(20).optional(),
        search: z.string().trim().max(200).optional(),
        dueFrom: ZDate.optional(),
        dueTo: ZDate.optional(),
        week: z.number().int().min(1).optional(),
        sort: z.enum(TASK_SORTS).default('due'),
        direction: z.enum(['asc', 'desc']).optional(),
        limit: z.number().int().min(1).max(100).default(50),
        cursor: z.string().max(500).nullish(),
      }),
    )
    .query(({ ctx, input }) => {
      const { sort, direction, limit, cursor, priority, ...filters } = input;
      return listTasks(ctx.db, {
        userId: ctx.user.id,
        filters: { ...filters, priorities: priority },
        sort,
        direction,
        limit,
        cursor,
      });
    }),

  get: protectedProcedure.input(z.object({ taskId: ZId })).query(async ({ ctx, input }) => {
    const task = await getTask(ctx.db, { userId: ctx.user.id, taskId: input.taskId });
    if (!task) throw notFound();
    return task;
  }),

  /** A standalone task, or one in a goal of the caller's (`goalId`). */
  create: protectedProcedure
    .input(ZTaskFields.partial().extend({ title: ZTaskFields.shape.title, goalId: ZId.nullish() }))
    .mutation(({ ctx, input }) => insertTask(ctx.db, { ...input, userId: ctx.user.id })),

  update: protectedProcedure
    .input(ZTaskFields.partial().extend({ taskId: ZId }))
    .mutation(async ({ ctx, input }) => {
      const { taskId, ...fields } = input;
      const task = await updateTask(ctx.db, { userId: ctx.user.id, taskId, fields });
      if (!task) throw notFound();
      return task;
    }),

  delete: protectedProcedure.input(z.object({ taskId: ZId })).mutation(async ({ ctx, input }) => {
    if (!(await deleteTask(ctx.db, { userId: ctx.user.id, taskId: input.taskId }))) {
      throw notFound();
    }
    return { taskId: input.taskId };
  }),

  /** Done or open again; completing a recurring task returns its next occurrence as `next`. */
  setComplete: protectedProcedure
    .input(z.object({ taskId: ZId, completed: z.boolean() }))
    .mutation(({ ctx, input }) => setTaskComplete(ctx.db, { userId: ctx.user.id, ...input })),

  /** Completion, overdue count, effort by week and a forecast finish date (see `getStats`). */
  stats: protectedProcedure
    .input(z.object({ goalId: ZId.optional() }))
    .query(({ ctx, input }) => getStats(ctx.db, { userId: ctx.user.id, goalId: input.goalId })),
} satisfies TRPCRouterRecord;
