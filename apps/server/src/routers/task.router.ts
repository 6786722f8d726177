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
import {
  ZTask,
  ZTaskCompletion,
  ZTaskDeleted,
  ZTaskPage,
  ZTaskStats,
} from '../services/openapi/rest-schemas.js';
import { ZRecurrence } from '../services/tasks/recurrence.js';
import { getStats, setTaskComplete } from '../services/tasks/task.service.js';
import { protectedProcedure } from '../trpc/init.js';
import { ZId } from './ids.js';

const ZDate = z.iso.date();
/** A time of day, 24 h: 'HH:MM' or 'HH:MM:SS'. */
const ZTimeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, "'HH:MM' or 'HH:MM:SS'");
const ZPriority = z.enum(PRIORITIES);
const ZTag = z.string().trim().min(1).max(40);

/** Every field a task can be created with; all of them but the title are optional. */
export const ZTaskFields = z.object({
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
  /** Local to the person's time zone; needs a due date. */
  dueTime: ZTimeOfDay.nullable(),
  /** Before the due moment; at most 4 weeks (40,320 min); null: no reminder. Default 30. */
  reminderMinutes: z
    .number()
    .int()
    .min(0)
    .max(28 * 24 * 60)
    .nullable(),
  recurrence: ZRecurrence.nullable(),
  week: z.number().int().min(1).max(520).nullable(),
  day: z.number().int().min(1).max(7).nullable(),
  position: z.number().int().min(0).max(1_000_000),
});

const notFound = () => new DomainError('NOT_FOUND', 'task not found');

const DUE_TIME_NEEDS_DATE = 'a due time needs a due date';

/** A new task: a due time needs a due date in the same call. */
const ZCreateTask = ZTaskFields.partial()
  .extend({ title: ZTaskFields.shape.title, goalId: ZId.nullish() })
  .refine((task) => task.dueTime == null || task.dueDate != null, {
    path: ['dueTime'],
    message: DUE_TIME_NEEDS_DATE,
  });

/**
 * A change: a due time cannot come with clearing the due date (without a due date in the
 * call, the stored one must exist: the database checks that).
 */
const ZUpdateTask = ZTaskFields.partial()
  .extend({ taskId: ZId })
  .refine((task) => task.dueTime == null || task.dueDate !== null, {
    path: ['dueTime'],
    message: DUE_TIME_NEEDS_DATE,
  });

export const taskRouter = {
  /** Filtered, sorted, keyset-paginated: pass `nextCursor` back as `cursor` for the next page. */
  list: protectedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/tasks',
        tags: ['tasks'],
        summary: 'List tasks',
        protect: true,
      },
      response: ZTaskPage,
    })
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
        due: z
          .enum(['today', 'overdue'])
          .optional()
          .describe("on the caller's clock: due today, or open and past due"),
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

  get: protectedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/tasks/{taskId}',
        tags: ['tasks'],
        summary: 'A task',
        protect: true,
      },
      response: ZTask,
    })
    .input(z.object({ taskId: ZId }))
    .query(async ({ ctx, input }) => {
      const task = await getTask(ctx.db, { userId: ctx.user.id, taskId: input.taskId });
      if (!task) throw notFound();
      return task;
    }),

  /**
   * A standalone task, or one in a goal of the caller's (`goalId`). With a due date and time
   * it gets a reminder `reminderMinutes` (default 30) before, scheduled by the database.
   */
  create: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/tasks',
        tags: ['tasks'],
        summary: 'Create a task',
        protect: true,
      },
      response: ZTask,
    })
    .input(ZCreateTask)
    .mutation(({ ctx, input }) => insertTask(ctx.db, { ...input, userId: ctx.user.id })),

  /** Changes the given fields; clearing `dueDate` clears `dueTime`; reminders follow. */
  update: protectedProcedure
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/tasks/{taskId}',
        tags: ['tasks'],
        summary: 'Change a task',
        protect: true,
      },
      response: ZTask,
    })
    .input(ZUpdateTask)
    .mutation(async ({ ctx, input }) => {
      const { taskId, ...fields } = input;
      const task = await updateTask(ctx.db, { userId: ctx.user.id, taskId, fields });
      if (!task) throw notFound();
      return task;
    }),

  delete: protectedProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/tasks/{taskId}',
        tags: ['tasks'],
        summary: 'Delete a task',
        protect: true,
      },
      response: ZTaskDeleted,
    })
    .input(z.object({ taskId: ZId }))
    .mutation(async ({ ctx, input }) => {
      if (!(await deleteTask(ctx.db, { userId: ctx.user.id, taskId: input.taskId }))) {
        throw notFound();
      }
      return { taskId: input.taskId };
    }),

  /** Done or open again; completing a recurring task returns its next occurrence as `next`. */
  setComplete: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/tasks/{taskId}/complete',
        tags: ['tasks'],
        summary: 'Complete or reopen a task',
        protect: true,
      },
      response: ZTaskCompletion,
    })
    .input(z.object({ taskId: ZId, completed: z.boolean() }))
    .mutation(({ ctx, input }) => setTaskComplete(ctx.db, { userId: ctx.user.id, ...input })),

  /** Completion, overdue count, effort by week and a forecast finish date (see `getStats`). */
  stats: protectedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/task-stats',
        tags: ['tasks'],
        summary: 'Task statistics',
        protect: true,
      },
      response: ZTaskStats,
    })
    .input(z.object({ goalId: ZId.optional() }))
    .query(({ ctx, input }) => getStats(ctx.db, { userId: ctx.user.id, goalId: input.goalId })),
} satisfies TRPCRouterRecord;
