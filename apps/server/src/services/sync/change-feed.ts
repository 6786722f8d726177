import { type Database, type Kysely, readChangePage } from '@stepwise/db';
import pLimit from 'p-limit';
import type { EventHub } from '../events/event-hub.js';
import type { FollowEnd, SharedEvent } from '../events/generation-fanout.js';
import { type SyncChange, toSyncChange } from './sync-change.js';

/** Events per read of `change_events`. */
const PAGE = 500;
/**
 * Reads of the feed at once per instance: every person resyncing at once after a lost LISTEN
 * connection, or many devices catching up, queue here instead of filling the pool that
 * requests need. In steady state a read is rarely waiting for another.
 */
const FEED_READS = 4;

/** One change as a follower gets it: the event's id (the cursor) and what `sync.live` sends. */
export interface LiveChange {
  eventId: string;
  change: SyncChange;
}

/** Where a follower's changes go. Calls are synchronous, in id order, and stop after `end`. */
export interface ChangeSink {
  send(change: LiveChange, shared: SharedEvent): void;
  /** `shutdown`, or `failed` when a read failed; the feed itself never ends otherwise. */
  end(end: FollowEnd): void;
}

export interface ChangeFeed {
  /**
   * Follows a person's changes after event `afterId`: those already stored, then live ones,
   * without gap or duplicate. Returns the function that stops following (no `end` is sent).
   */
  follow(input: { userId: string; afterId: string; sink: ChangeSink }): () => void;
  /** People followed on this instance, followers in all, and those reading on their own. */
  stats(): { users: number; followers: number; catchingUp: number };
}

interface Follower {
  /** The last event id this follower has been sent (or started after). */
  cursor: bigint;
  /** Reading on its own (joining, or behind): the channel's reads pass it by. */
  replaying: boolean;
  /** A notice came while replaying: read again before going live. */
  needsRead: boolean;
  done: boolean;
  sink: ChangeSink;
  leave: () => void;
}

interface Channel {
  userId: string;
  followers: Set<Follower>;
  /** A read for the live followers is in flight. */
  reading: boolean;
  /** Another notice came during that read: read again after it. */
  again: boolean;
  unsubscribe: () => void;
}

/**
 * Every device of a person on this instance follows that person's changes through one hub
 * subscription: on each notice, one read of `change_events` (with the current rows) after the
 * oldest cursor among the live followers, and each change handed to every follower not yet
 * past it, with one `SharedEvent` per change (its SSE frame is built once). A follower that
 * joins with an older id, or is behind, reads on its own until it is level, then goes live.
 * A LISTEN reconnect counts as a notice, so what was missed meanwhile is read from the table.
 */
export function createChangeFeed(input: {
  db: Kysely<Database>;
  hub: EventHub;
  shutdown: AbortSignal;
  onReadError?: (error: unknown, userId: string) => void;
}): ChangeFeed {
  const { db, hub, shutdown } = input;
  const channels = new Map<string, Channel>();
  const reads = pLimit(FEED_READS);
  const readPage = (userId: string, afterId: bigint) =>
    reads(() => readChangePage(db, { userId, afterId: afterId.toString(), limit: PAGE }));

  const finish = (follower: Follower, end: FollowEnd) => {
    if (follower.done) return;
    follower.done = true;
    follower.leave();
    follower.sink.end(end);
  };

  const deliver = (follower: Follower, id: bigint, change: LiveChange, shared: SharedEvent) => {
    follower.cursor = id;
    follower.sink.send(change, shared);
  };

  const catchUp = async (follower: Follower, userId: string) => {
    follower.replaying = true;
    try {
      do {
        follower.needsRead = false;
        for (;;) {
          if (follower.done) return;
          const page = await readPage(userId, follower.cursor);
          for (const event of page.events) {
            if (follower.done) return;
            const change = { eventId: event.id, change: toSyncChange(event, page.rows) };
            deliver(follower, BigInt(event.id), change, {});
          }
          if (follower.done) return;
          if (page.events.length < PAGE) break;
        }
      } while (follower.needsRead);
    } catch (error) {
      input.onReadError?.(error, userId);
      finish(follower, { reason: 'failed', error });
    } finally {
      follower.replaying = false;
    }
  };

  /** One read for every live follower of the channel, repeated while notices keep coming. */
  const readLive = async (channel: Channel) => {
    if (channel.reading) {
      channel.again = true;
      return;
    }
    channel.reading = true;
    try {
      do {
        channel.again = false;
        let from: bigint | undefined;
        for (const follower of channel.followers) {
          if (follower.done || follower.replaying) continue;
          if (from === undefined || follower.cursor < from) from = follower.cursor;
        }
        if (from === undefined) return;
        const page = await readPage(channel.userId, from);
        const changes = page.events.map((event) => ({
          id: BigInt(event.id),
          change: { eventId: event.id, change: toSyncChange(event, page.rows) },
          shared: {} as SharedEvent,
        }));
        for (const follower of channel.followers) {
          if (follower.done || follower.replaying) continue;
          // Went live during this read, from a point before it: read its own way up.
          if (follower.cursor < from) {
            void catchUp(follower, channel.userId);
            continue;
          }
          for (const { id, change, shared } of changes) {
            if (follower.done) break;
            if (id > follower.cursor) deliver(follower, id, change, shared);
          }
        }
        if (page.events.length === PAGE) channel.again = true;
      } while (channel.again);
    } catch (error) {
      input.onReadError?.(error, channel.userId);
      // Ended without `return` on the wire: each client resumes from its last id.
      for (const follower of channel.followers) {
        if (!follower.replaying) finish(follower, { reason: 'failed', error });
      }
    } finally {
      channel.reading = false;
    }
  };

  const openChannel = (userId: string): Channel => {
    const followers = new Set<Follower>();
    const channel: Channel = {
      userId,
      followers,
      reading: false,
      again: false,
      unsubscribe: () => {},
    };
    const onNotice = () => {
      for (const follower of followers) if (follower.replaying) follower.needsRead = true;
      void readLive(channel);
    };
    channel.unsubscribe = hub.subscribeChanges(userId, { onChange: onNotice, onResync: onNotice });
    channels.set(userId, channel);
    return channel;
  };

  shutdown.addEventListener(
    'abort',
    () => {
      for (const channel of channels.values()) {
        for (const follower of channel.followers) finish(follower, { reason: 'shutdown' });
      }
    },
    { once: true },
  );

  return {
    follow({ userId, afterId, sink }) {
      const channel = channels.get(userId) ?? openChannel(userId);
      const follower: Follower = {
        cursor: BigInt(afterId),
        replaying: true,
        needsRead: false,
        done: false,
        sink,
        leave() {
          channel.followers.delete(follower);
          if (channel.followers.size === 0 && channels.get(userId) === channel) {
            channels.delete(userId);
            channel.unsubscribe();
          }
        },
      };
      channel.followers.add(follower);
      if (shutdown.aborted) finish(follower, { reason: 'shutdown' });
      // Subscribed before reading, so nothing committed in between is missed.
      else void catchUp(follower, userId);
      return () => {
        follower.done = true;
        follower.leave();
      };
    },
    stats() {
      let followers = 0;
      let catchingUp = 0;
      for (const channel of channels.values()) {
        followers += channel.followers.size;
        for (const follower of channel.followers) if (follower.replaying) catchingUp++;
      }
      return { users: channels.size, followers, catchingUp };
    },
  };
}
