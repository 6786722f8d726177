import { randomUUID } from 'node:crypto';
import { getGeneration, listStreamEvents, removeJob } from '@stepwise/db';
import { insertGoalRow, insertUser } from '@stepwise/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage } from '../services/chat/chat-send.service.js';
import {
  generationJobKey,
  startPlanGeneration,
} from '../services/plans/plan-generation.service.js';
import { createTestServices, type TestServices } from '../testing/test-services.js';
import { recoverStaleGenerations } from './recover-stale-generations.js';

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

const noWorkers = { forceUnlockWorkers: async () => {} };

/** As a worker killed mid-run after its job used up its attempts leaves it. */
async function orphan(generationId: string) {
  await removeJob(services.db, generationJobKey(generationId));
  await services.db
    .updateTable('generations')
    .set({ status: 'running', heartbeat_at: new Date(Date.now() - 60_000) })
    .where('id', '=', generationId)
    .execute();
}

describe('recoverStaleGenerations', () => {
  it('fails an orphaned plan generation with a failed event and a failed goal', async () => {
    const user = await insertUser(services.db);
    const { goalId, generationId } = await startPlanGeneration(services, {
      userId: user.id,
      request: { goal: 'Learn to juggle', durationWeeks: 2 },
    });
    await orphan(generationId);
    expect((await recoverStaleGenerations(services, noWorkers, 1_000)).failed).toBeGreaterThan(0);

    expect(await getGeneration(services.db, generationId)).toMatchObject({
      status: 'failed',
      error_code: 'INTERNAL',
    });
    const events = await listStreamEvents(services.db, { generationId });
    expect(events.at(-1)?.data).toMatchObject({ type: 'failed', code: 'INTERNAL' });
    const goal = await services.db
      .selectFrom('goals')
      .select(['status', 'failure_code'])
      .where('id', '=', goalId)
      .executeTakeFirstOrThrow();
    expect(goal).toEqual({ status: 'failed', failure_code: 'INTERNAL' });
  });

  it('ends an orphaned chat reply about a goal with a chat error, leaving the goal active', async () => {
    const user = await insertUser(services.db);
    const goal = await insertGoalRow(services.db, user.id);
    const sent = await sendMessage(services, {
      userId: user.id,
      goalId: goal.id,
      content: 'How am I doing?',
      idempotencyKey: randomUUID(),
    });
    await orphan(sent.generationId);
    await recoverStaleGenerations(services, noWorkers, 1_000);

    const events = await listStreamEvents(services.db, { generationId: sent.generationId });
    expect(events.map((e) => e.type)).toEqual(['start', 'error']);
    expect(events.at(-1)?.data).toMatchObject({
      type: 'error',
      messageId: sent.assistantMessageId,
      code: 'INTERNAL',
    });
    const message = await services.db
      .selectFrom('messages')
      .select('status')
      .where('id', '=', sent.assistantMessageId)
      .executeTakeFirstOrThrow();
    expect(message.status).toBe('error');
    const after = await services.db
      .selectFrom('goals')
      .select('status')
      .where('id', '=', goal.id)
      .executeTakeFirstOrThrow();
    expect(after.status).toBe('active');
  });
});
