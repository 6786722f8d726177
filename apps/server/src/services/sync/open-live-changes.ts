import { getLatestChangeEventId } from '@stepwise/db';
import type { AppServices } from '../app-services.js';
import { followAsIterator } from '../events/follow-as-iterator.js';
import type { ChangeFeed, LiveChange } from './change-feed.js';

/**
 * Where a live feed starts: after `lastEventId` when the client has one (a cursor of
 * `sync.changes`, or the last event it got), else after the person's latest event, read now,
 * before the stream answers: whatever the client changes once it sees the stream open comes
 * after it.
 */
export async function findLiveStart(
  services: Pick<AppServices, 'db'>,
  input: { userId: string; lastEventId?: string | null | undefined },
): Promise<string> {
  return input.lastEventId ?? (await getLatestChangeEventId(services.db, input.userId));
}

/**
 * A person's changes after `afterId` as an async generator (for tRPC's own subscription
 * transport and server-side callers): the stored ones, then live ones, without gap or
 * duplicate. Ends on shutdown or when `signal` aborts; throws when reading the table fails.
 */
export async function* streamLiveChanges(input: {
  feed: ChangeFeed;
  userId: string;
  afterId: string;
  signal?: AbortSignal | undefined;
}): AsyncGenerator<LiveChange> {
  yield* followAsIterator<LiveChange>(
    (sink) => input.feed.follow({ userId: input.userId, afterId: input.afterId, sink }),
    input.signal,
  );
}
