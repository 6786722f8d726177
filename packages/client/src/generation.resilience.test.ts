import { examplePlan, type MockOpenAI, planSteps, startMockOpenAI } from '@stepwise/ai/testing';
import type { RunningServer } from '@stepwise/server';
import { startTestServer } from '@stepwise/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanProgressEvent } from './index.js';
import { followPlan, type Received, signUpClient } from './testing/follow.js';

const START = '2026-03-02';
const plan = examplePlan({ weeks: 2, startDate: START, tasksPerDay: 2, effortMinutes: 20 });
const TASKS = 12;

let mock: MockOpenAI;
let apiOnly: RunningServer;
let withWorker: RunningServer;

beforeAll(async () => {
  mock = await startMockOpenAI();
  const ai = { OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: mock.url, AI_PROVIDER: 'openai' };
  // Two instances on one database: A has no worker, B runs the jobs.
  apiOnly = await startTestServer({ ...ai, RUN_WORKER: 'false' });
  withWorker = await startTestServer({ ...ai, RUN_WORKER: 'true' });
});
afterAll(async () => {
  await apiOnly?.close();
  await withWorker?.close();
  await mock?.close();
});

async function userClients() {
  const { client, clientOn } = await signUpClient(apiOnly.url);
  return { a: client, b: clientOn(withWorker.url) };
}

describe('plan generation across instances', () => {
  it('generates through one instance while another streams it, live', async () => {
    mock.reset();
    mock.script(planSteps.streamJson(plan, { chunkSize: 30, delayMs: 15 }));
    const { a, b } = await userClients();
    const { generationId, goalId } = await a.plan.generate.mutate({
      goal: 'Learn to juggle',
      durationWeeks: 2,
      startDate: START,
    });
    const [onA, onB] = await Promise.all([
      followPlan(a, { generationId }),
      followPlan(b, { generationId }),
    ]);
    expect(onB.map((e) => e.id)).toEqual(onA.map((e) => e.id));
    expect(onA.filter((e) => e.data.type === 'task')).toHaveLength(TASKS);
    expect(onA.at(-1)?.data.type).toBe('completed');
    const goal = await b.goal.get.query({ goalId });
    expect(goal.tasks).toHaveLength(TASKS);
  });

  it('resumes a subscription cut at several points into exactly the uninterrupted sequence', async () => {
    mock.reset();
    mock.script(planSteps.streamJson(plan, { chunkSize: 20, delayMs: 25 }));
    const { a, b } = await userClients();
    const { generationId } = await a.plan.generate.mutate({
      goal: 'Learn to juggle',
      durationWeeks: 2,
      startDate: START,
    });
    const uninterrupted = followPlan(a, { generationId });

    // Cut live after 1, then 2, then 3 more events, alternating instances, resuming by id.
    const pieces: Received<PlanProgressEvent>[] = [];
    const clients = [b, a, b, a];
    for (const [i, size] of [1, 2, 3].entries()) {
      const lastEventId = pieces.at(-1)?.id;
      pieces.push(
        ...(await followPlan(
          clients[i]!,
          { generationId, ...(lastEventId ? { lastEventId } : {}) },
          size,
        )),
      );
    }
    pieces.push(
      ...(await followPlan(clients[3]!, { generationId, lastEventId: pieces.at(-1)!.id })),
    );
    const full = await uninterrupted;
    expect(pieces.map((e) => e.id)).toEqual(full.map((e) => e.id));
    expect(pieces.map((e) => e.data)).toEqual(full.map((e) => e.data));
  });
});
