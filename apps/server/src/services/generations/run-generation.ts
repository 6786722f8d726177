import type { TUsage } from '@stepwise/ai/schema';
import { DomainError, isDomainError } from '@stepwise/core';
import {
  appendStreamEvent,
  type Database,
  finishGeneration,
  type Generation,
  type GenerationKind,
  getGeneration,
  startGenerationAttempt,
  type Transaction,
  touchGeneration,
} from '@stepwise/db';
import type { Logger } from '../../logger.js';
import type { AppServices } from '../app-services.js';
import { createEventWriter, type GenerationEvent } from './event-writer.js';

export type { GenerationEvent } from './event-writer.js';

/** Thrown when the worker stops mid-generation: the job is retried, not failed. */
export class WorkerShutdownError extends Error {
  override readonly name = 'WorkerShutdownError';
}

/** Why a run was stopped from outside: the generation was ended by someone else. */
class GenerationCancelledError extends Error {
  override readonly name = 'GenerationCancelledError';
}

export type GenerationServices = Pick<AppServices, 'db' | 'ai' | 'hub' | 'logger' | 'env'>;

/** What a job hands the harness: the worker's own signal aborts on shutdown. */
export interface RunGenerationInput {
  generationId: string;
  signal?: AbortSignal | undefined;
  /** The job has no attempt left after this one: a retryable error fails the generation. */
  isLastAttempt: boolean;
}

export interface GenerationFailure {
  code: string;
  message: string;
}

/** What a completed generation records. */
export interface GenerationResult {
  usage?: TUsage | null | undefined;
  provider: string;
  model: string;
  offline: boolean;
}

/** What one attempt's body gets from the harness. */
export interface GenerationContext<TEvent extends GenerationEvent> {
  services: GenerationServices;
  /** The claimed row: `status` running, `attempts` counting this attempt. */
  generation: Generation;
  /** Bound to the generation id, kind and attempt. */
  log: Logger;
  /** Aborted when the generation is cancelled (`plan.cancel`, `chat.stop`) or the worker stops. */
  signal: AbortSignal;
  /** Queues an event for the log, in order, without waiting (see `createEventWriter`). */
  emit(event: TEvent): void;
  /** Waits until every emitted event is stored (e.g. before running a tool). */
  flush(): Promise<void>;
  /**
   * Ends the generation as completed: flushes the events, then in one transaction records
   * `result`, runs `save` (the kind's rows) and appends the terminal event `save` returns.
   * Resolves false, storing nothing, when the generation had been cancelled meanwhile; throws
   * when the run was stopped (so a worker shutdown never completes a generation).
   */
  complete(
    result: GenerationResult,
    save: (trx: Transaction<Database>) => Promise<TEvent>,
  ): Promise<boolean>;
}

/**
 * The kind-specific part of running a generation; `runGeneration` does the rest. Plans,
 * chat replies and public replies each define one.
 */
export interface GenerationPipeline<TEvent extends GenerationEvent> {
  /** The generation kinds (the `kind` column) this pipeline runs. */
  kinds: readonly GenerationKind[];
  /**
   * The event types that end the stream. One appended by someone else (`plan.cancel` writes
   * `failed`, `chat.stop` writes `end`) cancels the run.
   */
  terminalTypes: readonly string[];
  /** Merges `next` into `last`, an event still waiting to be written, or returns undefined. */
  coalesce?(last: TEvent, next: TEvent): TEvent | undefined;
  /** One attempt: stream events through `ctx.emit`, end with `ctx.complete`, or throw. */
  run(ctx: GenerationContext<TEvent>): Promise<void>;
  /**
   * Inside the transaction that marked the generation failed: the kind's own changes (the
   * goal's status, the reply message) and the terminal failure event to append.
   */
  failed(
    trx: Transaction<Database>,
    generation: Generation,
    failure: GenerationFailure,
  ): Promise<TEvent>;
}

/** Infrastructure faults (database, network) are worth another attempt; domain errors are final. */
function isRetryable(error: unknown): boolean {
  return !isDomainError(error);
}

function toFailure(error: unknown): GenerationFailure {
  return isDomainError(error)
    ? { code: error.code, message: error.message }
    : { code: 'INTERNAL', message: 'the generation could not be completed' };
}

/**
 * Runs one attempt of a generation job: what every kind of generation shares.
 *
 * - Claims the generation (queued, or running after a crash) and counts the attempt; an ended
 *   one is left alone.
 * - Beats the heartbeat every sixth of `WORKER_STALE_AFTER_MS`, so the stale sweeper leaves a
 *   live run alone.
 * - Aborts `ctx.signal` when the generation is cancelled: a terminal event appended by someone
 *   else, a heartbeat or an event write that finds it no longer running. The worker's
 *   `input.signal` aborts it too, as a shutdown.
 * - Writes the body's events in order (`ctx.emit`), and nothing after a cancel's terminal event.
 * - On a thrown error: a shutdown, or a retryable error (not a `DomainError`) while the job has
 *   attempts left, is rethrown for graphile-worker to retry the job. Otherwise the generation is
 *   marked failed with the error's code, and the pipeline's failure event ends the stream,
 *   once (`failGeneration`).
 *
 * @example
 * await runGeneration(services, { generationId, signal: helpers.abortSignal, isLastAttempt }, planPipeline);
 */
