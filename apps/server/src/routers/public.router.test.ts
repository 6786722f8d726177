import { randomUUID } from 'node:crypto';
import { insertPublicConversation } from '@stepwise/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, signedInCaller, type TestServices } from '../testing/test-services.js';
import { createContextInner } from '../trpc/context.js';
import { appRouter, createCaller } from '../trpc/root.js';

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices({
    PUBLIC_MAX_PER_IP_PER_MINUTE: '1000',
    PUBLIC_MAX_PER_CONVERSATION_PER_MINUTE: '1000',
  });
});
afterAll(() => services.close());

/** An owner with a published workspace. */
async function publishedWorkspace() {
  const owner = await signedInCaller(services);
  const workspace = await owner.caller.workspace.update({
    handle: `coach-${randomUUID().slice(0, 8)}`,
    knowledgeBase: 'Sessions are held online.\n\nCancel 24 hours ahead for a full refund.',
    setupCompleted: true,
  });
  return { owner, workspace };
}

function visitorCaller(visitorToken: string | null, ip = '198.51.100.7') {
  return createCaller(createContextInner({ services, visitorToken, ip }));
}

async function visitor(handle: string, ip?: string) {
  const started = await visitorCaller(null, ip).public.startConversation({ handle });
  return { ...started, caller: visitorCaller(started.visitorToken, ip) };
}

