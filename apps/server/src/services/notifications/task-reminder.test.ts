import { Writable } from 'node:stream';
import { insertNotification } from '@stepwise/db';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SmtpTestServer, startSmtpTestServer } from '../../testing/smtp-test-server.js';
import {
  createTestServices,
  signedInCaller,
  type TestServices,
} from '../../testing/test-services.js';
import { createMailer, type Mailer } from './mailer.js';
import { emailNotification, notificationEmailJobKey } from './notification-email.js';
import { fireTaskReminder, type TTaskReminderPayload } from './task-reminder.js';

let services: TestServices;
let smtp: SmtpTestServer;
let mailer: Mailer;
const people: string[] = [];
beforeAll(async () => {
  smtp = await startSmtpTestServer();
  services = await createTestServices({ SMTP_URL: smtp.url });
  mailer = createMailer({
    smtpUrl: services.env.SMTP_URL,
    from: services.env.EMAIL_FROM,
    logger: services.logger,
  });
});
afterAll(async () => {
  if (people.length > 0) {
    // Their tasks' reminder jobs and notifications' email jobs go too: no later worker runs them.
    await services.pool.query(
      `SELECT graphile_worker.remove_job(key) FROM graphile_worker.jobs
       WHERE key IN (SELECT 'notification-email:' || id FROM notifications WHERE user_id = ANY($1))`,
      [people],
    );
    await services.db.deleteFrom('tasks').where('user_id', 'in', people).execute();
  }
  mailer.close();
  await services.close();
  await smtp.close();
});

async function person(timezone: string) {
  const signedIn = await signedInCaller(services);
  people.push(signedIn.user.id);
  await signedIn.caller.auth.updateProfile({ timezone });
  return { ...signedIn, email: signedIn.user.email };
}

/** The payload the database queued for the task's reminder. */
async function reminderPayload(taskId: string): Promise<TTaskReminderPayload> {
  const { rows } = await services.pool.query<{ payload: TTaskReminderPayload }>(
    'SELECT payload FROM graphile_worker._private_jobs WHERE key = $1',
    [`task-reminder:${taskId}`],
  );
  if (!rows[0]) throw new Error('no reminder job queued');
  return rows[0].payload;
}

const countJobs = async (key: string) =>
  Number(
    (
      await services.pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM graphile_worker.jobs WHERE key = $1',
        [key],
      )
    ).rows[0]?.n,
  );

