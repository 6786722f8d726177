import type { StreamEventRow } from '@stepwise/db';
import type { FollowEnd, GenerationFanout } from './generation-fanout.js';

/**
 * A generation's events after `lastEventId` as an async generator (for tRPC's own
 * subscription transport and server-side callers): the stored history, then live events,
 * without gap or duplicate. Ends after a terminal event, on shutdown, or when `signal` aborts;
 * throws when reading the log fails.
 */
export async function* streamGenerationEvents(input: {
  fanout: GenerationFanout;
  generationId: string;
  lastEventId?: string | null | undefined;
  terminalTypes: readonly string[];
  signal?: AbortSignal | undefined;
}): AsyncGenerator<StreamEventRow> {
  const { signal } = input;
  const queue: StreamEventRow[] = [];
  let ended: FollowEnd | undefined;
  let wake: (() => void) | undefined;
  const stop = input.fanout.follow({
    generationId: input.generationId,
    lastEventId: input.lastEventId,
    terminalTypes: input.terminalTypes,
    sink: {
      send(event) {
        queue.push(event);
        wake?.();
      },
      end(end) {
        ended = end;
        wake?.();
      },
    },
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (ended?.reason === 'failed') throw ended.error;
      if (ended || signal?.aborted) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stop();
  }
}