export async function runGeneration<TEvent extends GenerationEvent>(
  services: GenerationServices,
  input: RunGenerationInput,
  pipeline: GenerationPipeline<TEvent>,
): Promise<void> {
  const { db, hub } = services;
  const generation = await startGenerationAttempt(db, input.generationId);
  if (!generation) return;
  const log = services.logger.child({
    generationId: generation.id,
    kind: generation.kind,
    attempt: generation.attempts,
  });

  const stop = new AbortController();
  // Set before the run's own terminal write, whose notice must not read as a cancel.
  let ending = false;
  let completed = false;
  const endedElsewhere = () =>
    stop.abort(new GenerationCancelledError('the generation was ended elsewhere'));
  const cancel = () => {
    if (!ending) endedElsewhere();
  };
  const onShutdown = () => stop.abort(new WorkerShutdownError('worker shutting down'));
  if (input.signal?.aborted) onShutdown();
  input.signal?.addEventListener('abort', onShutdown);
  const unsubscribe = hub.subscribe(generation.id, {
    onEvent: (event) => {
      if (pipeline.terminalTypes.includes(event.type)) cancel();
    },
    // Notices may have been missed: the status column says whether it was cancelled.
    onResync: () => {
      getGeneration(db, generation.id).then(
        (row) => row?.status !== 'running' && cancel(),
        (error: unknown) => log.warn({ err: error }, 'cancel check failed'),
      );
    },
  });
  // Six beats per staleness window: one late beat never makes a live worker look dead.
  const heartbeat = setInterval(() => {
    touchGeneration(db, generation.id).then(
      (running) => running || cancel(),
      (error: unknown) => log.warn({ err: error }, 'heartbeat failed'),
    );
  }, services.env.WORKER_STALE_AFTER_MS / 6);
  const writer = createEventWriter<TEvent>({
    db,
    generationId: generation.id,
    coalesce: pipeline.coalesce?.bind(pipeline),
    onEnded: cancel,
  });

  const context: GenerationContext<TEvent> = {
    services,
    generation,
    log,
    signal: stop.signal,
    emit: writer.emit,
    flush: writer.flush,
    async complete(result, save) {
      await writer.flush();
      stop.signal.throwIfAborted();
      ending = true;
      completed = await db.transaction().execute(async (trx) => {
        const finished = await finishGeneration(trx, {
          generationId: generation.id,
          status: 'completed',
          ...(result.usage ? { usage: result.usage } : {}),
          provider: result.provider,
          model: result.model,
          offline: result.offline,
        });
        if (!finished) return false;
        const event = await save(trx);
        await appendStreamEvent(trx, {
          generationId: generation.id,
          type: event.type,
          data: event,
        });
        return true;
      });
      if (!completed) endedElsewhere();
      return completed;
    },
  };

  try {
    await pipeline.run(context);
    if (!completed) {
      stop.signal.throwIfAborted();
      throw new DomainError('INTERNAL', 'the generation ended without a result');
    }
  } catch (error) {
    await writer.flush().catch(() => {});
    const stopped = stop.signal.aborted ? stop.signal.reason : undefined;
    if (stopped instanceof WorkerShutdownError) throw stopped;
    if (error instanceof WorkerShutdownError) throw error;
    if (stopped instanceof GenerationCancelledError) {
      log.info('generation cancelled');
      return;
    }
    if (isRetryable(error) && !input.isLastAttempt) {
      log.warn({ err: error }, 'generation attempt failed; the job will be retried');
      throw error;
    }
    const failure = toFailure(error);
    if (isDomainError(error)) log.warn({ err: error, code: failure.code }, 'generation failed');
    else log.error({ err: error, code: failure.code }, 'generation failed');
    ending = true;
    await failGeneration(services, generation, pipeline, failure);
  } finally {
    clearInterval(heartbeat);
    unsubscribe();
    input.signal?.removeEventListener('abort', onShutdown);
  }
}

/**
 * Marks a generation failed and appends its pipeline's failure event, in one transaction, once:
 * nothing happens when it had already ended (completed, cancelled, failed). Returns whether it
 * was this call that ended it. Used by `runGeneration` and by the stale-generation sweeper.
 */
export async function failGeneration<TEvent extends GenerationEvent>(
  services: Pick<AppServices, 'db'>,
  generation: Generation,
  pipeline: GenerationPipeline<TEvent>,
  failure: GenerationFailure,
): Promise<boolean> {
  return services.db.transaction().execute(async (trx) => {
    const finished = await finishGeneration(trx, {
      generationId: generation.id,
      status: 'failed',
      errorCode: failure.code,
      errorMessage: failure.message,
    });
    if (!finished) return false;
    const event = await pipeline.failed(trx, generation, failure);
    await appendStreamEvent(trx, { generationId: generation.id, type: event.type, data: event });
    return true;
  });
}
