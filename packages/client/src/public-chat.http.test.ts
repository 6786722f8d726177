import { randomUUID } from 'node:crypto';
import type { RunningServer } from '@stepwise/server';
import { startTestServer } from '@stepwise/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyText } from './testing/follow.js';
import { followPublic, publish, visit } from './testing/public.js';

let offline: RunningServer;
beforeAll(async () => {
  // No OPENAI_* settings: the offline public assistant answers, through the real job worker.
  offline = await startTestServer({ RUN_WORKER: 'true' });
});
afterAll(() => offline?.close());

describe('public chat over HTTP and SSE', () => {
  it('answers offline from the knowledge base, resumes after a cut, and stores the reply', async () => {
    const { owner, workspace } = await publish(offline.url);
    const visitor = await visit(offline.url, workspace.handle);
    const sent = await visitor.client.public.send.mutate({
      content: 'What is your cancellation policy?',
      idempotencyKey: randomUUID(),
    });
    const uninterrupted = followPublic(visitor.client, { generationId: sent.generationId });
    const first = await followPublic(visitor.client, { generationId: sent.generationId }, 2);
    const rest = await followPublic(visitor.client, {
      generationId: sent.generationId,
      lastEventId: first.at(-1)!.id,
    });
    const full = await uninterrupted;
    expect([...first, ...rest].map((e) => e.id)).toEqual(full.map((e) => e.id));
    expect(new Set(full.map((e) => e.id)).size).toBe(full.length);
    expect(full[0]!.data).toMatchObject({ type: 'start', messageId: sent.assistantMessageId });
    expect(full.at(-1)!.data).toMatchObject({ type: 'end', reason: 'complete' });
    expect(replyText(full)).toContain('cancel 24 hours ahead');

    const { items } = await visitor.client.public.messages.query({});
    expect(items.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
    ]);
    expect(items[1]!.content).toBe(replyText(full));
    const since = await visitor.client.public.messages.query({ since: sent.userMessageId });
    expect(since.items.map((m) => m.id)).toEqual([sent.assistantMessageId]);

    // The owner reads it, with the time it saved.
    const conversation = await owner.workspace.conversation.query({
      conversationId: visitor.conversationId,
    });
    expect(conversation).toMatchObject({ messageCount: 2, timeSavedMinutes: 3 });
    // And the visitor's token opens none of the owner's procedures.
    await expect(visitor.client.workspace.me.query()).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED' },
    });
  });

  it('gives the booking link offline and hands off to the owner when asked for a person', async () => {
    const { owner, workspace } = await publish(offline.url);
    const visitor = await visit(offline.url, workspace.handle);
    const book = await visitor.client.public.send.mutate({
      content: 'Can I book an appointment?',
      idempotencyKey: randomUUID(),
    });
    expect(
      replyText(await followPublic(visitor.client, { generationId: book.generationId })),
    ).toContain('https://calendly.com/calm-studio/60min');
    const person = await visitor.client.public.send.mutate({
      content: 'I would like to talk to a person',
      idempotencyKey: randomUUID(),
    });
    const events = await followPublic(visitor.client, { generationId: person.generationId });
    expect(events.map((e) => e.data.type)).toContain('tool_result');
    const handedOff = await owner.workspace.conversations.query({ tags: ['handoff'] });
    expect(handedOff.items.map((c) => c.id)).toEqual([visitor.conversationId]);
  });
});

describe('public chat limits over HTTP', () => {
  it('answers TOO_MANY_REQUESTS with data.retryAfterMs past the per-conversation rate', async () => {
    const { workspace } = await publish(offline.url);
    const visitor = await visit(offline.url, workspace.handle);
    for (let i = 0; i < 6; i++) {
      await visitor.client.public.send.mutate({ content: `m${i}`, idempotencyKey: randomUUID() });
    }
    const error = await visitor.client.public.send
      .mutate({ content: 'one too many', idempotencyKey: randomUUID() })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      data: { code: 'TOO_MANY_REQUESTS', domainCode: 'RATE_LIMITED' },
    });
    const { retryAfterMs } = (error as { data: { retryAfterMs: number } }).data;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
    const { items } = await visitor.client.public.messages.query({ limit: 200 });
    expect(items.filter((m) => m.role === 'user').map((m) => m.content)).toEqual([
      'm0',
      'm1',
      'm2',
      'm3',
      'm4',
      'm5',
    ]);
  });
});
