import { addDays } from '@stepwise/ai/schema';
import { DomainError } from '@stepwise/core';
import {
  type Database,
  getTaskStats,
  insertNextOccurrence,
  type Kysely,
  setTaskCompleted,
  type TaskDto,
} from '@stepwise/db';
import { userToday } from './local-date.js';
import { nextOccurrenceDates } from './recurrence.js';

/**
 * Marks a task done or open. Completing a task with a recurrence creates its next occurrence
 * in the same transaction (due on the rule's next date after the current due date, or after
 * the person's local today when it had none), at most once per task however often it is
 * completed. The next occurrence keeps the due time and reminder.
 */
export async function setTaskComplete(
  db: Kysely<Database>,
  input: { userId: string; taskId: string; completed: boolean; now?: Date },
): Promise<{ task: TaskDto; next: TaskDto | null }> {
  // The common case, a task that does not recur, is one statement without a transaction.
  const simple = await setTaskCompleted(db, { ...input, onlyIfNotRecurring: true });
  if (simple) return { task: simple.task, next: null };
  return db.transaction().execute(async (trx) => {
    const result = await setTaskCompleted(trx, input);
    if (!result) throw new DomainError('NOT_FOUND', 'task not found');
    const { task } = result;
    if (!input.completed || !task.recurrence) return { task, next: null };
    // Only a recurring task without a due date counts from today: only then read the zone.
    const today = task.dueDate ?? (await userToday(trx, input.userId, input.now));
    const dates = nextOccurrenceDates(
      { recurrence: task.recurrence, dueDate: task.dueDate, startDate: task.startDate },
      today,
    );
    if (!dates) return { task, next: null };
    const next = await insertNextOccurrence(trx, { parentId: task.id, ...dates });
    return { task, next };
  });
}

/** Completions over this many days (today included) set the pace of the forecast. */
export const PACE_WINDOW_DAYS = 14;

export interface TaskStats {
  /** The person's local date the counts were made on. */
  today: string;
  total: number;
  done: number;
  open: number;
  overdue: number;
  /** done / total × 100, one decimal; 0 without tasks. */
  completionPercent: number;
  weeks: {
    week: number | null;
    startDate: string | null;
    endDate: string | null;
    taskCount: number;
    doneCount: number;
    plannedMinutes: number;
    doneMinutes: number;
  }[];
  pace: { windowDays: number; doneInWindow: number; tasksPerDay: number };
  /**
   * When the open tasks will be done at the recent pace:
   * `today + ceil(open / (doneInWindow / windowDays))` days. The last completion date when
   * nothing is open; null when nothing was completed in the window (no pace to project).
   */
  forecastFinishDate: string | null;
}

/**
 * Progress of one goal (weeks are plan weeks) or of all the caller's tasks (weeks are
 * calendar weeks, Monday first, of the due dates). "Today", overdue and the pace window are
 * the person's, in their time zone, at `now` (default: the current instant). NOT_FOUND for
 * someone else's goal.
 */
export async function getStats(
  db: Kysely<Database>,
  input: { userId: string; goalId?: string; now?: Date },
): Promise<TaskStats> {
  const row = await getTaskStats(db, {
    userId: input.userId,
    goalId: input.goalId,
    now: input.now ?? new Date(),
    paceDays: PACE_WINDOW_DAYS,
  });
  if (!row) throw new DomainError('NOT_FOUND', 'goal not found');
  const { today } = row;
  const tasksPerDay = row.recentDone / PACE_WINDOW_DAYS;
  let forecastFinishDate: string | null = null;
  if (row.open === 0) forecastFinishDate = row.lastCompletedOn;
  else if (tasksPerDay > 0) forecastFinishDate = addDays(today, Math.ceil(row.open / tasksPerDay));
  return {
    today,
    total: row.total,
    done: row.done,
    open: row.open,
    overdue: row.overdue,
    completionPercent: row.total === 0 ? 0 : Math.round((row.done / row.total) * 1000) / 10,
    weeks: row.weeks,
    pace: {
      windowDays: PACE_WINDOW_DAYS,
      doneInWindow: row.recentDone,
      tasksPerDay: Math.round(tasksPerDay * 1000) / 1000,
    },
    forecastFinishDate,
  };
}