describe('public.startConversation', () => {
  it('opens a conversation with a workspace by handle, NOT_FOUND for an unknown one', async () => {
    const { workspace } = await publishedWorkspace();
    const started = await visitorCaller(null).public.startConversation({
      handle: workspace.handle,
    });
    expect(started.visitorToken).toMatch(/^sv_[A-Za-z0-9_-]{43}$/);
    // Only the token's hash is stored.
    const row = await services.db
      .selectFrom('conversations')
      .select(['visitor_token_hash', 'workspace_id', 'channel'])
      .where('id', '=', started.conversationId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ workspace_id: workspace.id, channel: 'web' });
    expect(row.visitor_token_hash).not.toContain(started.visitorToken.slice(3));
    await expect(
      visitorCaller(null).public.startConversation({ handle: 'nobody-here-123' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('finds no assistant until the owner completes the setup (publishes it)', async () => {
    const draft = await signedInCaller(services);
    const { handle } = await draft.caller.workspace.me();
    await expect(visitorCaller(null).public.startConversation({ handle })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await draft.caller.workspace.update({ setupCompleted: true });
    await expect(visitorCaller(null).public.startConversation({ handle })).resolves.toBeTruthy();
  });
});

describe('a visitor token', () => {
  it('opens no owner procedure, whichever it is', async () => {
    const { workspace } = await publishedWorkspace();
    const { caller } = await visitor(workspace.handle);
    const anonymous = new Set(['health.check', 'auth.signUp', 'auth.signIn']);
    const procedures = Object.keys(appRouter._def.procedures);
    const owner = procedures.filter((path) => !path.startsWith('public.') && !anonymous.has(path));
    expect(owner.length).toBeGreaterThan(40);
    for (const path of owner) {
      const [namespace, name] = path.split('.') as [string, string];
      const procedure = (
        caller as unknown as Record<string, Record<string, (i: unknown) => unknown>>
      )[namespace]![name]!;
      await expect((async () => procedure({}))(), path).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
      });
    }
  });

  it("reaches its own conversation only: never another's messages or replies", async () => {
    const { workspace } = await publishedWorkspace();
    const alice = await visitor(workspace.handle);
    const bob = await visitor(workspace.handle);
    const sent = await alice.caller.public.send({
      content: 'Do you hold sessions online?',
      idempotencyKey: randomUUID(),
    });
    expect((await alice.caller.public.messages({})).items.map((m) => m.role)).toEqual([
      'user',
      'assistant',
    ]);
    expect((await bob.caller.public.messages({})).items).toEqual([]);
    await expect(bob.caller.public.messages({ since: sent.userMessageId })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      bob.caller.public.stream({ generationId: sent.generationId }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A forged or unknown token opens nothing.
    for (const token of [`sv_${'A'.repeat(43)}`, 'sv_', alice.visitorToken.slice(0, -1)]) {
      await expect(visitorCaller(token).public.messages({})).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
      });
    }
    // A signed-in user is not a visitor either.
    const user = await signedInCaller(services);
    await expect(user.caller.public.messages({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('owner procedures and public replies', () => {
  it('plan.cancel and chat.stop refuse a public reply; the owner answers with workspace.reply', async () => {
    const { owner, workspace } = await publishedWorkspace();
    const { caller } = await visitor(workspace.handle);
    const sent = await caller.public.send({
      content: 'Can I talk to you?',
      idempotencyKey: randomUUID(),
    });
    const notFound = { code: 'NOT_FOUND' };
    await expect(
      owner.caller.plan.cancel({ generationId: sent.generationId }),
    ).rejects.toMatchObject(notFound);
    await expect(owner.caller.chat.stop({ generationId: sent.generationId })).rejects.toMatchObject(
      notFound,
    );
    await expect(
      owner.caller.chat.history({ conversationId: sent.conversationId }),
    ).rejects.toMatchObject(notFound);

    const reply = await owner.caller.workspace.reply({
      conversationId: sent.conversationId,
      content: 'Hi, this is Ana. Happy to talk tomorrow.',
    });
    expect(reply).toMatchObject({ role: 'assistant', parts: [{ type: 'owner' }] });
    const seen = await caller.public.messages({ since: sent.assistantMessageId });
    expect(seen.items.map((m) => m.content)).toEqual(['Hi, this is Ana. Happy to talk tomorrow.']);
    const page = await owner.caller.workspace.conversation({
      conversationId: sent.conversationId,
      limit: 2,
    });
    expect(page.messages.map((m) => m.id)).toEqual([sent.assistantMessageId, reply.id]);
    const older = await owner.caller.workspace.conversation({
      conversationId: sent.conversationId,
      before: page.olderCursor!,
    });
    expect(older.messages.map((m) => m.id)).toEqual([sent.userMessageId]);
  });

  it('refuses idempotency keys that could read as another key', async () => {
    const { workspace } = await publishedWorkspace();
    const { caller } = await visitor(workspace.handle);
    await expect(
      caller.public.send({ content: 'x', idempotencyKey: 'abcdefgh:reply' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('public.send', () => {
  it('is idempotent per conversation: a retry returns the same ids and stores nothing new', async () => {
    const { workspace } = await publishedWorkspace();
    const { caller } = await visitor(workspace.handle);
    const key = randomUUID();
    const [first, second] = await Promise.all([
      caller.public.send({ content: 'Hello', idempotencyKey: key }),
      caller.public.send({ content: 'Hello', idempotencyKey: key }),
    ]);
    expect(second).toEqual(first);
    expect((await caller.public.messages({})).items).toHaveLength(2);
    // Another visitor may use the same key for their own message.
    const other = await visitor(workspace.handle);
    const theirs = await other.caller.public.send({ content: 'Hi', idempotencyKey: key });
    expect(theirs.conversationId).not.toBe(first.conversationId);
  });

  it('refuses oversized messages', async () => {
    const { workspace } = await publishedWorkspace();
    const { caller } = await visitor(workspace.handle);
    await expect(
      caller.public.send({ content: 'x'.repeat(2_001), idempotencyKey: randomUUID() }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('stops at the daily token budget with a clear TOO_MANY_REQUESTS, storing nothing', async () => {
    const { owner, workspace } = await publishedWorkspace();
    const { caller } = await visitor(workspace.handle);
    await owner.caller.workspace.update({ dailyTokenBudget: 100 });
    await services.db
      .insertInto('workspace_usage')
      .values({
        workspace_id: workspace.id,
        day: new Date().toISOString().slice(0, 10),
        tokens: 100,
      })
      .execute();
    const error = await caller.public
      .send({ content: 'Hello', idempotencyKey: randomUUID() })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      message: expect.stringMatching(/budget/),
    });
    expect((await caller.public.messages({})).items).toEqual([]);
  });
});

describe('workspace conversations for the owner', () => {
  it('lists visitor conversations by channel and tag, with messages and time saved', async () => {
    const { owner, workspace } = await publishedWorkspace();
    const web = await visitor(workspace.handle);
    // Other channels come from server-side integrations, not from public.startConversation.
    const sms = {
      conversationId: (
        await insertPublicConversation(services.db, {
          workspaceId: workspace.id,
          ownerId: owner.user.id,
          channel: 'sms',
          visitorTokenHash: randomUUID(),
        })
      ).id,
    };
    await web.caller.public.send({ content: 'Hi there', idempotencyKey: randomUUID() });
    // The owner's own assistant chats never list visitor conversations.
    expect((await owner.caller.chat.conversations({})).items).toEqual([]);

    const all = await owner.caller.workspace.conversations({});
    expect(all.items.map((c) => c.id).sort()).toEqual(
      [web.conversationId, sms.conversationId].sort(),
    );
    const onlySms = await owner.caller.workspace.conversations({ channel: 'sms' });
    expect(onlySms.items.map((c) => c.id)).toEqual([sms.conversationId]);

    await owner.caller.workspace.tagConversation({
      conversationId: web.conversationId,
      tags: ['Lead', 'lead', 'pricing'],
    });
    const tagged = await owner.caller.workspace.conversations({ tags: ['lead'] });
    expect(tagged.items).toMatchObject([{ id: web.conversationId, tags: ['lead', 'pricing'] }]);
    const future = await owner.caller.workspace.conversations({
      from: new Date(Date.now() + 60_000),
    });
    expect(future.items).toEqual([]);

    const conversation = await owner.caller.workspace.conversation({
      conversationId: web.conversationId,
    });
    expect(conversation.messages.map((m) => m.role)).toEqual(['user', 'assistant']);

    // Another owner sees none of it.
    const stranger = await signedInCaller(services);
    await stranger.caller.workspace.me();
    await expect(
      stranger.caller.workspace.conversation({ conversationId: web.conversationId }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      stranger.caller.workspace.tagConversation({ conversationId: web.conversationId, tags: [] }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await owner.caller.workspace.timeSaved({})).toMatchObject({ conversations: 2 });
  });
});

describe('public rate limits', () => {
  it('trip per conversation and per IP with TOO_MANY_REQUESTS and retryAfterMs, storing nothing', async () => {
    const limited = await createTestServices({
      PUBLIC_MAX_PER_IP_PER_MINUTE: '5',
      PUBLIC_MAX_PER_CONVERSATION_PER_MINUTE: '2',
    });
    try {
      const { workspace } = await publishedWorkspace();
      const ip = `203.0.113.${Math.floor(Math.random() * 250)}`;
      const caller = (token: string | null) =>
        createCaller(createContextInner({ services: limited, visitorToken: token, ip }));
      const started = await caller(null).public.startConversation({ handle: workspace.handle });
      const visitorCalls = caller(started.visitorToken);
      await visitorCalls.public.send({ content: 'one', idempotencyKey: randomUUID() });
      const retried = randomUUID();
      await visitorCalls.public.send({ content: 'two', idempotencyKey: retried });
      const third = await visitorCalls.public
        .send({ content: 'three', idempotencyKey: randomUUID() })
        .catch((e: unknown) => e);
      expect(third).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
      expect(
        (third as { cause: { details: { retryAfterMs: number } } }).cause.details.retryAfterMs,
      ).toBeGreaterThan(0);
      // A retry of a stored send is answered, limit or not: nothing is lost.
      await expect(
        visitorCalls.public.send({ content: 'two', idempotencyKey: retried }),
      ).resolves.toMatchObject({ conversationId: started.conversationId });
      expect((await visitorCalls.public.messages({})).items.map((m) => m.content)).toEqual([
        'one',
        expect.any(String),
        'two',
        expect.any(String),
      ]);
      // Per IP (5): the start and three sends (the refused one too) counted; one more start fits.
      await caller(null).public.startConversation({ handle: workspace.handle });
      await expect(
        caller(null).public.startConversation({ handle: workspace.handle }),
      ).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    } finally {
      await limited.close();
    }
  });
});
