import {
  Logger,
  makeWorkerUtils,
  type Runner,
  run,
  type Task,
  type TaskList,
} from 'graphile-worker';
import type { AppServices } from '../services/app-services.js';
import { runGeneration } from '../services/generations/run-generation.js';
import { GENERATION_JOBS } from './generation-jobs.js';
import { recoverStaleGenerations } from './recover-stale-generations.js';
import { reminderTasks } from './reminder-jobs.js';
import { webhookTasks } from './webhook-jobs.js';

export interface RunningWorker {
  stop(): Promise<void>;
}

/**
 * The job worker (graphile-worker on our pool): runs generations (one task per pipeline of
 * `GENERATION_JOBS`, each attempt through `runGeneration`), and every 10 s recovers
 * generations left behind by dead workers. In-process by default, or alone via `worker.ts`.
 */
export async function startWorker(
  services: AppServices,
  options: { concurrency: number; sweepIntervalMs?: number },
): Promise<RunningWorker> {
  const generationTasks: TaskList = Object.fromEntries(
    Object.entries(GENERATION_JOBS).map(([task, pipeline]): [string, Task] => [
      task,
      async (payload, helpers) => {
        const { generationId } = payload as { generationId: string };
        await runGeneration(
          services,
          {
            generationId,
            signal: helpers.abortSignal,
            isLastAttempt: helpers.job.attempts >= helpers.job.max_attempts,
          },
          pipeline,
        );
      },
    ]),
  );
  const taskList: TaskList = {
    ...generationTasks,
    ...reminderTasks(services),
    ...webhookTasks(services),
  };
  const runner: Runner = await run({
    pgPool: services.pool,
    concurrency: options.concurrency,
    noHandleSignals: true,
    pollInterval: 2_000,
    // No cron jobs: an empty list, so graphile-worker does not look for a crontab file (and
    // log that it found none at every start).
    parsedCronItems: [],
    taskList,
    logger: graphileLogger(services),
  });
  const workerUtils = await makeWorkerUtils({ pgPool: services.pool });
  const sweep = () =>
    recoverStaleGenerations(services, workerUtils).catch((error: unknown) =>
      services.logger.warn({ err: error }, 'stale generation sweep failed'),
    );
  void sweep();
  const timer = setInterval(sweep, options.sweepIntervalMs ?? 10_000);
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      await runner.stop();
      await workerUtils.release();
    },
  };
}

/** graphile-worker's log lines, through our logger. */
function graphileLogger(services: AppServices) {
  const log = services.logger.child({ component: 'worker' });
  return new Logger((scope) => (level, message, meta) => {
    const method =
      level === 'error'
        ? 'error'
        : level === 'warning'
          ? 'warn'
          : level === 'info'
            ? 'info'
            : 'debug';
    log[method]({ ...scope, ...meta }, message);
  });
}
