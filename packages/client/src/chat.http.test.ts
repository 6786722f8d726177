import { randomUUID } from 'node:crypto';
import type { RunningServer } from '@stepwise/server';
import { startTestServer } from '@stepwise/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followChat, replyText, signUpClient } from './testing/follow.js';

let offline: RunningServer;
beforeAll(async () => {
  // No OPENAI_* settings: the offline assistant answers, through the real job worker.
  offline = await startTestServer({ RUN_WORKER: 'true' });
});
afterAll(() => offline?.close());

describe('chat over HTTP and SSE', () => {
  it('streams an offline reply end to end and stores it', async () => {
    const client = (await signUpClient(offline.url)).client;
    const sent = await client.chat.send.mutate({
      content: 'What should I do today?',
      idempotencyKey: randomUUID(),
    });
    const events = await followChat(client, { generationId: sent.generationId });
    expect(events[0]?.data).toMatchObject({ type: 'start', messageId: sent.assistantMessageId });
    expect(events.at(-1)?.data).toMatchObject({ type: 'end', reason: 'complete' });
    const history = await client.chat.history.query({ conversationId: sent.conversationId });
    expect(history.items.map((m) => m.role)).toEqual(['assistant', 'user']);
    expect(history.items[0]).toMatchObject({ status: 'complete', content: replyText(events) });
    const conversations = await client.chat.conversations.query({});
    expect(conversations.items.map((c) => c.id)).toContain(sent.conversationId);
  });

  it('answers NOT_FOUND for another user’s conversation and reply', async () => {
    const owner = (await signUpClient(offline.url)).client;
    const stranger = (await signUpClient(offline.url)).client;
    const sent = await owner.chat.send.mutate({ content: 'hi', idempotencyKey: randomUUID() });
    await followChat(owner, { generationId: sent.generationId });
    const notFound = { data: { code: 'NOT_FOUND' } };
    await expect(
      stranger.chat.history.query({ conversationId: sent.conversationId }),
    ).rejects.toMatchObject(notFound);
    await expect(
      stranger.chat.stop.mutate({ generationId: sent.generationId }),
    ).rejects.toMatchObject(notFound);
    await expect(
      stranger.chat.delete.mutate({ conversationId: sent.conversationId }),
    ).rejects.toMatchObject(notFound);
    await expect(
      stranger.chat.send.mutate({
        conversationId: sent.conversationId,
        content: 'x',
        idempotencyKey: randomUUID(),
      }),
    ).rejects.toMatchObject(notFound);
    const error = await followChat(stranger, { generationId: sent.generationId }).catch(
      (e: unknown) => e,
    );
    expect(String((error as { message?: string }).message ?? error)).toMatch(/not found/i);
    // The owner can still delete it; then it is gone.
    await owner.chat.delete.mutate({ conversationId: sent.conversationId });
    await expect(
      owner.chat.history.query({ conversationId: sent.conversationId }),
    ).rejects.toMatchObject(notFound);
  });
});
