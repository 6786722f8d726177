import {
  type DueReminder,
  enqueueJob,
  findDueReminder,
  formatDueTime,
  insertNotification,
  type NotificationDto,
} from '@stepwise/db';
import { z } from 'zod';
import type { AppServices } from '../app-services.js';
import {
  NOTIFICATION_EMAIL_JOB,
  NOTIFICATION_EMAIL_MAX_ATTEMPTS,
  notificationEmailJobKey,
} from './notification-email.js';

/**
 * The job a task's reminder runs as. The database schedules it (trigger
 * `schedule_task_reminder`, key `task-reminder:<task id>`) whenever a task's due date, due
 * time, reminder minutes or completion, or its person's time zone, change.
 */
export const TASK_REMINDER_JOB = 'task-reminder';

/** What the trigger puts in the job: the task and its due and reminder instants (UTC ISO). */
export const ZTaskReminderPayload = z.object({
  taskId: z.uuid(),
  dueAt: z.string().min(1),
  remindAt: z.string().min(1),
});
export type TTaskReminderPayload = z.infer<typeof ZTaskReminderPayload>;

const dayFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'UTC',
  weekday: 'long',
  year: 'numeric',
  month: 'long',
  day: 'numeric',
});

/**
 * The reminder's words, on the person's own clock.
 *
 * @example
 * reminderMessage({ title: 'Call the bank', dueDate: '2026-12-02', dueTime: '14:30:00',
 *   timezone: 'America/New_York', ... });
 * // { title: 'Reminder: Call the bank',
 * //   body: '"Call the bank" is due at 14:30 on Wednesday, December 2, 2026 (America/New_York).' }
 */
export function reminderMessage(reminder: DueReminder): { title: string; body: string } {
  const day = dayFormat.format(new Date(`${reminder.dueDate}T00:00:00Z`));
  const time = formatDueTime(reminder.dueTime);
  return {
    title: `Reminder: ${reminder.title}`,
    body: `"${reminder.title}" is due at ${time} on ${day} (${reminder.timezone}).`,
  };
}

/**
 * Runs one reminder job, in one transaction: re-reads the task (a deleted or completed task,
 * or a stale job whose instants no longer match the task, does nothing), stores the
 * notification under the key `reminder:<task id>:<due instant>`, and, only when that insert
 * made it, queues its email as a job of its own. A rerun, even after a crash past the insert,
 * finds the key taken: one notification and one email per task and due moment. A reminder
 * that runs late (the worker was down) still fires. Returns the notification it created.
 */
export async function fireTaskReminder(
  services: Pick<AppServices, 'db'>,
  payload: TTaskReminderPayload,
): Promise<NotificationDto | undefined> {
  return services.db.transaction().execute(async (trx) => {
    const reminder = await findDueReminder(trx, payload);
    if (!reminder) return undefined;
    const notification = await insertNotification(trx, {
      userId: reminder.userId,
      kind: 'reminder',
      ...reminderMessage(reminder),
      taskId: reminder.taskId,
      data: {
        taskId: reminder.taskId,
        dueAt: payload.dueAt,
        dueDate: reminder.dueDate,
        dueTime: formatDueTime(reminder.dueTime),
        timezone: reminder.timezone,
      },
      dedupeKey: `reminder:${reminder.taskId}:${payload.dueAt}`,
    });
    if (!notification) return undefined;
    await enqueueJob(trx, {
      task: NOTIFICATION_EMAIL_JOB,
      payload: { notificationId: notification.id },
      jobKey: notificationEmailJobKey(notification.id),
      maxAttempts: NOTIFICATION_EMAIL_MAX_ATTEMPTS,
    });
    return notification;
  });
}
