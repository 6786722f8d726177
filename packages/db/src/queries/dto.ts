import { asPlainJson } from '@stepwise/core';
import type { EmailStatus, GoalStatus, PlanVersionSource } from '../schema.js';

export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface GoalDto {
  id: string;
  title: string;
  status: GoalStatus;
  requirements: Record<string, unknown>;
  failure: { code: string; message: string } | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface PlanVersionDto {
  id: string;
  goalId: string;
  version: number;
  isCurrent: boolean;
  source: PlanVersionSource;
  title: string;
  summary: string;
  /** The snapshot as validated: `{ title, summary, weeks: [{ week, theme, days: [...] }] }`. */
  plan: Record<string, unknown>;
  generationId: string | null;
  createdAt: Date;
}

export interface TaskDto {
  id: string;
  goalId: string | null;
  planVersionId: string | null;
  taskKey: string | null;
  week: number | null;
  day: number | null;
  title: string;
  notes: string;
  category: string | null;
  effortMinutes: number | null;
  priority: Priority;
  tags: string[];
  startDate: string | null;
  dueDate: string | null;
  /**
   * Time of day on the due date, in the person's time zone: 'HH:MM', or 'HH:MM:SS' when the
   * seconds are not zero. Null: due some time that day.
   */
  dueTime: string | null;
  /** Minutes before the due moment to remind (needs a due time); null: no reminder. */
  reminderMinutes: number | null;
  recurrence: string | null;
  completedAt: Date | null;
  position: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A plan version without its snapshot: what a goal view shows beside the tasks. */
export type PlanVersionSummaryDto = Omit<PlanVersionDto, 'plan' | 'goalId' | 'isCurrent'>;

/**
 * A task as a goal view lists it: the goal, plan version and task key it shares with every
 * other task of the view, and its bookkeeping timestamps, are left out.
 */
export type GoalTaskDto = Omit<
  TaskDto,
  'goalId' | 'planVersionId' | 'taskKey' | 'createdAt' | 'updatedAt'
>;

/**
 * A `time` column ('14:30:00', '07:05:09.5') as tasks answer it: 'HH:MM', or 'HH:MM:SS' when
 * the seconds are not zero (fractions of a second dropped).
 *
 * @example
 * formatDueTime('14:30:00'); // '14:30'
 * formatDueTime('07:05:09'); // '07:05:09'
 */
export function formatDueTime(value: string): string {
  const seconds = value.slice(6, 8);
  return seconds === '00' || seconds === '' ? value.slice(0, 5) : value.slice(0, 8);
}

const date = (value: Date | string) => (value instanceof Date ? value : new Date(value));
const dateOrNull = (value: Date | string | null) => (value === null ? null : date(value));

/** Rows may come straight from a table or from json aggregation (timestamps as strings). */
export function toGoalDto(row: {
  id: string;
  title: string;
  status: GoalStatus;
  requirements: Record<string, unknown>;
  failure_code: string | null;
  failure_message: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}): GoalDto {
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    requirements: asPlainJson(row.requirements),
    failure: row.failure_code
      ? { code: row.failure_code, message: row.failure_message ?? '' }
      : null,
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

export function toPlanVersionDto(row: {
  id: string;
  goal_id: string;
  version: number;
  is_current: boolean;
  source: PlanVersionSource;
  title: string;
  summary: string;
  plan: Record<string, unknown>;
  generation_id: string | null;
  created_at: Date | string;
}): PlanVersionDto {
  return {
    id: row.id,
    goalId: row.goal_id,
    version: row.version,
    isCurrent: row.is_current,
    source: row.source,
    title: row.title,
    summary: row.summary,
    plan: asPlainJson(row.plan),
    generationId: row.generation_id,
    createdAt: date(row.created_at),
  };
}

export function toTaskDto(
  row: GoalTaskRow & {
    goal_id: string | null;
    plan_version_id: string | null;
    task_key: string | null;
    created_at: Date | string;
    updated_at: Date | string;
  },
): TaskDto {
  return {
    ...toGoalTaskDto(row),
    goalId: row.goal_id,
    planVersionId: row.plan_version_id,
    taskKey: row.task_key,
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

/** The task columns a goal view reads. */
interface GoalTaskRow {
  id: string;
  week: number | null;
  day: number | null;
  title: string;
  notes: string;
  category: string | null;
  effort_minutes: number | null;
  priority: number;
  tags: string[];
  start_date: string | null;
  due_date: string | null;
  due_time: string | null;
  reminder_minutes: number | null;
  recurrence: string | null;
  completed_at: Date | string | null;
  position: number;
}

export function toGoalTaskDto(row: GoalTaskRow): GoalTaskDto {
  return {
    id: row.id,
    week: row.week,
    day: row.day,
    title: row.title,
    notes: row.notes,
    category: row.category,
    effortMinutes: row.effort_minutes,
    priority: PRIORITIES[row.priority] ?? 'medium',
    tags: row.tags,
    startDate: row.start_date,
    dueDate: row.due_date,
    dueTime: row.due_time === null ? null : formatDueTime(row.due_time),
    reminderMinutes: row.reminder_minutes,
    recurrence: row.recurrence,
    completedAt: dateOrNull(row.completed_at),
    position: row.position,
  };
}

/** What `notification.list` answers for each notification. */
export interface NotificationDto {
  id: string;
  /** 'reminder' for a task reminder. */
  kind: string;
  title: string;
  body: string;
  taskId: string | null;
  /** Kind-specific details; a reminder: `{ taskId, dueAt, dueDate, dueTime, timezone }`. */
  data: Record<string, unknown>;
  readAt: Date | null;
  emailStatus: EmailStatus;
  createdAt: Date;
}

export function toNotificationDto(row: {
  id: string;
  kind: string;
  title: string;
  body: string;
  task_id: string | null;
  data: Record<string, unknown>;
  read_at: Date | string | null;
  email_status: EmailStatus;
  created_at: Date | string;
}): NotificationDto {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    taskId: row.task_id,
    data: asPlainJson(row.data),
    readAt: dateOrNull(row.read_at),
    emailStatus: row.email_status,
    createdAt: date(row.created_at),
  };
}
