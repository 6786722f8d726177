import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestServices,
  signedInCaller,
  type TestServices,
} from '../../testing/test-services.js';
import { localDateTime } from '../tasks/local-date.js';

// The reminder jobs are kept by database triggers (migration 2026-12-02T16-20-00): these tests
// change tasks and people through the procedures and read graphile-worker's queue.

let services: TestServices;
const people: string[] = [];
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(async () => {
  // Deleting the tasks removes their jobs, so no later worker in this database runs them.
  if (people.length > 0) {
    await services.db.deleteFrom('tasks').where('user_id', 'in', people).execute();
  }
  await services.close();
});

async function person(timezone: string) {
  const signedIn = await signedInCaller(services);
  people.push(signedIn.user.id);
  await signedIn.caller.auth.updateProfile({ timezone });
  return signedIn;
}

interface ReminderJob {
  run_at: Date;
  revision: number;
  payload: { taskId: string; dueAt: string; remindAt: string };
}

/** The task's queued reminder job, read from graphile-worker's table (its view hides payloads). */
async function reminderJob(taskId: string): Promise<ReminderJob | undefined> {
  const { rows } = await services.pool.query<ReminderJob>(
    `SELECT run_at, revision, payload FROM graphile_worker._private_jobs WHERE key = $1`,
    [`task-reminder:${taskId}`],
  );
  return rows[0];
}

