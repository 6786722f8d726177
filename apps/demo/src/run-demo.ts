import { randomBytes } from 'node:crypto';
import {
  createStepwiseClient,
  type PlanProgressEvent,
  type RouterInputs,
  type StepwiseClient,
} from '@stepwise/client';
import { EventSource } from 'eventsource';
import { createProgressView, type DemoOutput, type ProgressView } from './progress-view.js';
import {
  type CompletedEvent,
  type FailedEvent,
  renderFailure,
  renderFooter,
  renderHeading,
  renderNote,
  renderPlanTable,
  renderRequest,
  renderTaskLine,
} from './render-plan.js';

export type { DemoOutput };
export type DemoLevel = NonNullable<RouterInputs['plan']['generate']['level']>;

export interface RunDemoOptions {
  /** Server origin, e.g. `http://127.0.0.1:3000`. */
  url: string;
  goal: string;
  weeks?: number;
  hours?: number;
  level?: DemoLevel;
  out: DemoOutput;
  /** A terminal: a live progress bar redrawn in place. Otherwise plain lines. */
  isTTY: boolean;
  /** ANSI colours; defaults to `isTTY`. */
  color?: boolean;
  /** Terminal width, to cut long titles. */
  columns?: number;
  /** Aborting unsubscribes, cancels the generation (best effort) and rejects with the reason. */
  signal?: AbortSignal;
  /** The demo user to sign up; random when unset (tests pass one to sign in again). */
  account?: { email: string; password: string };
  /** Called once the generation is queued. */
  onStarted?: (ids: { goalId: string; generationId: string }) => void;
}

export interface DemoResult {
  goalId: string;
  generationId: string;
  taskCount: number;
  offline: boolean;
}

/** The generation ended with a `failed` event (already printed). */
export class DemoGenerationError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'DemoGenerationError';
  }
}

/**
 * Signs up a throwaway user, asks for a plan and renders its generation live: a progress bar
 * by phase, each task as it streams in, then the plan as a table per week and a footer.
 * Rejects with `DemoGenerationError` when the generation fails.
 *
 * @example
 * const result = await runDemo({ url, goal: 'Learn chess', weeks: 2, out: process.stdout, isTTY: true });
 */
export async function runDemo(options: RunDemoOptions): Promise<DemoResult> {
  const { out, signal } = options;
  const render = { color: options.color ?? options.isTTY, columns: options.columns };
  signal?.throwIfAborted();

  let token: string | undefined;
  const client = createStepwiseClient({ url: options.url, getToken: () => token, EventSource });
  const { email, password } = options.account ?? {
    email: `demo-${randomBytes(6).toString('hex')}@example.test`,
    password: randomBytes(18).toString('base64url'),
  };
  ({ token } = await client.auth.signUp.mutate(
    { email, password, name: 'Stepwise demo' },
    { signal },
  ));

  const request = {
    goal: options.goal,
    ...(options.weeks !== undefined ? { durationWeeks: options.weeks } : {}),
    ...(options.hours !== undefined ? { dailyHours: options.hours } : {}),
    ...(options.level !== undefined ? { level: options.level } : {}),
  };
  out.write(`${renderRequest(options, render)}\n`);
  const { goalId, generationId } = await client.plan.generate.mutate(request, { signal });
  options.onStarted?.({ goalId, generationId });

  const view = createProgressView(out, { ...render, live: options.isTTY });
  let end: CompletedEvent | FailedEvent;
  try {
    end = await followGeneration(client, generationId, view, render, signal);
  } catch (error) {
    view.end();
    if (signal?.aborted) {
      out.write(`${renderNote('Stopped: cancelling the generation.', render)}\n`);
      await client.plan.cancel
        .mutate({ generationId }, { signal: AbortSignal.timeout(2_000) })
        .catch(() => undefined);
    }
    throw error;
  }
  view.end();

  if (end.type === 'failed') {
    out.write(`${renderFailure(end, render)}\n`);
    throw new DemoGenerationError(end.code, end.message);
  }
  const lines = [...renderHeading(end, render), ...renderPlanTable(end, render)];
  out.write(lines.map((line) => `${line}\n`).join(''));
  out.write(`\n${renderFooter(end, render)}\n`);
  return { goalId, generationId, taskCount: end.tasks.length, offline: end.offline };
}

/** Renders each progress event; resolves with the terminal one. */
function followGeneration(
  client: StepwiseClient,
  generationId: string,
  view: ProgressView,
  render: { color: boolean; columns?: number },
  signal: AbortSignal | undefined,
): Promise<CompletedEvent | FailedEvent> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      subscription.unsubscribe();
      finish();
    };
    const onAbort = () => settle(() => reject(signal?.reason));

    const show = (event: PlanProgressEvent) => {
      switch (event.type) {
        case 'queued':
          return view.phase('queued');
        case 'status':
          return view.phase(event.phase, event.attempt);
        case 'task':
          return view.task(renderTaskLine(event, render));
        case 'completed':
          view.phase('completed');
          return settle(() => resolve(event));
        case 'failed':
          return settle(() => resolve(event));
      }
    };
    const subscription = client.plan.progress.subscribe(
      { generationId },
      {
        onData: ({ data }) => show(data),
        onError: (error) => settle(() => reject(error)),
      },
    );
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
