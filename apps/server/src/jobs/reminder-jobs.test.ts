import { insertSession, insertUser } from '@stepwise/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { localDateTime } from '../services/tasks/local-date.js';
import { type SmtpTestServer, startSmtpTestServer } from '../testing/smtp-test-server.js';
import { startTestServer } from '../testing/start-test-server.js';

// End to end: a real server with its worker, a real SMTP server, and a restart in between.
// The two servers run one after the other, never at once, on this worker's database.

let smtp: SmtpTestServer;
let server: RunningServer | undefined;
beforeAll(async () => {
  smtp = await startSmtpTestServer();
});
afterAll(async () => {
  await server?.close();
  await smtp.close();
});

const ZONE = 'Asia/Kathmandu';

/** A tRPC mutation over HTTP, as a device sends it. */
async function mutate(url: string, token: string, path: string, input: unknown) {
  const response = await fetch(`${url}/trpc/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ json: input }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`${path}: ${JSON.stringify(body)}`);
  return body.result.data.json;
}

describe('reminder jobs', () => {
  it('fire once, at the local due time, across a server restart', { timeout: 40_000 }, async () => {
    const env = { RUN_WORKER: 'true', SMTP_URL: smtp.url };
    server = await startTestServer(env);
    const { db, pool } = server.services;
    const user = await insertUser(db, { timezone: ZONE });
    const { token } = await insertSession(db, user.id);

    // Due six seconds from now on a clock at UTC+05:45, reminded at the due moment itself.
    const dueAt = new Date(Math.ceil((Date.now() + 6_000) / 1_000) * 1_000);
    const local = localDateTime(ZONE, dueAt);
    const task = await mutate(server.url, token, 'task.create', {
      title: 'Catch the bus',
      dueDate: local.date,
      dueTime: local.time,
      reminderMinutes: 0,
    });
    const jobKey = `task-reminder:${task.id}`;
    const queued = await pool.query<{ run_at: Date }>(
      'SELECT run_at FROM graphile_worker.jobs WHERE key = $1',
      [jobKey],
    );
    expect(queued.rows.map((r) => r.run_at)).toEqual([dueAt]);

    // Stop before the reminder is due; it waits in the queue for the next instance.
    await server.close();
    server = undefined;
    expect(Date.now()).toBeLessThan(dueAt.getTime());
    server = await startTestServer(env);

    const email = await smtp.waitFor((e) => e.to.includes(user.email), 15_000);
    expect(email.receivedAt.getTime()).toBeGreaterThanOrEqual(dueAt.getTime());
    expect(email.subject).toBe('Reminder: Catch the bus');
    const time = local.time.endsWith(':00') ? local.time.slice(0, 5) : local.time;
    expect(email.text).toContain(`"Catch the bus" is due at ${time} on `);
    expect(email.text).toContain(`(${ZONE})`);

    // One poll interval later (2 s), still one notification and one email; no job left.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const notifications = await server.services.db
      .selectFrom('notifications')
      .select(['created_at', 'email_status', 'data'])
      .where('user_id', '=', user.id)
      .execute();
    expect(notifications).toHaveLength(1);
    expect(notifications[0]?.created_at.getTime()).toBeGreaterThanOrEqual(dueAt.getTime());
    expect(notifications[0]).toMatchObject({
      email_status: 'sent',
      data: { dueAt: dueAt.toISOString().replace('.000Z', 'Z'), timezone: ZONE },
    });
    expect(smtp.received.filter((e) => e.to.includes(user.email))).toHaveLength(1);
    const left = await server.services.pool.query(
      `SELECT key FROM graphile_worker.jobs
       WHERE key = $1
          OR key IN (SELECT 'notification-email:' || id FROM notifications WHERE user_id = $2)`,
      [jobKey, user.id],
    );
    expect(left.rows).toEqual([]);
  });
});
