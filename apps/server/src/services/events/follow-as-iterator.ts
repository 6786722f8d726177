import type { FollowEnd } from './generation-fanout.js';

/** What a fan-out hands a follower: items, then one end. */
export interface FollowSink<T> {
  send(item: T): void;
  end(end: FollowEnd): void;
}

/**
 * A push-style follow (a fan-out's `follow`, returning its stop function) as an async
 * generator, for tRPC's own subscription transport and server-side callers. Ends when the
 * follow ends or `signal` aborts; throws the error of a failed follow; stops the follow
 * whichever way the consumer leaves.
 */
export async function* followAsIterator<T>(
  follow: (sink: FollowSink<T>) => () => void,
  signal?: AbortSignal,
): AsyncGenerator<T> {
  const queue: T[] = [];
  let ended: FollowEnd | undefined;
  let wake: (() => void) | undefined;
  const stop = follow({
    send(item) {
      queue.push(item);
      wake?.();
    },
    end(end) {
      ended = end;
      wake?.();
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
