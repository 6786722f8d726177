import { DomainError } from '@stepwise/core';
import { type Expression, type SqlBool, sql } from 'kysely';
import type { TaskUpdate } from '../schema.js';
import { PRIORITIES, type Priority, type TaskDto, toTaskDto } from './dto.js';
import { decodeCursor, encodeCursor, isGoalOwnedBy, type Page } from './goal-list.queries.js';
import { prepared } from './prepared.js';
import type { Db } from './stream-events.queries.js';

export const TASK_SORTS = ['due', 'priority', 'created', 'title', 'position'] as const;
export type TaskSort = (typeof TASK_SORTS)[number];
export type SortDirection = 'asc' | 'desc';

/**
 * Each sort's column, the SQL type its cursor value is cast back to, and its default
 * direction. Every sort is `(user_id, column, id)` in an index, so pages are index scans.
 */
const SORTS = {
  due: { column: 'due_date', cast: 'date', nullable: true, direction: 'asc' },
  priority: { column: 'priority', cast: 'smallint', nullable: false, direction: 'desc' },
  created: { column: 'created_at', cast: 'timestamptz', nullable: false, direction: 'desc' },
  title: { column: 'title', cast: 'text', nullable: false, direction: 'asc' },
  position: { column: 'position', cast: 'integer', nullable: false, direction: 'asc' },
} as const satisfies Record<
  TaskSort,
  { column: string; cast: string; nullable: boolean; direction: SortDirection }
>;

export interface TaskFilters {
  /** A goal's tasks; `null` for standalone tasks only. */
  goalId?: string | null;
  status?: 'open' | 'done' | 'all';
  /** Any of these priorities. */
  priorities?: Priority[];
  /** Tasks carrying at least one of these tags. */
  tagsAny?: string[];
  /** Tasks carrying every one of these tags. */
  tagsAll?: string[];
  /** Substring of title or notes, case-insensitive (trigram index). */
  search?: string;
  /** Inclusive due-date range, 'YYYY-MM-DD'. */
  dueFrom?: string;
  dueTo?: string;
  /** Plan week number. */
  week?: number;
  /**
   * By the person's own clock (their time zone): `today` is due today; `overdue` is open and
   * due before today, or today at a time of day already past.
   */
  due?: 'today' | 'overdue';
}

export const priorityRank = (priority: Priority): number => PRIORITIES.indexOf(priority);

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The person's wall-clock date and time at `now`, read in their time zone (a `timestamp`). */
const localNow = (userId: string, now: Date) =>
  sql`(${now}::timestamptz AT TIME ZONE (SELECT timezone FROM users WHERE id = ${userId}))`;

/** Open and due before the local date `today`, or on it at a time of day before `localTime`. */
const isOverdue = (today: Expression<unknown>, localTime: Expression<unknown>) =>
  sql<SqlBool>`(tasks.completed_at IS NULL AND (tasks.due_date < ${today}
    OR (tasks.due_date = ${today} AND tasks.due_time <= ${localTime})))`;

/**
 * The caller's tasks, filtered and sorted, with keyset pagination: the cursor holds the sort
 * key and id of the last row served, so rows inserted between pages never cause a duplicate
 * or a skip. Nulls (only `due`) come last ascending and first descending, as Postgres orders
 * them, so the `(user_id, due_date, id)` index serves both directions.
 *
 * @example
 * const page = await listTasks(db, { userId, filters: { status: 'open', tagsAny: ['run'] },
 *   sort: 'due', limit: 50 });
 */
