import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, signedInCaller, type TestServices } from '../testing/test-services.js';

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

/** A goal of the caller's, without generating a plan. */
async function goalOf(userId: string, title = 'Learn Go') {
  return services.db
    .insertInto('goals')
    .values({ user_id: userId, title, requirements: JSON.stringify({}), status: 'active' })
    .returning('id')
    .executeTakeFirstOrThrow();
}

describe('chat router', () => {
  it('pages history newest first with a stable cursor', async () => {
    const { caller } = await signedInCaller(services);
    const first = await caller.chat.send({ content: 'message 0', idempotencyKey: randomUUID() });
    for (let i = 1; i < 6; i++) {
      await caller.chat.send({
        conversationId: first.conversationId,
        content: `message ${i}`,
        idempotencyKey: randomUUID(),
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof caller.chat.history>> = await caller.chat.history({
        conversationId: first.conversationId,
        cursor,
        limit: 4,
      });
      seen.push(...page.items.map((m) => (m.role === 'user' ? m.content : 'reply')));
      cursor = page.nextCursor;
    } while (cursor);
    // 6 sends: a user message and a (pending) reply each, newest first.
    expect(seen).toHaveLength(12);
    expect(seen.filter((s) => s !== 'reply')).toEqual(
      [5, 4, 3, 2, 1, 0].map((i) => `message ${i}`),
    );
    await expect(
      caller.chat.history({ conversationId: first.conversationId, cursor: 'garbage', limit: 4 }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('lists conversations by goal and resets one goal’s conversations only', async () => {
    const { user, caller } = await signedInCaller(services);
    const goal = await goalOf(user.id);
    const other = await goalOf(user.id, 'Learn Rust');
    const aboutGoal = await caller.chat.send({
      goalId: goal.id,
      content: 'about go',
      idempotencyKey: randomUUID(),
    });
    const aboutOther = await caller.chat.send({
      goalId: other.id,
      content: 'about rust',
      idempotencyKey: randomUUID(),
    });
    const general = await caller.chat.send({ content: 'general', idempotencyKey: randomUUID() });

    const forGoal = await caller.chat.conversations({ goalId: goal.id });
    expect(forGoal.items.map((c) => c.id)).toEqual([aboutGoal.conversationId]);
    const all = await caller.chat.conversations({});
    expect(all.items.map((c) => c.id).sort()).toEqual(
      [aboutGoal.conversationId, aboutOther.conversationId, general.conversationId].sort(),
    );

    expect(await caller.chat.reset({ goalId: goal.id })).toEqual({ deleted: 1 });
    const left = await caller.chat.conversations({});
    expect(left.items.map((c) => c.id).sort()).toEqual(
      [aboutOther.conversationId, general.conversationId].sort(),
    );
    expect(await caller.chat.reset({})).toEqual({ deleted: 1 });
    expect((await caller.chat.conversations({})).items.map((c) => c.id)).toEqual([
      aboutOther.conversationId,
    ]);
  });

  it('refuses another user’s goal and conversation with NOT_FOUND', async () => {
    const owner = await signedInCaller(services);
    const stranger = await signedInCaller(services);
    const goal = await goalOf(owner.user.id);
    const sent = await owner.caller.chat.send({
      goalId: goal.id,
      content: 'mine',
      idempotencyKey: randomUUID(),
    });
    const notFound = { code: 'NOT_FOUND' };
    await expect(
      stranger.caller.chat.send({ goalId: goal.id, content: 'x', idempotencyKey: randomUUID() }),
    ).rejects.toMatchObject(notFound);
    await expect(stranger.caller.chat.conversations({ goalId: goal.id })).rejects.toMatchObject(
      notFound,
    );
    await expect(stranger.caller.chat.reset({ goalId: goal.id })).rejects.toMatchObject(notFound);
    await expect(
      stranger.caller.chat.history({ conversationId: sent.conversationId }),
    ).rejects.toMatchObject(notFound);
    await expect(
      stranger.caller.chat.stream({ generationId: sent.generationId }),
    ).rejects.toMatchObject(notFound);
    await expect(
      stranger.caller.plan.revise({ goalId: goal.id, instructions: 'more rest' }),
    ).rejects.toMatchObject(notFound);
    // The owner's data is untouched.
    expect((await owner.caller.chat.conversations({ goalId: goal.id })).items).toHaveLength(1);
  });

  it('returns the same ids for a retried send and stores nothing twice', async () => {
    const { user, caller } = await signedInCaller(services);
    const key = randomUUID();
    const a = await caller.chat.send({ content: 'once', idempotencyKey: key });
    const b = await caller.chat.send({ content: 'once', idempotencyKey: key });
    expect(b).toEqual(a);
    const rows = await services.db
      .selectFrom('messages')
      .select('id')
      .where('user_id', '=', user.id)
      .execute();
    expect(rows).toHaveLength(2);
  });
});
