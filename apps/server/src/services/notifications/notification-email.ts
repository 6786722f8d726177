import { getNotificationEmail, setNotificationEmailStatus } from '@stepwise/db';
import { z } from 'zod';
import type { AppServices } from '../app-services.js';
import type { Mailer } from './mailer.js';

/** The job that emails one notification (payload `{ notificationId }`). */
export const NOTIFICATION_EMAIL_JOB = 'notification-email';

/** graphile-worker's backoff (e^attempt seconds) spreads these over about 50 minutes. */
export const NOTIFICATION_EMAIL_MAX_ATTEMPTS = 8;

export const ZNotificationEmailPayload = z.object({ notificationId: z.uuid() });

/** One job per notification: its key makes a second enqueue replace, never duplicate. */
export const notificationEmailJobKey = (notificationId: string) =>
  `notification-email:${notificationId}`;

/**
 * Emails one notification to its person and records the outcome in `email_status`: 'sent',
 * or 'logged' without SMTP. A notification that is no longer 'pending' is not sent again, so a
 * rerun of the job sends nothing. A send that fails throws, for the job to retry with backoff;
 * on the last attempt it is recorded as 'failed' instead. (A crash between the SMTP server's
 * acceptance and the status update resends once; the stable Message-ID lets mail clients fold
 * the two.)
 *
 * @example
 * await emailNotification(services, mailer, { notificationId, isLastAttempt: false });
 */
export async function emailNotification(
  services: Pick<AppServices, 'db' | 'logger'>,
  mailer: Mailer,
  input: { notificationId: string; isLastAttempt: boolean },
): Promise<'sent' | 'logged' | 'failed' | 'skipped'> {
  const { db } = services;
  const notification = await getNotificationEmail(db, input.notificationId);
  if (notification?.emailStatus !== 'pending') return 'skipped';
  try {
    const outcome = await mailer.send({
      to: notification.to,
      subject: notification.title,
      text: `Hi ${notification.name},\n\n${notification.body}\n\n-- Stepwise\n`,
      messageId: `<notification-${notification.id}@stepwise>`,
    });
    await setNotificationEmailStatus(db, { notificationId: notification.id, status: outcome });
    return outcome;
  } catch (error) {
    if (!input.isLastAttempt) throw error;
    await setNotificationEmailStatus(db, { notificationId: notification.id, status: 'failed' });
    services.logger.error(
      { err: error, notificationId: notification.id },
      'notification email failed on its last attempt',
    );
    return 'failed';
  }
}
