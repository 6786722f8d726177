import { randomUUID } from 'node:crypto';
import type { MockOpenAI } from '@stepwise/ai/testing';
import type { RunningServer } from '@stepwise/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOnlineServer } from './testing/online.js';
import { followPublic, publish, visit } from './testing/public.js';

let mock: MockOpenAI;
let online: RunningServer;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ mock, server: online, close: stop } = await startOnlineServer());
});
afterAll(() => stop?.());

describe('public chat with a (mock) model over SSE', () => {
  it('answers with a model: tone, knowledge and services in the prompt, tools on the workspace', async () => {
    const { owner, workspace } = await publish(online.url);
    const visitor = await visit(online.url, workspace.handle);
    mock.reset();
    mock.script([
      {
        kind: 'tool_calls',
        calls: [
          { name: 'list_services', arguments: '{}' },
          { name: 'booking_link', arguments: '{}' },
        ],
        usage: { prompt_tokens: 300, completion_tokens: 20 },
      },
      {
        kind: 'stream',
        chunks: ['Private yoga is 50 USD. ', 'Book at https://calendly.com/calm-studio/60min'],
        usage: { prompt_tokens: 350, completion_tokens: 30 },
      },
    ]);
    const sent = await visitor.client.public.send.mutate({
      content: 'What do you offer and how do I book?',
      idempotencyKey: randomUUID(),
    });
    const events = await followPublic(visitor.client, { generationId: sent.generationId });
    const results = events.flatMap((e) => (e.data.type === 'tool_result' ? [e.data] : []));
    expect(results).toMatchObject([
      {
        name: 'list_services',
        result: { services: [{ name: 'Private yoga', priceCents: 5_000 }] },
      },
      { name: 'booking_link', result: { link: 'https://calendly.com/calm-studio/60min' } },
    ]);
    expect(events.at(-1)!.data).toMatchObject({ type: 'end', usage: { totalTokens: 700 } });

    // The tokens count against the workspace's day: past its budget, sends are refused.
    await owner.workspace.update.mutate({ dailyTokenBudget: 500 });
    await expect(
      visitor.client.public.send.mutate({
        content: 'And on Sundays?',
        idempotencyKey: randomUUID(),
      }),
    ).rejects.toMatchObject({
      data: { code: 'TOO_MANY_REQUESTS', domainCode: 'BUDGET_EXHAUSTED' },
    });

    const system = String(mock.requests[0]!.messages[0]!.content);
    expect(system).toContain('Calm Studio');
    expect(system).toContain('Be warm and caring.');
    expect(system).toContain('cancel 24 hours ahead');
    expect(system).toContain('Private yoga (60 min, 50 USD)');
    expect(system).not.toContain('Old class');
    expect(
      mock.requests[0]!.tools?.map((t) => (t as { function: { name: string } }).function.name),
    ).toEqual(['list_services', 'booking_link', 'hand_off']);
  });
});
