import { randomBytes, randomUUID } from 'node:crypto';
import type { ChatStreamEvent, RunningServer } from '@stepwise/server';
import { startTestServer } from '@stepwise/server/testing';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStepwiseClient, type StepwiseClient } from './index.js';

let offline: RunningServer;
beforeAll(async () => {
  // No OPENAI_* settings: the offline assistant answers, through the real job worker.
  offline = await startTestServer({ RUN_WORKER: 'true' });
});
afterAll(() => offline?.close());

async function signUp(server: RunningServer) {
  let token: string | undefined;
  const client = createStepwiseClient({ url: server.url, getToken: () => token, EventSource });
  ({ token } = await client.auth.signUp.mutate({
    email: `chat-${randomBytes(4).toString('hex')}@example.test`,
    password: 'long enough',
    name: 'Chat',
  }));
  return client;
}

type Received = { id: string; data: ChatStreamEvent };
function follow(
  client: StepwiseClient,
  input: { generationId: string; lastEventId?: string },
  stopAfter = Infinity,
) {
  return new Promise<Received[]>((resolve, reject) => {
    const received: Received[] = [];
    const sub = client.chat.stream.subscribe(input, {
      onData: ({ id, data }) => {
        received.push({ id, data });
        if (data.type === 'end' || data.type === 'error' || received.length >= stopAfter) {
          sub.unsubscribe();
          resolve(received);
        }
      },
      onError: reject,
    });
  });
}

const text = (events: Received[]) =>
  events.map((e) => (e.data.type === 'delta' ? e.data.text : '')).join('');

describe('chat over HTTP and SSE', () => {
  it('streams an offline reply end to end and stores it', async () => {
    const client = await signUp(offline);
    const sent = await client.chat.send.mutate({
      content: 'What should I do today?',
      idempotencyKey: randomUUID(),
    });
    const events = await follow(client, { generationId: sent.generationId });
    expect(events[0]?.data).toMatchObject({ type: 'start', messageId: sent.assistantMessageId });
    expect(events.at(-1)?.data).toMatchObject({ type: 'end', reason: 'complete' });
    const history = await client.chat.history.query({ conversationId: sent.conversationId });
    expect(history.items.map((m) => m.role)).toEqual(['assistant', 'user']);
    expect(history.items[0]).toMatchObject({ status: 'complete', content: text(events) });
    const conversations = await client.chat.conversations.query({});
    expect(conversations.items.map((c) => c.id)).toContain(sent.conversationId);
  });

  it('answers NOT_FOUND for another user’s conversation and reply', async () => {
    const owner = await signUp(offline);
    const stranger = await signUp(offline);
    const sent = await owner.chat.send.mutate({ content: 'hi', idempotencyKey: randomUUID() });
    await follow(owner, { generationId: sent.generationId });
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
    const error = await follow(stranger, { generationId: sent.generationId }).catch(
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
