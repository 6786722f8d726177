import {
  type ConversationDto,
  type GoalDto,
  type GoalListItem,
  type GoalStatus,
  type GoalTaskDto,
  type GoalView,
  type MessageDto,
  type MessageRole,
  type MessageStatus,
  type Page,
  type PlanVersionDto,
  type PlanVersionSource,
  type PlanVersionSummary,
  PRIORITIES,
  type TaskDto,
} from '@stepwise/db';
import { z } from 'zod';
import type { Profile } from '../auth/auth.service.js';
import type { SendResult } from '../chat/chat-send.service.js';
import type { DiffField, DiffTask, PlanDiff } from '../goals/plan-diff.js';
import type { PlanWeekSummary, PlanWeekView } from '../goals/plan-views.service.js';
import type { TaskStats } from '../tasks/task.service.js';

// The answers of the procedures in the REST view (`meta.response`, see RestMeta), as the
// OpenAPI document describes them. Each is checked at compile time to describe its DTO exactly,
// and `rest-schemas.test.ts` checks each against what its procedure really answers.

/** A timestamp: a Date over tRPC (superjson), an ISO 8601 string in REST JSON. */
const ZTimestamp = z.date().meta({ override: { type: 'string', format: 'date-time' } });
/** A calendar date, 'YYYY-MM-DD'. */
const ZDay = z.string().meta({ format: 'date' });
const ZCount = z.number().int();

/**
 * `schema`, checked to describe exactly `T`: its output is a `T`, and a `T` is its output (so a
 * field added to a DTO and not to its schema fails to compile).
 */
const describes =
  <T>() =>
  <S extends z.ZodType<T>>(schema: S & ([T] extends [z.output<S>] ? unknown : never)): S =>
    schema;

/** A `z.enum` of every member of the union `T`: leaving one out fails to compile. */
const enumOf =
  <T extends string>() =>
  <const V extends readonly [T, ...T[]]>(
    values: V & ([Exclude<T, V[number]>] extends [never] ? unknown : never),
  ) =>
    z.enum(values);

export const ZPage = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: 'pass back as `cursor`; null at the end' }),
  });

export const ZGoal = describes<GoalDto>()(
  z
    .object({
      id: z.string(),
      title: z.string(),
      status: enumOf<GoalStatus>()(['generating', 'active', 'completed', 'archived', 'failed']),
      requirements: z.record(z.string(), z.unknown()),
      failure: z.object({ code: z.string(), message: z.string() }).nullable(),
      createdAt: ZTimestamp,
      updatedAt: ZTimestamp,
    })
    .meta({ id: 'Goal' }),
);

export const ZGoalListItem = describes<GoalListItem>()(
  ZGoal.extend({ taskCount: ZCount, completedCount: ZCount }).meta({
    id: 'GoalListItem',
  }),
);

export const ZGoalListPage = describes<Page<GoalListItem>>()(ZPage(ZGoalListItem));

export const ZGoalTask = describes<GoalTaskDto>()(
  z
    .object({
      id: z.string(),
      week: ZCount.nullable(),
      day: ZCount.nullable(),
      title: z.string(),
      notes: z.string(),
      category: z.string().nullable(),
      effortMinutes: ZCount.nullable(),
      priority: z.enum(PRIORITIES),
      tags: z.array(z.string()),
      startDate: ZDay.nullable(),
      dueDate: ZDay.nullable(),
      dueTime: z.string().nullable().meta({ description: "'HH:MM' in the person's time zone" }),
      reminderMinutes: ZCount.nullable(),
      recurrence: z.string().nullable(),
      completedAt: ZTimestamp.nullable(),
      position: ZCount,
    })
    .meta({ id: 'GoalTask' }),
);

export const ZTask = describes<TaskDto>()(
  ZGoalTask.extend({
    goalId: z.string().nullable(),
    planVersionId: z.string().nullable(),
    taskKey: z.string().nullable(),
    createdAt: ZTimestamp,
    updatedAt: ZTimestamp,
  }).meta({ id: 'Task' }),
);

/** A plan snapshot: `{ title, summary, weeks: [{ week, theme, days: [{ day, date, tasks }] }] }`. */
const ZPlanSnapshot = z.record(z.string(), z.unknown()).meta({ id: 'PlanSnapshot' });
const ZPlanSource = enumOf<PlanVersionSource>()([
  'generated',
  'revised',
  'restored',
  'edited',
  'imported',
]);

export const ZGoalView = describes<GoalView>()(
  ZGoal.extend({
    plan: z
      .object({
        id: z.string(),
        version: ZCount,
        source: ZPlanSource,
        title: z.string(),
        summary: z.string(),
        generationId: z.string().nullable(),
        createdAt: ZTimestamp,
        plan: ZPlanSnapshot.optional().meta({ description: 'only with `withSnapshot`' }),
      })
      .nullable(),
    tasks: z.array(ZGoalTask),
  }).meta({ id: 'GoalView' }),
);

export const ZGoalDeleted = z.object({ goalId: z.string() });

export const ZPlanVersion = describes<PlanVersionDto>()(
  z
    .object({
      id: z.string(),
      goalId: z.string(),
      version: ZCount,
      isCurrent: z.boolean(),
      source: ZPlanSource,
      title: z.string(),
      summary: z.string(),
      plan: ZPlanSnapshot,
      generationId: z.string().nullable(),
      createdAt: ZTimestamp,
    })
    .meta({ id: 'PlanVersion' }),
);

export const ZPlanVersionSummary = describes<PlanVersionSummary>()(
  ZPlanVersion.omit({ goalId: true, plan: true }).meta({
    id: 'PlanVersionSummary',
  }),
);