export async function listTasks(
  db: Db,
  input: {
    userId: string;
    filters?: TaskFilters;
    sort?: TaskSort;
    direction?: SortDirection;
    limit: number;
    cursor?: string | null;
    /** The instant the `due` filter reads the person's clock at; default now. */
    now?: Date;
  },
): Promise<Page<TaskDto>> {
  const sort = input.sort ?? 'due';
  const spec = SORTS[sort];
  const direction = input.direction ?? spec.direction;
  const kind = `tasks:${sort}:${direction}`;
  const f = input.filters ?? {};
  const column = sql.ref(`tasks.${spec.column}`);

  let query = db
    .selectFrom('tasks')
    .selectAll('tasks')
    .select(sql<string | null>`${column}::text`.as('sort_value'))
    .where('tasks.user_id', '=', input.userId);
  if (f.goalId === null) query = query.where('tasks.goal_id', 'is', null);
  else if (f.goalId !== undefined) query = query.where('tasks.goal_id', '=', f.goalId);
  if (f.status === 'open') query = query.where('tasks.completed_at', 'is', null);
  if (f.status === 'done') query = query.where('tasks.completed_at', 'is not', null);
  if (f.priorities?.length)
    query = query.where('tasks.priority', 'in', f.priorities.map(priorityRank));
  if (f.tagsAny?.length) query = query.where(sql<SqlBool>`tasks.tags && ${f.tagsAny}::text[]`);
  if (f.tagsAll?.length) query = query.where(sql<SqlBool>`tasks.tags @> ${f.tagsAll}::text[]`);
  if (f.search?.trim()) {
    // The expression matches tasks_title_trgm_idx exactly, so the index can serve it.
    const pattern = `%${escapeLike(f.search.trim())}%`;
    query = query.where(sql<SqlBool>`(tasks.title || ' ' || tasks.notes) ILIKE ${pattern}`);
  }
  if (f.dueFrom) query = query.where('tasks.due_date', '>=', f.dueFrom);
  if (f.dueTo) query = query.where('tasks.due_date', '<=', f.dueTo);
  if (f.week !== undefined) query = query.where('tasks.week', '=', f.week);
  if (f.due) {
    const local = localNow(input.userId, input.now ?? new Date());
    const today = sql`${local}::date`;
    query = query.where(
      f.due === 'today'
        ? sql<SqlBool>`tasks.due_date = ${today}`
        : isOverdue(today, sql`${local}::time`),
    );
  }
  if (input.cursor) {
    const after = decodeCursor(kind, input.cursor);
    query = query.where(keysetAfter(spec, direction, after.value, after.id));
  }
  const rows = await query
    .orderBy(`tasks.${spec.column}`, direction)
    .orderBy('tasks.id', direction)
    .limit(input.limit + 1)
    .execute();
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ sort_value: _, ...row }) => toTaskDto(row)),
    nextCursor:
      rows.length > input.limit && last ? encodeCursor(kind, last.sort_value, last.id) : null,
  };
}

/** Rows strictly after `(value, id)` in the list's order. */
function keysetAfter(
  spec: (typeof SORTS)[TaskSort],
  direction: SortDirection,
  value: string | number | null,
  id: string,
): Expression<SqlBool> {
  const column = sql.ref(`tasks.${spec.column}`);
  const op = sql.raw(direction === 'asc' ? '>' : '<');
  const cursorId = sql`${id}::uuid`;
  if (value === null) {
    if (!spec.nullable) throw new DomainError('BAD_REQUEST', 'invalid cursor');
    // Null keys come last ascending (only nulls left after one) and first descending.
    return direction === 'asc'
      ? sql<SqlBool>`(${column} IS NULL AND tasks.id > ${cursorId})`
      : sql<SqlBool>`((${column} IS NULL AND tasks.id < ${cursorId}) OR ${column} IS NOT NULL)`;
  }
  const key = sql`${String(value)}::${sql.raw(spec.cast)}`;
  const tuple = sql<SqlBool>`(${column}, tasks.id) ${op} (${key}, ${cursorId})`;
  return spec.nullable && direction === 'asc'
    ? sql<SqlBool>`(${tuple} OR ${column} IS NULL)`
    : tuple;
}

/** One of the caller's tasks; undefined when missing or someone else's. */
export async function getTask(
  db: Db,
  input: { userId: string; taskId: string },
): Promise<TaskDto | undefined> {
  const row = await db
    .selectFrom('tasks')
    .selectAll()
    .where('id', '=', input.taskId)
    .where('user_id', '=', input.userId)
    .executeTakeFirst();
  return row && toTaskDto(row);
}

