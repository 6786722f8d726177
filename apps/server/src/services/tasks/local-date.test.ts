import { randomUUID } from 'node:crypto';
import { resolveAiConfig } from '@stepwise/ai';
import { type MockOpenAI, startMockOpenAI } from '@stepwise/ai/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestServices,
  signedInCaller,
  type TestServices,
} from '../../testing/test-services.js';
import { sendMessage } from '../chat/chat-send.service.js';
import { runChatReply } from '../chat/run-chat-reply.js';
import { startPlanGeneration } from '../plans/plan-generation.service.js';
import { localDate, localDateTime, userToday } from './local-date.js';

let services: TestServices;
let mock: MockOpenAI;
beforeAll(async () => {
  mock = await startMockOpenAI();
  services = await createTestServices();
});
afterAll(async () => {
  await services.close();
  await mock.close();
});

describe('local dates', () => {
  it('reads the wall clock of a zone, across the date line and at odd offsets', () => {
    const instant = new Date('2025-03-15T10:30:00Z');
    expect(localDate('Pacific/Pago_Pago', instant)).toBe('2025-03-14');
    expect(localDate('UTC', instant)).toBe('2025-03-15');
    expect(localDate('Pacific/Kiritimati', instant)).toBe('2025-03-16');
    expect(localDateTime('Asia/Kathmandu', new Date('2025-03-15T20:00:00Z'))).toEqual({
      date: '2025-03-16',
      time: '01:45:00',
    });
    // Midnight is 00, not 24.
    expect(localDateTime('UTC', new Date('2025-03-15T00:00:05Z')).time).toBe('00:00:05');
  });

  it('gives each person their own today, and starts a plan on it by default', async () => {
    const { user, caller } = await signedInCaller(services);
    const instant = new Date('2025-03-15T10:30:00Z');
    expect(await userToday(services.db, user.id, instant)).toBe('2025-03-15');
    await caller.auth.updateProfile({ timezone: 'Pacific/Kiritimati' });
    expect(await userToday(services.db, user.id, instant)).toBe('2025-03-16');

    const before = localDate('Pacific/Kiritimati');
    const { goalId } = await startPlanGeneration(services, {
      userId: user.id,
      request: { goal: 'Learn to juggle', durationWeeks: 1 },
    });
    const after = localDate('Pacific/Kiritimati');
    const goal = await caller.goal.get({ goalId });
    // Kiritimati is 14 hours ahead of UTC: its date is not UTC's for 14 hours of each day.
    expect([before, after]).toContain(goal.requirements.startDate);
    // An explicit start date is kept as given.
    const explicit = await startPlanGeneration(services, {
      userId: user.id,
      request: { goal: 'Learn to juggle', durationWeeks: 1, startDate: '2031-01-06' },
    });
    expect((await caller.goal.get({ goalId: explicit.goalId })).requirements).toMatchObject({
      startDate: '2031-01-06',
      endDate: '2031-01-12',
    });
  });

  it("tells the assistant the person's today", async () => {
    const online: TestServices = {
      ...services,
      ai: resolveAiConfig({ apiKey: 'test-key', baseUrl: mock.url, provider: 'openai' }),
    };
    const { user, caller } = await signedInCaller(services);
    await caller.auth.updateProfile({ timezone: 'Pacific/Kiritimati' });
    mock.reset();
    mock.script({ kind: 'stream', chunks: ['Noted.'] });
    const before = localDate('Pacific/Kiritimati');
    const sent = await sendMessage(online, {
      userId: user.id,
      content: 'What should I do today?',
      idempotencyKey: randomUUID(),
    });
    await runChatReply(online, { generationId: sent.generationId, isLastAttempt: true });
    const after = localDate('Pacific/Kiritimati');
    // On the real clock (a reply takes no `now`): Kiritimati's date differs from UTC's from
    // 10:00 to 24:00 UTC, so this tells them apart for 14 hours of each day.
    const system = String(mock.requests[0]?.messages[0]?.content);
    const today = /Today is \w+, (\d{4}-\d{2}-\d{2})\./.exec(system)?.[1];
    expect([before, after]).toContain(today);
  });
});
