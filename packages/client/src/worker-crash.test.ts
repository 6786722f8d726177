import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { examplePlan, type MockOpenAI, planSteps, startMockOpenAI } from '@stepwise/ai/testing';
import { useTestDatabase } from '@stepwise/db/testing';
import type { RunningServer } from '@stepwise/server';
import { startTestServer } from '@stepwise/server/testing';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStepwiseClient, type PlanProgressEvent } from './index.js';

const START = '2026-03-02';
const plan = examplePlan({ weeks: 2, startDate: START, tasksPerDay: 2, effortMinutes: 20 });
const serverDir = path.resolve(import.meta.dirname, '../../../apps/server');

let mock: MockOpenAI;
let api: RunningServer;
let databaseUrl: string;
const workers: ChildProcess[] = [];

/** `pnpm worker` as a separate process (from sources), on this test's database. */
function startWorkerProcess(): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=stepwise-source', 'src/worker.ts'],
    {
      cwd: serverDir,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        OPENAI_API_KEY: 'test-key',
        OPENAI_BASE_URL: mock.url,
        AI_PROVIDER: 'openai',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        AUTO_MIGRATE: 'false',
        WORKER_STALE_AFTER_MS: '3000',
        WORKER_SWEEP_INTERVAL_MS: '500',
      },
      stdio: process.env.TEST_LOG_LEVEL ? 'inherit' : 'ignore',
    },
  );
  workers.push(child);
  return child;
}

beforeAll(async () => {
  mock = await startMockOpenAI();
  databaseUrl = (await useTestDatabase()).url;
  // The API instance runs no worker: only the separate worker processes take jobs.
  api = await startTestServer({ RUN_WORKER: 'false' });
});
afterAll(async () => {
  for (const child of workers)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await api?.close();
  await mock?.close();
});

describe('a worker killed mid-generation', () => {
  it('loses nothing: another worker takes the job over and the generation completes', async () => {
    // The first attempt streams slowly (its worker dies during it); the retry answers at once.
    mock.script([
      planSteps.streamJson(plan, { chunkSize: 10, delayMs: 100 }),
      planSteps.streamJson(plan),
    ]);
    let token: string | undefined;
    const client = createStepwiseClient({ url: api.url, getToken: () => token, EventSource });
    ({ token } = await client.auth.signUp.mutate({
      email: `crash-${randomBytes(4).toString('hex')}@example.test`,
      password: 'long enough',
      name: 'Crash',
    }));

    const first = startWorkerProcess();
    const { generationId, goalId } = await client.plan.generate.mutate({
      goal: 'Learn to juggle',
      durationWeeks: 2,
      startDate: START,
    });

    const events: PlanProgressEvent[] = [];
    let restarted = false;
    await new Promise<void>((resolve, reject) => {
      const sub = client.plan.progress.subscribe(
        { generationId },
        {
          onData: ({ data }) => {
            events.push(data);
            if (data.type === 'task' && !restarted) {
              restarted = true;
              first.kill('SIGKILL');
              startWorkerProcess();
            }
            if (data.type === 'completed' || data.type === 'failed') {
              sub.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });

    expect(restarted).toBe(true);
    expect(events.at(-1)?.type).toBe('completed');
    const indexes = events.flatMap((e) => (e.type === 'task' ? [e.index] : []));
    expect(indexes).toEqual([...new Set(indexes)].sort((x, y) => x - y));
    const goal = await client.goal.get.query({ goalId });
    expect(goal.status).toBe('active');
    expect(goal.tasks).toHaveLength(12);
    const generation = await api.services.db
      .selectFrom('generations')
      .select(['status', 'attempts'])
      .where('id', '=', generationId)
      .executeTakeFirstOrThrow();
    expect(generation).toEqual({ status: 'completed', attempts: 2 });
  }, 60_000);
});