export interface TaskFields {
  title: string;
  notes: string;
  category: string | null;
  effortMinutes: number | null;
  priority: Priority;
  tags: string[];
  startDate: string | null;
  /** Clearing the due date (null) clears the due time too. */
  dueDate: string | null;
  /** 'HH:MM' or 'HH:MM:SS', local to the person's time zone; needs a due date. */
  dueTime: string | null;
  /** Minutes before the due moment to remind, 0–40320; null: no reminder. Default 30. */
  reminderMinutes: number | null;
  /** A validated RFC 5545 RRULE (see the server's recurrence module). */
  recurrence: string | null;
  week: number | null;
  day: number | null;
  position: number;
}

function toColumns(fields: Partial<TaskFields>): TaskUpdate {
  const columns: TaskUpdate = {};
  if (fields.title !== undefined) columns.title = fields.title;
  if (fields.notes !== undefined) columns.notes = fields.notes;
  if (fields.category !== undefined) columns.category = fields.category;
  if (fields.effortMinutes !== undefined) columns.effort_minutes = fields.effortMinutes;
  if (fields.priority !== undefined) columns.priority = priorityRank(fields.priority);
  if (fields.tags !== undefined) columns.tags = [...new Set(fields.tags)];
  if (fields.startDate !== undefined) columns.start_date = fields.startDate;
  if (fields.dueDate !== undefined) columns.due_date = fields.dueDate;
  if (fields.dueTime !== undefined) columns.due_time = fields.dueTime;
  else if (fields.dueDate === null) columns.due_time = null;
  if (fields.reminderMinutes !== undefined) columns.reminder_minutes = fields.reminderMinutes;
  if (fields.recurrence !== undefined) columns.recurrence = fields.recurrence;
  if (fields.week !== undefined) columns.week = fields.week;
  if (fields.day !== undefined) columns.day = fields.day;
  if (fields.position !== undefined) columns.position = fields.position;
  return columns;
}

/**
 * A new task, standalone or in one of the caller's goals (NOT_FOUND otherwise). Without a
 * position it goes last among the goal's (or the standalone) tasks.
 */
export async function insertTask(
  db: Db,
  input: { userId: string; goalId?: string | null } & Pick<TaskFields, 'title'> &
    Partial<TaskFields>,
): Promise<TaskDto> {
  const goalId = input.goalId ?? null;
  if (goalId && !(await isGoalOwnedBy(db, { userId: input.userId, goalId }))) {
    throw new DomainError('NOT_FOUND', 'goal not found');
  }
  const { userId, goalId: _, ...fields } = input;
  const row = await withDueTimeCheck(() =>
    db
      .insertInto('tasks')
      .values((eb) => ({
        ...toColumns(fields),
        title: fields.title,
        user_id: userId,
        goal_id: goalId,
        position:
          fields.position ??
          eb
            .selectFrom('tasks')
            .select(sql<number>`coalesce(max(position) + 1, 0)`.as('next'))
            .where('user_id', '=', userId)
            .where((w) => (goalId === null ? w('goal_id', 'is', null) : w('goal_id', '=', goalId))),
      }))
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toTaskDto(row);
}

/** Changes the given fields of one of the caller's tasks; undefined when not theirs. */
export async function updateTask(
  db: Db,
  input: { userId: string; taskId: string; fields: Partial<TaskFields> },
): Promise<TaskDto | undefined> {
  const columns = toColumns(input.fields);
  if (Object.keys(columns).length === 0) return getTask(db, input);
  const row = await withDueTimeCheck(() =>
    db
      .updateTable('tasks')
      .set(columns)
      .where('id', '=', input.taskId)
      .where('user_id', '=', input.userId)
      .returningAll()
      .executeTakeFirst(),
  );
  return row && toTaskDto(row);
}

/** A due time on a task without a due date (`tasks_due_time_needs_date`) is the caller's error. */
async function withDueTimeCheck<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const pgError = error as { code?: string; constraint?: string };
    if (pgError.code === '23514' && pgError.constraint === 'tasks_due_time_needs_date') {
      throw new DomainError('BAD_REQUEST', 'a due time needs a due date', {
        cause: error,
        details: { fieldErrors: { dueTime: ['a due time needs a due date'] } },
      });
    }
    throw error;
  }
}

