import type { TaskList } from 'graphile-worker';
import type { AppServices } from '../services/app-services.js';
import { createMailer } from '../services/notifications/mailer.js';
import {
  emailNotification,
  NOTIFICATION_EMAIL_JOB,
  ZNotificationEmailPayload,
} from '../services/notifications/notification-email.js';
import {
  fireTaskReminder,
  TASK_REMINDER_JOB,
  ZTaskReminderPayload,
} from '../services/notifications/task-reminder.js';

/**
 * The reminder jobs: `task-reminder` (scheduled by the database at each task's reminder
 * instant) stores the notification and queues `notification-email`, which sends it through
 * SMTP_URL, or logs it without one.
 */
export function reminderTasks(services: AppServices): TaskList {
  const mailer = createMailer({
    smtpUrl: services.env.SMTP_URL,
    from: services.env.EMAIL_FROM,
    logger: services.logger,
  });
  return {
    [TASK_REMINDER_JOB]: async (payload) => {
      const notification = await fireTaskReminder(services, ZTaskReminderPayload.parse(payload));
      if (notification) {
        services.logger.info(
          { notificationId: notification.id, taskId: notification.taskId },
          'reminder fired',
        );
      }
    },
    [NOTIFICATION_EMAIL_JOB]: async (payload, helpers) => {
      const { notificationId } = ZNotificationEmailPayload.parse(payload);
      await emailNotification(services, mailer, {
        notificationId,
        isLastAttempt: helpers.job.attempts >= helpers.job.max_attempts,
      });
    },
  };
}
