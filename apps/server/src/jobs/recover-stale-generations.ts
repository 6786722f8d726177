import { listStaleGenerations, lockedByForJobKeys, pendingJobKeys } from '@stepwise/db';
import type { WorkerUtils } from 'graphile-worker';
import type { AppServices } from '../services/app-services.js';
import { failGeneration } from '../services/generations/run-generation.js';
import { generationJobKey } from '../services/plans/plan-generation.service.js';
import { pipelineForKind } from './generation-jobs.js';

/**
 * No generation stays `generating` forever. A running generation whose heartbeat stopped had
 * its worker killed: its job lock is released so the job is retried at once (graphile-worker
 * would otherwise wait 4 h). A generation whose job no longer exists (it used up its attempts)
 * is marked failed, ending its stream with its own kind's failure event.
 */
export async function recoverStaleGenerations(
  services: Pick<AppServices, 'db' | 'logger' | 'env'>,
  workerUtils: Pick<WorkerUtils, 'forceUnlockWorkers'>,
  staleAfterMs = services.env.WORKER_STALE_AFTER_MS,
): Promise<{ unlocked: number; failed: number }> {
  const stale = await listStaleGenerations(services.db, staleAfterMs);
  if (stale.length === 0) return { unlocked: 0, failed: 0 };
  const keys = stale.map((g) => generationJobKey(g.id));
  const pending = await pendingJobKeys(services.db, keys);

  const running = stale.filter(
    (g) => g.status === 'running' && pending.has(generationJobKey(g.id)),
  );
  const deadWorkers = await lockedByForJobKeys(
    services.db,
    running.map((g) => generationJobKey(g.id)),
    staleAfterMs,
  );
  if (deadWorkers.length > 0) {
    services.logger.warn({ workers: deadWorkers }, 'releasing job locks of dead workers');
    await workerUtils.forceUnlockWorkers(deadWorkers);
  }

  let failed = 0;
  for (const generation of stale) {
    if (pending.has(generationJobKey(generation.id))) continue;
    const pipeline = pipelineForKind(generation.kind);
    if (!pipeline) {
      services.logger.warn(
        { generationId: generation.id, kind: generation.kind },
        'no pipeline for a stale generation',
      );
      continue;
    }
    const ended = await failGeneration(services, generation, pipeline, {
      code: 'INTERNAL',
      message: 'the generation job stopped without finishing',
    });
    if (ended) failed++;
  }
  return { unlocked: deadWorkers.length, failed };
}