export async function deleteTask(
  db: Db,
  input: { userId: string; taskId: string },
): Promise<boolean> {
  const result = await db
    .deleteFrom('tasks')
    .where('id', '=', input.taskId)
    .where('user_id', '=', input.userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

const completionStatement = (completed: boolean, onlyIfNotRecurring: boolean) =>
  prepared((db, taskId: string, userId: string) =>
    db
      .updateTable('tasks')
      .set({ completed_at: completed ? sql<Date>`now()` : null })
      .where('id', '=', taskId)
      .where('user_id', '=', userId)
      .where('completed_at', completed ? 'is' : 'is not', null)
      .$if(onlyIfNotRecurring, (q) => q.where('recurrence', 'is', null))
      .returningAll(),
  );

/** `setTaskCompleted`'s four shapes: done or open, any task or only one that does not recur. */
const COMPLETION = {
  'true/true': completionStatement(true, true),
  'true/false': completionStatement(true, false),
  'false/true': completionStatement(false, true),
  'false/false': completionStatement(false, false),
} as const;

/**
 * Marks a task done (or open again). `changed` is false when it already was: the row lock of
 * the conditional update makes concurrent completions see exactly one change.
 */
export async function setTaskCompleted(
  db: Db,
  input: { userId: string; taskId: string; completed: boolean; onlyIfNotRecurring?: boolean },
): Promise<{ task: TaskDto; changed: boolean } | undefined> {
  const statement = COMPLETION[`${input.completed}/${input.onlyIfNotRecurring === true}`];
  const [row] = await statement.execute(db, input.taskId, input.userId);
  if (row) return { task: toTaskDto(row), changed: true };
  if (input.onlyIfNotRecurring) return undefined;
  const task = await getTask(db, input);
  return task && { task, changed: false };
}

/** What the next occurrence of a recurring task copies from the one completed. */
const COPIED_TO_NEXT_OCCURRENCE = [
  'user_id',
  'goal_id',
  'title',
  'notes',
  'category',
  'effort_minutes',
  'priority',
  'tags',
  'due_time',
  'reminder_minutes',
  'recurrence',
  'position',
] as const;

/**
 * The next occurrence of a recurring task: a copy of `parentId` due on `dueDate`, linked by
 * `recurrence_parent_id`. Returns the existing occurrence when there already is one (the
 * unique index on `recurrence_parent_id` makes this idempotent, even under races).
 */
export async function insertNextOccurrence(
  db: Db,
  input: { parentId: string; dueDate: string; startDate: string | null },
): Promise<TaskDto> {
  const inserted = await db
    .insertInto('tasks')
    .columns([...COPIED_TO_NEXT_OCCURRENCE, 'due_date', 'start_date', 'recurrence_parent_id'])
    .expression((eb) =>
      eb
        .selectFrom('tasks')
        .select([
          ...COPIED_TO_NEXT_OCCURRENCE,
          sql<string>`${input.dueDate}::date`.as('due_date'),
          sql<string | null>`${input.startDate}::date`.as('start_date'),
          'id',
        ])
        .where('id', '=', input.parentId),
    )
    .onConflict((oc) =>
      oc.column('recurrence_parent_id').where('recurrence_parent_id', 'is not', null).doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
  if (inserted) return toTaskDto(inserted);
  const existing = await db
    .selectFrom('tasks')
    .selectAll()
    .where('recurrence_parent_id', '=', input.parentId)
    .executeTakeFirstOrThrow();
  return toTaskDto(existing);
}

export interface TaskStatsRow {
  /** The person's local date at `now`, in their time zone. */
  today: string;
  total: number;
  done: number;
  open: number;
  /** Open tasks due before today, or today at a time of day already past (local clock). */
  overdue: number;
  /** Tasks completed in the `paceDays` local days up to and including `today`. */
  recentDone: number;
  /** Local date of the latest completion. */
  lastCompletedOn: string | null;
  weeks: {
    /** Plan week (goal stats) or null (calendar weeks, all tasks). */
    week: number | null;
    startDate: string | null;
    endDate: string | null;
    taskCount: number;
    doneCount: number;
    plannedMinutes: number;
    doneMinutes: number;
  }[];
}

/**
 * Raw counts for `task.stats`: over one goal's tasks (grouped by plan week), or over all the
 * caller's tasks (grouped by calendar week of the due date, Monday first). "Today", overdue and
 * the completion days are read on the person's clock at `now` (their time zone). Two aggregate
 * queries; undefined when the goal is not the caller's.
 */
export async function getTaskStats(
  db: Db,
  input: { userId: string; goalId?: string; now: Date; paceDays: number },
): Promise<TaskStatsRow | undefined> {
  const { goalId } = input;
  if (goalId && !(await isGoalOwnedBy(db, { userId: input.userId, goalId }))) return undefined;
  const scoped = db
    .selectFrom('tasks')
    .where('user_id', '=', input.userId)
    .$if(goalId !== undefined, (q) => q.where('goal_id', '=', goalId!));
  const zone = sql`(SELECT timezone FROM users WHERE id = ${input.userId})`;
  const local = localNow(input.userId, input.now);
  const today = sql`${local}::date`;
  const doneOn = sql`(completed_at AT TIME ZONE ${zone})::date`;
  const totals = await scoped
    .select([
      sql<string>`${today}::text`.as('today'),
      sql<string>`count(*)`.as('total'),
      sql<string>`count(*) FILTER (WHERE completed_at IS NOT NULL)`.as('done'),
      sql<string>`count(*) FILTER (WHERE ${isOverdue(today, sql`${local}::time`)})`.as('overdue'),
      sql<string>`count(*) FILTER (WHERE ${doneOn}
        BETWEEN ${today} - ${input.paceDays - 1}::int AND ${today})`.as('recent_done'),
      sql<string | null>`max(${doneOn})::text`.as('last_done'),
    ])
    .executeTakeFirstOrThrow();
  const bucket = goalId ? sql<number | null>`week` : sql<number | null>`NULL::int`;
  const bucketStart = goalId
    ? sql<string | null>`min(due_date)::text`
    : sql<string | null>`date_trunc('week', due_date)::date::text`;
  const bucketEnd = goalId
    ? sql<string | null>`max(due_date)::text`
    : sql<string | null>`(date_trunc('week', due_date)::date + 6)::text`;
  const weeks = await scoped
    .select([
      bucket.as('week'),
      bucketStart.as('start_date'),
      bucketEnd.as('end_date'),
      sql<string>`count(*)`.as('task_count'),
      sql<string>`count(*) FILTER (WHERE completed_at IS NOT NULL)`.as('done_count'),
      sql<string>`coalesce(sum(effort_minutes), 0)`.as('planned'),
      sql<string>`coalesce(sum(effort_minutes) FILTER (WHERE completed_at IS NOT NULL), 0)`.as(
        'done_minutes',
      ),
    ])
    .where(goalId ? sql<SqlBool>`week IS NOT NULL` : sql<SqlBool>`due_date IS NOT NULL`)
    .groupBy(goalId ? sql`week` : sql`date_trunc('week', due_date)`)
    .orderBy(goalId ? sql`week` : sql`2`)
    .execute();
  const done = Number(totals.done);
  return {
    today: totals.today,
    total: Number(totals.total),
    done,
    open: Number(totals.total) - done,
    overdue: Number(totals.overdue),
    recentDone: Number(totals.recent_done),
    lastCompletedOn: totals.last_done,
    weeks: weeks.map((w) => ({
      week: w.week,
      startDate: w.start_date,
      endDate: w.end_date,
      taskCount: Number(w.task_count),
      doneCount: Number(w.done_count),
      plannedMinutes: Number(w.planned),
      doneMinutes: Number(w.done_minutes),
    })),
  };
}
