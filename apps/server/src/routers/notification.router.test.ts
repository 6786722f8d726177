import { insertNotification } from '@stepwise/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anonymousCaller,
  createTestServices,
  signedInCaller,
  type TestServices,
} from '../testing/test-services.js';

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

async function notify(userId: string, title: string) {
  const notification = await insertNotification(services.db, {
    userId,
    kind: 'reminder',
    title,
    body: `${title} is due soon`,
  });
  if (!notification) throw new Error('not inserted');
  return notification;
}

describe('notification', () => {
  it('lists newest first, page by page, with the unread count', async () => {
    const { caller, user } = await signedInCaller(services);
    const stranger = await signedInCaller(services);
    for (const title of ['first', 'second', 'third']) await notify(user.id, title);
    await notify(stranger.user.id, 'not yours');

    const page = await caller.notification.list({ limit: 2 });
    expect(page.items.map((n) => n.title)).toEqual(['third', 'second']);
    expect(page.unreadCount).toBe(3);
    expect(page.items[0]).toMatchObject({
      kind: 'reminder',
      body: 'third is due soon',
      readAt: null,
      emailStatus: 'pending',
      createdAt: expect.any(Date),
    });
    const rest = await caller.notification.list({ limit: 2, cursor: page.nextCursor });
    expect(rest.items.map((n) => n.title)).toEqual(['first']);
    expect(rest.nextCursor).toBeNull();
    // A cursor belongs to its list: the unread list refuses the full list's.
    await expect(
      caller.notification.list({ unreadOnly: true, cursor: page.nextCursor }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it("marks the caller's own notifications read, by id or all, and counts them", async () => {
    const { caller, user } = await signedInCaller(services);
    const stranger = await signedInCaller(services);
    const first = await notify(user.id, 'first');
    await notify(user.id, 'second');
    await notify(user.id, 'third');
    const theirs = await notify(stranger.user.id, 'theirs');

    expect(await caller.notification.markRead({ ids: [first.id, theirs.id] })).toEqual({
      marked: 1,
    });
    // Already read: nothing more to mark.
    expect(await caller.notification.markRead({ ids: [first.id] })).toEqual({ marked: 0 });
    const unread = await caller.notification.list({ unreadOnly: true });
    expect(unread.items.map((n) => n.title)).toEqual(['third', 'second']);
    expect(unread.unreadCount).toBe(2);
    const all = await caller.notification.list({});
    expect(all.items.find((n) => n.id === first.id)?.readAt).toBeInstanceOf(Date);

    expect(await caller.notification.markRead({ all: true })).toEqual({ marked: 2 });
    expect((await caller.notification.list({})).unreadCount).toBe(0);
    // The stranger's notification was never touched.
    expect(await stranger.caller.notification.list({})).toMatchObject({
      unreadCount: 1,
      items: [{ id: theirs.id, readAt: null }],
    });
  });

  it('records each new or read notification as a change event, for sync.live', async () => {
    const { caller, user } = await signedInCaller(services);
    const notification = await notify(user.id, 'pushed');
    await caller.notification.markRead({ all: true });
    const events = await services.db
      .selectFrom('change_events')
      .select(['entity', 'entity_id', 'type'])
      .where('user_id', '=', user.id)
      .orderBy('id')
      .execute();
    expect(events).toEqual([
      { entity: 'notification', entity_id: notification.id, type: 'notification.created' },
      { entity: 'notification', entity_id: notification.id, type: 'notification.updated' },
    ]);
  });

  it('refuses malformed input and anonymous callers', async () => {
    const { caller } = await signedInCaller(services);
    for (const input of [{}, { ids: [] }, { ids: ['not-a-uuid'] }, { all: false }]) {
      await expect(
        caller.notification.markRead(input as { all: true }),
        JSON.stringify(input),
      ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    await expect(caller.notification.list({ limit: 101 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(anonymousCaller(services).notification.list({})).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });
});
