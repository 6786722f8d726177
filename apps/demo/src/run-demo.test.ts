import { randomBytes } from 'node:crypto';
import { createStepwiseClient } from '@stepwise/client';
import type { RunningServer } from '@stepwise/server';
import { startTestServer } from '@stepwise/server/testing';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMinutes, stripAnsi } from './render-plan.js';
import { DemoGenerationError, runDemo } from './run-demo.js';

let server: RunningServer;

function collect() {
  const chunks: string[] = [];
  return { out: { write: (text: string) => void chunks.push(text) }, text: () => chunks.join('') };
}

const account = () => ({
  email: `demo-test-${randomBytes(4).toString('hex')}@example.test`,
  password: 'long enough password',
});

async function signIn(credentials: { email: string; password: string }) {
  let token: string | undefined;
  const client = createStepwiseClient({ url: server.url, getToken: () => token, EventSource });
  ({ token } = await client.auth.signIn.mutate(credentials));
  return client;
}

describe('runDemo with the offline planner', () => {
  beforeAll(async () => {
    // No OPENAI_* settings: the offline planner, through the real job worker.
    server = await startTestServer({ RUN_WORKER: 'true' });
  });
  afterAll(() => server?.close());

  it('streams the tasks, then prints the plan by week and the planner used', async () => {
    const { out, text } = collect();
    const credentials = account();
    const result = await runDemo({
      url: server.url,
      goal: 'Learn to play chess',
      weeks: 2,
      hours: 0.5,
      level: 'beginner',
      out,
      isTTY: false,
      account: credentials,
    });

    const goal = await (await signIn(credentials)).goal.get.query({ goalId: result.goalId });
    expect(result.taskCount).toBe(goal.tasks.length);
    expect(result.taskCount).toBeGreaterThan(0);
    expect(result.offline).toBe(true);

    const output = text();
    // Plain lines only: no escapes when stdout is not a terminal.
    expect(output).toBe(stripAnsi(output));
    expect(output).toContain('Planning: Learn to play chess (2 weeks, 30 min a day, beginner)');
    expect(output).toContain('phase 1/7: queued');
    expect(output).toContain('phase 7/7: completed');
    const first = goal.tasks[0]!;
    expect(output).toContain(
      `#1  W${first.week} D${first.day}  ${first.startDate}  ${first.title} (${first.effortMinutes} min, ${first.category})`,
    );
    expect(output).toMatch(/^Week 1 · .+$/m);
    expect(output).toMatch(/^Week 2 · .+$/m);
    expect(output).not.toMatch(/^Week 3/m);
    // Every task appears twice: once as it streamed, once in its week's table.
    for (const task of goal.tasks) {
      expect(output.split(task.title).length - 1).toBeGreaterThanOrEqual(2);
    }
    const total = goal.tasks.reduce((sum, t) => sum + (t.effortMinutes ?? 0), 0);
    expect(output).toContain(
      `Planner: offline planner (deterministic, no LLM) · ${goal.tasks.length} tasks · total effort ${formatMinutes(total)}`,
    );
    // The streamed lines come before the tables.
    expect(output.indexOf('#1 ')).toBeLessThan(output.indexOf('Week 1 · '));
  });
});

describe('runDemo interrupted', () => {
  beforeAll(async () => {
    // No worker: the generation stays queued until the demo cancels it.
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('stops when aborted (Ctrl-C): cancels the generation and rejects with the reason', async () => {
    const { out, text } = collect();
    const controller = new AbortController();
    const reason = new Error('interrupted');
    const credentials = account();
    let goalId: string | undefined;
    const run = runDemo({
      url: server.url,
      goal: 'Write a short story',
      weeks: 12,
      out: {
        write: (chunk) => {
          out.write(chunk);
          if (chunk.includes('phase 1/7')) controller.abort(reason);
        },
      },
      isTTY: false,
      signal: controller.signal,
      account: credentials,
      onStarted: (ids) => {
        goalId = ids.goalId;
      },
    });
    await expect(run).rejects.toBe(reason);
    expect(text()).toContain('Stopped: cancelling the generation.');

    expect(goalId).toBeDefined();
    const goal = await (await signIn(credentials)).goal.get.query({ goalId: goalId! });
    expect(goal.status).toBe('failed');
    expect(goal.failure?.code).toBe('CANCELLED');
  });
});

// Its own server, after the offline one has stopped: a worker on the same database would
// otherwise pick up the job and plan it offline.
describe('runDemo when the generation fails', () => {
  beforeAll(async () => {
    // An LLM endpoint where nothing listens, with a deadline short enough for a test.
    server = await startTestServer({
      RUN_WORKER: 'true',
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      AI_PROVIDER: 'openai',
      AI_REQUEST_TIMEOUT_MS: '500',
      AI_DEADLINE_MS: '1000',
    });
  });
  afterAll(() => server?.close());

  it('prints the failure code and message and rejects when the generation fails', async () => {
    const { out, text } = collect();
    const error = await runDemo({ url: server.url, goal: 'Learn Go', out, isTTY: false }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DemoGenerationError);
    const { code } = error as DemoGenerationError;
    expect(code).toMatch(/^LLM_/);
    expect(text()).toMatch(new RegExp(`generation failed: ${code} — \\S`));
    expect(text()).not.toContain('Week 1');
  });
});
