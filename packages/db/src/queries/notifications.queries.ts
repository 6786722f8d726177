import { type SqlBool, sql } from 'kysely';
import type { EmailStatus } from '../schema.js';
import { type NotificationDto, toNotificationDto } from './dto.js';
import { decodeCursor, encodeCursor, type Page } from './goal-list.queries.js';
import type { Db } from './stream-events.queries.js';

/** A task whose reminder is due, as the reminder job reads it (see `findDueReminder`). */
export interface DueReminder {
  taskId: string;
  title: string;
  dueDate: string;
  /** 'HH:MM:SS', local to `timezone`. */
  dueTime: string;
  userId: string;
  email: string;
  name: string;
  timezone: string;
}

/**
 * The task a reminder job was scheduled for, when that reminder still stands: the task exists,
 * is open, and its due moment and reminder instant (read in the person's zone now) are still
 * `dueAt` and `remindAt` ('2026-12-02T14:30:00Z', as `schedule_task_reminder` wrote them).
 * Undefined for a deleted or completed task, or a stale job (the task or zone changed since).
 */
export async function findDueReminder(
  db: Db,
  input: { taskId: string; dueAt: string; remindAt: string },
): Promise<DueReminder | undefined> {
  const dueAt = sql`task_due_at(tasks.due_date, tasks.due_time, users.timezone)`;
  return db
    .selectFrom('tasks')
    .innerJoin('users', 'users.id', 'tasks.user_id')
    .select([
      'tasks.id as taskId',
      'tasks.title',
      sql<string>`tasks.due_date`.as('dueDate'),
      sql<string>`tasks.due_time::text`.as('dueTime'),
      'users.id as userId',
      'users.email',
      'users.name',
      'users.timezone',
    ])
    .where('tasks.id', '=', input.taskId)
    .where('tasks.completed_at', 'is', null)
    .where(sql<SqlBool>`utc_iso(${dueAt}) = ${input.dueAt}`)
    .where(
      sql<SqlBool>`utc_iso(${dueAt} - make_interval(mins => tasks.reminder_minutes)) = ${input.remindAt}`,
    )
    .executeTakeFirst();
}

/**
 * Stores a notification for `userId`. With a `dedupeKey`, at most one notification ever has
 * it: a second insert returns undefined, whatever reran.
 */
export async function insertNotification(
  db: Db,
  input: {
    userId: string;
    kind: string;
    title: string;
    body: string;
    taskId?: string | null;
    data?: Record<string, unknown>;
    dedupeKey?: string | null;
  },
): Promise<NotificationDto | undefined> {
  const row = await db
    .insertInto('notifications')
    .values({
      user_id: input.userId,
      kind: input.kind,
      title: input.title,
      body: input.body,
      task_id: input.taskId ?? null,
      data: JSON.stringify(input.data ?? {}),
      dedupe_key: input.dedupeKey ?? null,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row && toNotificationDto(row);
}

/**
 * The caller's notifications, newest first, with keyset pagination over
 * `(created_at desc, id desc)` (index `notifications_user_idx`), and how many are unread in
 * all. Two queries run side by side.
 *
 * @example
 * const first = await listNotifications(db, { userId, limit: 20, unreadOnly: true });
 * const next = await listNotifications(db, { userId, limit: 20, cursor: first.nextCursor });
 */
export async function listNotifications(
  db: Db,
  input: { userId: string; unreadOnly?: boolean; limit: number; cursor?: string | null },
): Promise<Page<NotificationDto> & { unreadCount: number }> {
  const kind = input.unreadOnly ? 'notifications:unread' : 'notifications';
  const after = input.cursor ? decodeCursor(kind, input.cursor) : undefined;
  let query = db
    .selectFrom('notifications')
    .selectAll()
    .select(sql<string>`created_at::text`.as('cursor_at'))
    .where('user_id', '=', input.userId);
  if (input.unreadOnly) query = query.where('read_at', 'is', null);
  if (after) {
    query = query.where(
      sql<SqlBool>`(created_at, id) < (${String(after.value)}::timestamptz, ${after.id}::uuid)`,
    );
  }
  const [rows, unread] = await Promise.all([
    query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(input.limit + 1)
      .execute(),
    db
      .selectFrom('notifications')
      .select(sql<string>`count(*)`.as('n'))
      .where('user_id', '=', input.userId)
      .where('read_at', 'is', null)
      .executeTakeFirstOrThrow(),
  ]);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ cursor_at: _, ...row }) => toNotificationDto(row)),
    nextCursor:
      rows.length > input.limit && last ? encodeCursor(kind, last.cursor_at, last.id) : null,
    unreadCount: Number(unread.n),
  };
}

/**
 * Marks the caller's notifications read: the given ids, or all of them. Someone else's ids and
 * ones already read are left alone. Returns how many changed.
 */
export async function markNotificationsRead(
  db: Db,
  input: { userId: string } & ({ ids: string[] } | { all: true }),
): Promise<number> {
  let query = db
    .updateTable('notifications')
    .set({ read_at: sql<Date>`now()` })
    .where('user_id', '=', input.userId)
    .where('read_at', 'is', null);
  if ('ids' in input) {
    if (input.ids.length === 0) return 0;
    query = query.where('id', 'in', input.ids);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A notification with the address it is emailed to; undefined when it is gone. */
export async function getNotificationEmail(
  db: Db,
  notificationId: string,
): Promise<
  | {
      id: string;
      title: string;
      body: string;
      emailStatus: EmailStatus;
      to: string;
      name: string;
    }
  | undefined
> {
  return db
    .selectFrom('notifications')
    .innerJoin('users', 'users.id', 'notifications.user_id')
    .select([
      'notifications.id',
      'notifications.title',
      'notifications.body',
      'notifications.email_status as emailStatus',
      'users.email as to',
      'users.name',
    ])
    .where('notifications.id', '=', notificationId)
    .executeTakeFirst();
}

/**
 * Records how a notification's email went: 'sent' and 'logged' stamp `emailed_at`. Only a
 * notification still 'pending' changes; returns whether it did.
 */
export async function setNotificationEmailStatus(
  db: Db,
  input: { notificationId: string; status: Exclude<EmailStatus, 'pending'> },
): Promise<boolean> {
  const delivered = input.status === 'sent' || input.status === 'logged';
  const result = await db
    .updateTable('notifications')
    .set({
      email_status: input.status,
      emailed_at: delivered ? sql<Date>`now()` : null,
    })
    .where('id', '=', input.notificationId)
    .where('email_status', '=', 'pending')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