export const ZSavedPlan = describes<{ planVersion: PlanVersionDto; tasks: TaskDto[] }>()(
  z.object({
    planVersion: ZPlanVersion,
    tasks: z.array(ZTask),
  }),
);

export const ZPlanWeekSummary = describes<PlanWeekSummary>()(
  z
    .object({
      week: ZCount,
      theme: z.string().nullable(),
      startDate: ZDay.nullable(),
      endDate: ZDay.nullable(),
      taskCount: ZCount,
      completedCount: ZCount,
      effortMinutes: ZCount,
      completedMinutes: ZCount,
    })
    .meta({ id: 'PlanWeekSummary' }),
);

export const ZPlanWeekView = describes<PlanWeekView>()(
  z
    .object({
      week: ZCount,
      theme: z.string().nullable(),
      startDate: ZDay.nullable(),
      endDate: ZDay.nullable(),
      days: z.array(z.object({ day: ZCount, date: ZDay.nullable(), tasks: z.array(ZTask) })),
    })
    .meta({ id: 'PlanWeekView' }),
);

const ZDiffTask = describes<DiffTask>()(
  z
    .object({
      taskKey: z.string(),
      week: ZCount,
      day: ZCount,
      date: ZDay,
      title: z.string(),
      description: z.string(),
      effortMinutes: ZCount,
      category: z.string(),
    })
    .meta({ id: 'DiffTask' }),
);

export const ZPlanDiff = describes<PlanDiff & { from: number; to: number }>()(
  z
    .object({
      from: ZCount,
      to: ZCount,
      added: ZCount,
      removed: ZCount,
      changed: ZCount,
      weeks: z.array(
        z.object({
          week: ZCount,
          theme: z
            .object({ before: z.string().nullable(), after: z.string().nullable() })
            .nullable(),
          added: z.array(ZDiffTask),
          removed: z.array(ZDiffTask),
          changed: z.array(
            z.object({
              taskKey: z.string(),
              fields: z.array(
                enumOf<DiffField>()([
                  'title',
                  'description',
                  'effortMinutes',
                  'category',
                  'day',
                  'date',
                ]),
              ),
              before: ZDiffTask,
              after: ZDiffTask,
            }),
          ),
        }),
      ),
    })
    .meta({ id: 'PlanDiff' }),
);

export const ZGenerationStarted = z.object({ goalId: z.string(), generationId: z.string() });
export const ZRevisionStarted = z.object({ generationId: z.string() });
export const ZCancelled = z.object({ cancelled: z.boolean() });

export const ZChatSent = describes<SendResult>()(
  z.object({
    conversationId: z.string(),
    userMessageId: z.string(),
    assistantMessageId: z.string(),
    generationId: z.string(),
  }),
);

export const ZConversation = describes<ConversationDto>()(
  z
    .object({
      id: z.string(),
      goalId: z.string().nullable(),
      title: z.string(),
      summary: z.string(),
      createdAt: ZTimestamp,
      updatedAt: ZTimestamp,
    })
    .meta({ id: 'Conversation' }),
);

export const ZMessage = describes<MessageDto>()(
  z
    .object({
      id: z.string(),
      conversationId: z.string(),
      role: enumOf<MessageRole>()(['user', 'assistant']),
      content: z.string(),
      parts: z.array(z.unknown()).meta({ description: 'text, tool calls and tool results' }),
      scope: z.object({ week: ZCount.optional(), day: ZCount.optional() }).nullable(),
      status: enumOf<MessageStatus>()(['streaming', 'complete', 'stopped', 'error']),
      generationId: z.string().nullable(),
      createdAt: ZTimestamp,
    })
    .meta({ id: 'Message' }),
);

export const ZConversationPage = describes<Page<ConversationDto>>()(ZPage(ZConversation));

export const ZChatHistory = describes<Page<MessageDto> & { conversation: ConversationDto }>()(
  ZPage(ZMessage).extend({
    conversation: ZConversation,
  }),
);

export const ZPlanWeekList = describes<PlanWeekSummary[]>()(z.array(ZPlanWeekSummary));
export const ZPlanVersionList = describes<PlanVersionSummary[]>()(z.array(ZPlanVersionSummary));

export const ZTaskPage = describes<Page<TaskDto>>()(ZPage(ZTask));
export const ZTaskCompletion = describes<{ task: TaskDto; next: TaskDto | null }>()(
  z.object({
    task: ZTask,
    next: ZTask.nullable().meta({ description: "a recurring task's next occurrence" }),
  }),
);
export const ZTaskDeleted = z.object({ taskId: z.string() });

export const ZTaskStats = describes<TaskStats>()(
  z
    .object({
      today: ZDay.meta({ description: "the person's local date" }),
      total: ZCount,
      done: ZCount,
      open: ZCount,
      overdue: ZCount,
      completionPercent: z.number(),
      weeks: z.array(
        z.object({
          week: ZCount.nullable(),
          startDate: ZDay.nullable(),
          endDate: ZDay.nullable(),
          taskCount: ZCount,
          doneCount: ZCount,
          plannedMinutes: ZCount,
          doneMinutes: ZCount,
        }),
      ),
      pace: z.object({ windowDays: ZCount, doneInWindow: ZCount, tasksPerDay: z.number() }),
      forecastFinishDate: ZDay.nullable(),
    })
    .meta({ id: 'TaskStats' }),
);

export const ZProfile = describes<Profile>()(
  z
    .object({
      id: z.string(),
      email: z.string(),
      name: z.string(),
      timezone: z.string().meta({ description: "IANA time zone, e.g. 'Europe/Madrid'" }),
    })
    .meta({ id: 'Profile' }),
);