const notificationRow = (id: string) =>
  services.db
    .selectFrom('notifications')
    .select(['email_status', 'emailed_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

describe('task reminders', () => {
  it('stores one notification and sends one email, however often the job runs', async () => {
    const { caller, user, email } = await person('America/New_York');
    const task = await caller.task.create({
      title: 'Call the bank',
      dueDate: '2030-12-02',
      dueTime: '14:30',
    });
    const payload = await reminderPayload(task.id);

    const notification = await fireTaskReminder(services, payload);
    expect(notification).toMatchObject({
      kind: 'reminder',
      taskId: task.id,
      title: 'Reminder: Call the bank',
      body: '"Call the bank" is due at 14:30 on Monday, December 2, 2030 (America/New_York).',
      data: {
        taskId: task.id,
        dueAt: '2030-12-02T19:30:00Z',
        dueDate: '2030-12-02',
        dueTime: '14:30',
        timezone: 'America/New_York',
      },
      emailStatus: 'pending',
    });
    // The job runs again, as after a crash past its commit: the key is taken, nothing new.
    expect(await fireTaskReminder(services, payload)).toBeUndefined();
    const stored = await caller.notification.list({});
    expect(stored.items.map((n) => n.id)).toEqual([notification?.id]);
    const emailKey = notificationEmailJobKey(notification!.id);
    expect(await countJobs(emailKey)).toBe(1);

    // The email job, likewise run twice: one email.
    const input = { notificationId: notification!.id, isLastAttempt: false };
    expect(await emailNotification(services, mailer, input)).toBe('sent');
    expect(await emailNotification(services, mailer, input)).toBe('skipped');
    const received = await smtp.waitFor((e) => e.to.includes(email));
    expect(received).toMatchObject({
      subject: 'Reminder: Call the bank',
      messageId: `<notification-${notification!.id}@stepwise>`,
    });
    expect(received.text).toContain(`Hi ${user.name},`);
    expect(received.text).toContain(
      '"Call the bank" is due at 14:30 on Monday, December 2, 2030 (America/New_York).',
    );
    expect(received.from).toBe('no-reply@stepwise.local');
    expect(smtp.received.filter((e) => e.to.includes(email))).toHaveLength(1);
    expect(await notificationRow(notification!.id)).toMatchObject({
      email_status: 'sent',
      emailed_at: expect.any(Date),
    });
  });

  it('does nothing for a stale job, a completed task or a deleted one', async () => {
    const { caller } = await person('Asia/Kathmandu');
    const task = await caller.task.create({
      title: 'Submit the report',
      dueDate: '2030-06-01',
      dueTime: '17:00',
    });
    const original = await reminderPayload(task.id);
    await caller.task.update({ taskId: task.id, dueTime: '18:00' });
    // The first job's instants no longer match the task: stale.
    expect(await fireTaskReminder(services, original)).toBeUndefined();
    const moved = await reminderPayload(task.id);
    await caller.auth.updateProfile({ timezone: 'Europe/Paris' });
    expect(await fireTaskReminder(services, moved)).toBeUndefined();

    const current = await reminderPayload(task.id);
    await caller.task.setComplete({ taskId: task.id, completed: true });
    expect(await fireTaskReminder(services, current)).toBeUndefined();
    await caller.task.setComplete({ taskId: task.id, completed: false });
    await caller.task.delete({ taskId: task.id });
    expect(await fireTaskReminder(services, current)).toBeUndefined();
    expect((await caller.notification.list({})).items).toEqual([]);
  });

  it('logs the email, with recipient and subject, and marks it logged without SMTP_URL', async () => {
    const { user, email } = await person('UTC');
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    const logOnly = createMailer({ from: services.env.EMAIL_FROM, logger });
    const notification = await insertNotification(services.db, {
      userId: user.id,
      kind: 'reminder',
      title: 'Reminder: Stretch',
      body: '"Stretch" is due at 07:00.',
    });
    expect(
      await emailNotification({ db: services.db, logger }, logOnly, {
        notificationId: notification!.id,
        isLastAttempt: false,
      }),
    ).toBe('logged');
    expect(lines).toContainEqual(
      expect.objectContaining({ component: 'mailer', to: email, subject: 'Reminder: Stretch' }),
    );
    expect(await notificationRow(notification!.id)).toMatchObject({
      email_status: 'logged',
      emailed_at: expect.any(Date),
    });
    expect(smtp.received.filter((e) => e.to.includes(email))).toEqual([]);
  });

  it('throws a refused email back to the job for a retry, and marks it failed on the last', async () => {
    const { user, email } = await person('UTC');
    const notify = async (title: string) =>
      (await insertNotification(services.db, {
        userId: user.id,
        kind: 'reminder',
        title,
        body: '',
      }))!;
    const retried = await notify('Reminder: retried');
    const abandoned = await notify('Reminder: abandoned');
    smtp.refuse = true;
    try {
      await expect(
        emailNotification(services, mailer, { notificationId: retried.id, isLastAttempt: false }),
      ).rejects.toThrow(/451/);
      expect(await notificationRow(retried.id)).toMatchObject({ email_status: 'pending' });
      expect(
        await emailNotification(services, mailer, {
          notificationId: abandoned.id,
          isLastAttempt: true,
        }),
      ).toBe('failed');
      expect(await notificationRow(abandoned.id)).toMatchObject({
        email_status: 'failed',
        emailed_at: null,
      });
    } finally {
      smtp.refuse = false;
    }
    // The retry goes through.
    expect(
      await emailNotification(services, mailer, {
        notificationId: retried.id,
        isLastAttempt: false,
      }),
    ).toBe('sent');
    expect(smtp.received.filter((e) => e.to.includes(email)).map((e) => e.subject)).toEqual([
      'Reminder: retried',
    ]);
  });
});