describe('reminder schedule', () => {
  it("queues each reminder at the due moment minus its minutes, on the person's clock", async () => {
    const kathmandu = await person('Asia/Kathmandu');
    const task = await kathmandu.caller.task.create({
      title: 'Call the bank',
      dueDate: '2030-07-15',
      dueTime: '09:15',
    });
    // 09:15 at UTC+05:45 is 03:30 UTC; the default reminder is 30 minutes before.
    expect(await reminderJob(task.id)).toMatchObject({
      run_at: new Date('2030-07-15T03:00:00Z'),
      payload: { taskId: task.id, dueAt: '2030-07-15T03:30:00Z', remindAt: '2030-07-15T03:00:00Z' },
    });

    const newYork = await person('America/New_York');
    const winter = await newYork.caller.task.create({
      title: 'Shovel snow',
      dueDate: '2030-01-15',
      dueTime: '14:30',
      reminderMinutes: 60,
    });
    const summer = await newYork.caller.task.create({
      title: 'Water the garden',
      dueDate: '2030-07-15',
      dueTime: '14:30',
      reminderMinutes: 0,
    });
    // Standard time is UTC-5, daylight saving time UTC-4.
    expect((await reminderJob(winter.id))?.run_at).toEqual(new Date('2030-01-15T18:30:00Z'));
    expect((await reminderJob(summer.id))?.run_at).toEqual(new Date('2030-07-15T18:30:00Z'));
  });

  it('moves the job on every edit that changes the reminder, and only then', async () => {
    const { caller } = await person('UTC');
    const task = await caller.task.create({
      title: 'Dentist',
      dueDate: '2030-03-10',
      dueTime: '10:00',
    });
    const first = await reminderJob(task.id);
    expect(first?.run_at).toEqual(new Date('2030-03-10T09:30:00Z'));

    await caller.task.update({ taskId: task.id, dueTime: '16:45' });
    const edited = await reminderJob(task.id);
    expect(edited?.run_at).toEqual(new Date('2030-03-10T16:15:00Z'));
    // Replacing the job counts a revision: how the check below sees that nothing ran.
    expect(edited?.revision).toBeGreaterThan(first?.revision ?? Number.POSITIVE_INFINITY);
    await caller.task.update({ taskId: task.id, dueDate: '2030-03-11', reminderMinutes: 0 });
    const moved = await reminderJob(task.id);
    expect(moved).toMatchObject({
      run_at: new Date('2030-03-11T16:45:00Z'),
      payload: { dueAt: '2030-03-11T16:45:00Z', remindAt: '2030-03-11T16:45:00Z' },
    });

    // A title or priority edit leaves the job exactly as it was (the trigger never ran).
    await caller.task.update({ taskId: task.id, title: 'Dentist (Dr. Li)', priority: 'high' });
    expect((await reminderJob(task.id))?.revision).toBe(moved?.revision);
  });

  it('drops the job when the reminder goes away, and brings it back with it', async () => {
    const { caller } = await person('Europe/Madrid');
    const task = await caller.task.create({
      title: 'Renew passport',
      dueDate: '2030-05-20',
      dueTime: '12:00',
    });
    expect(await reminderJob(task.id)).toBeDefined();

    await caller.task.update({ taskId: task.id, reminderMinutes: null });
    expect(await reminderJob(task.id)).toBeUndefined();
    await caller.task.update({ taskId: task.id, reminderMinutes: 15 });
    // 12:00 in Madrid in May is 10:00 UTC.
    expect((await reminderJob(task.id))?.run_at).toEqual(new Date('2030-05-20T09:45:00Z'));

    await caller.task.setComplete({ taskId: task.id, completed: true });
    expect(await reminderJob(task.id)).toBeUndefined();
    await caller.task.setComplete({ taskId: task.id, completed: false });
    expect(await reminderJob(task.id)).toBeDefined();

    await caller.task.update({ taskId: task.id, dueTime: null });
    expect(await reminderJob(task.id)).toBeUndefined();
    await caller.task.update({ taskId: task.id, dueTime: '12:00' });
    expect(await reminderJob(task.id)).toBeDefined();

    await caller.task.delete({ taskId: task.id });
    expect(await reminderJob(task.id)).toBeUndefined();
  });

  it('fires at once when only the reminder instant has passed; never for a past due moment', async () => {
    const zone = 'Pacific/Pago_Pago';
    const { caller } = await person(zone);
    // Due in ten minutes on the person's clock, reminded 30 minutes before: at once.
    const soon = localDateTime(zone, new Date(Date.now() + 10 * 60_000));
    const before = Date.now();
    const task = await caller.task.create({
      title: 'Leave for the airport',
      dueDate: soon.date,
      dueTime: soon.time,
    });
    const job = await reminderJob(task.id);
    expect(job?.run_at.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(job?.run_at.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
    // Removed at once, so no worker of a later test in this database runs it.
    await caller.task.delete({ taskId: task.id });

    const past = localDateTime(zone, new Date(Date.now() - 60_000));
    const late = await caller.task.create({
      title: 'Missed the bus',
      dueDate: past.date,
      dueTime: past.time,
    });
    expect(await reminderJob(late.id)).toBeUndefined();
  });

  it("moves a person's pending reminders when their time zone changes", async () => {
    const { caller } = await person('UTC');
    const open = await caller.task.create({
      title: 'Pay rent',
      dueDate: '2030-07-15',
      dueTime: '09:00',
    });
    const done = await caller.task.create({
      title: 'Book flights',
      dueDate: '2030-07-16',
      dueTime: '09:00',
    });
    await caller.task.setComplete({ taskId: done.id, completed: true });
    const other = await person('UTC');
    const theirs = await other.caller.task.create({
      title: 'Not mine',
      dueDate: '2030-07-15',
      dueTime: '09:00',
    });
    expect((await reminderJob(open.id))?.run_at).toEqual(new Date('2030-07-15T08:30:00Z'));

    await caller.auth.updateProfile({ timezone: 'Asia/Tokyo' });
    // 09:00 in Tokyo (UTC+9) is midnight UTC.
    expect(await reminderJob(open.id)).toMatchObject({
      run_at: new Date('2030-07-14T23:30:00Z'),
      payload: { dueAt: '2030-07-15T00:00:00Z' },
    });
    expect(await reminderJob(done.id)).toBeUndefined();
    expect((await reminderJob(theirs.id))?.run_at).toEqual(new Date('2030-07-15T08:30:00Z'));
  });
});
