import { randomUUID } from 'node:crypto';
import type { MockOpenAI } from '@stepwise/ai/testing';
import type { RunningServer } from '@stepwise/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followChat, replyText, signUpClient } from './testing/follow.js';
import { startOnlineServer } from './testing/online.js';

let mock: MockOpenAI;
let online: RunningServer;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ mock, server: online, close: stop } = await startOnlineServer());
});
afterAll(() => stop?.());

describe('chat with a (mock) model over SSE', () => {
  it('resumes a reply stream cut mid-way into exactly the uninterrupted sequence', async () => {
    const client = (await signUpClient(online.url)).client;
    mock.reset();
    mock.script({
      kind: 'stream',
      chunks: Array.from({ length: 30 }, (_, i) => `t${i} `),
      delayMs: 20,
    });
    const sent = await client.chat.send.mutate({
      content: 'Tell me about pacing',
      idempotencyKey: randomUUID(),
    });
    const uninterrupted = followChat(client, { generationId: sent.generationId });
    const first = await followChat(client, { generationId: sent.generationId }, 3);
    const rest = await followChat(client, {
      generationId: sent.generationId,
      lastEventId: first.at(-1)!.id,
    });
    const full = await uninterrupted;
    expect([...first, ...rest].map((e) => e.id)).toEqual(full.map((e) => e.id));
    expect(replyText(full)).toBe(Array.from({ length: 30 }, (_, i) => `t${i} `).join(''));
  });

  it('stops a reply mid-stream and keeps the partial text; closing the stream is not a stop', async () => {
    const client = (await signUpClient(online.url)).client;
    mock.reset();
    mock.script({
      kind: 'stream',
      chunks: Array.from({ length: 40 }, (_, i) => `s${i} `),
      delayMs: 25,
    });
    const sent = await client.chat.send.mutate({
      content: 'Long answer please',
      idempotencyKey: randomUUID(),
    });
    // A subscriber that goes away does not stop the reply.
    await followChat(client, { generationId: sent.generationId }, 2);
    const seen = await followChat(client, { generationId: sent.generationId }, 6);
    expect(await client.chat.stop.mutate({ generationId: sent.generationId })).toEqual({
      stopped: true,
    });
    const all = await followChat(client, { generationId: sent.generationId });
    expect(all.at(-1)?.data).toMatchObject({ type: 'end', reason: 'stopped' });
    // A later subscriber replays the same events the earlier one saw, then the rest.
    expect(all.slice(0, seen.length).map((e) => e.id)).toEqual(seen.map((e) => e.id));
    const history = await client.chat.history.query({ conversationId: sent.conversationId });
    const reply = history.items.find((m) => m.id === sent.assistantMessageId)!;
    expect(reply.status).toBe('stopped');
    expect(reply.content).toBe(replyText(all));
    expect(reply.content).not.toContain('s39');
  });

  it('stores one message for duplicate sends racing over HTTP', async () => {
    const client = (await signUpClient(online.url)).client;
    mock.reset();
    mock.setDefault({ kind: 'stream', chunks: ['ok'] });
    const key = randomUUID();
    const sends = await Promise.all(
      Array.from({ length: 4 }, () =>
        client.chat.send.mutate({ content: 'same message', idempotencyKey: key }),
      ),
    );
    expect(new Set(sends.map((s) => s.userMessageId)).size).toBe(1);
    await followChat(client, { generationId: sends[0]!.generationId });
    const history = await client.chat.history.query({ conversationId: sends[0]!.conversationId });
    expect(history.items.filter((m) => m.role === 'user')).toHaveLength(1);
    mock.setDefault(undefined);
  });
});
