import { appendStreamEventWhileRunning, type Db } from '@stepwise/db';

/** An event of a generation's log: `type` names it (`status`, `delta`, `failed`, ...). */
export type GenerationEvent = { type: string };

/** Writes one running generation's events to its log, in order. */
export interface EventWriter<TEvent extends GenerationEvent> {
  /**
   * Queues an event and returns at once: the model's stream is never held up by the database.
   * Events are appended one at a time in emit order (each announced over NOTIFY on commit).
   * Dropped once the generation has ended elsewhere or a write has failed.
   */
  emit(event: TEvent): void;
  /** Waits until every queued event is stored; throws the error of a failed write. */
  flush(): Promise<void>;
}

/**
 * The ordered event writer of one generation attempt. While a write is in flight the next
 * events wait in a queue, where `coalesce` may merge an event into the one before it (a chat
 * merges consecutive deltas, so a slow database gets fewer, larger writes).
 *
 * Each write goes through only while the generation is running: once a cancel has ended it,
 * nothing more is written after the cancel's terminal event, and `onEnded` is called once.
 */
export function createEventWriter<TEvent extends GenerationEvent>(input: {
  db: Db;
  generationId: string;
  coalesce?: ((last: TEvent, next: TEvent) => TEvent | undefined) | undefined;
  onEnded: () => void;
}): EventWriter<TEvent> {
  const queue: TEvent[] = [];
  let draining: Promise<void> | undefined;
  let failed: { error: unknown } | undefined;
  let ended = false;

  const drain = async () => {
    try {
      while (queue.length > 0 && !ended) {
        const event = queue.shift()!;
        const stored = await appendStreamEventWhileRunning(input.db, {
          generationId: input.generationId,
          type: event.type,
          data: event,
        });
        if (!stored) {
          ended = true;
          queue.length = 0;
          input.onEnded();
        }
      }
    } catch (error) {
      failed = { error };
      queue.length = 0;
    }
  };

  return {
    emit(event) {
      if (ended || failed) return;
      const last = queue.at(-1);
      const merged = last && input.coalesce?.(last, event);
      if (merged) queue[queue.length - 1] = merged;
      else queue.push(event);
      draining ??= drain().finally(() => {
        draining = undefined;
      });
    },
    async flush() {
      while (draining) await draining;
      if (failed) throw failed.error;
    },
  };
}
