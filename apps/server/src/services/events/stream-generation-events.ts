import type { StreamEventRow } from '@stepwise/db';
import { followAsIterator } from './follow-as-iterator.js';
import type { GenerationFanout } from './generation-fanout.js';

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
  yield* followAsIterator<StreamEventRow>(
    (sink) =>
      input.fanout.follow({
        generationId: input.generationId,
        lastEventId: input.lastEventId,
        terminalTypes: input.terminalTypes,
        sink,
      }),
    input.signal,
  );
}
