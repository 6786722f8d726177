import { type Database, type Kysely, listStreamEvents, type StreamEventRow } from '@stepwise/db';
import type { EventHub } from './event-hub.js';

const PAGE = 500;

/**
 * A generation's events after `lastEventId`: first the stored history, then live events,
 * with no gap and no duplicate (the hub subscription starts before the history is read, and
 * a cursor drops what was already delivered). Ends after a terminal event or when one of `signals` aborts.
 */
export async function* streamGenerationEvents(input: {
  db: Kysely<Database>;
  hub: EventHub;
  generationId: string;
  lastEventId?: string | undefined;
  isTerminal: (type: string) => boolean;
  /** Any of these ends the stream (the request's, the server's shutdown). */
  signals: (AbortSignal | undefined)[];
}): AsyncGenerator<StreamEventRow> {
  const { db, hub, generationId, isTerminal } = input;
  const signals = input.signals.filter((s): s is AbortSignal => s !== undefined);
  const aborted = () => signals.some((s) => s.aborted);
  const live: StreamEventRow[] = [];
  let needsRead = true;
  let wake: (() => void) | undefined;
  const unsubscribe = hub.subscribe(generationId, {
    onEvent: (event) => {
      live.push(event);
      wake?.();
    },
    onResync: () => {
      needsRead = true;
      wake?.();
    },
  });
  // Plain listeners, removed at the end: AbortSignal.any would leave a trace on the
  // long-lived shutdown signal for every subscription ever opened.
  const onAbort = () => wake?.();
  for (const signal of signals) signal.addEventListener('abort', onAbort);
  let cursor = BigInt(input.lastEventId ?? '0');
  try {
    while (!aborted()) {
      if (needsRead) {
        needsRead = false;
        for (;;) {
          const page = await listStreamEvents(db, {
            generationId,
            afterId: cursor.toString(),
            limit: PAGE,
          });
          for (const event of page) {
            cursor = BigInt(event.id);
            yield event;
            if (isTerminal(event.type)) return;
          }
          if (page.length < PAGE) break;
        }
      }
      while (live.length > 0 && !needsRead) {
        const event = live.shift()!;
        if (BigInt(event.id) <= cursor) continue;
        cursor = BigInt(event.id);
        yield event;
        if (isTerminal(event.type)) return;
      }
      if (!needsRead && live.length === 0 && !aborted()) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    }
  } finally {
    for (const signal of signals) signal.removeEventListener('abort', onAbort);
    unsubscribe();
  }
}
