import {
  type Database,
  hasStreamEventOfType,
  type Kysely,
  listStreamEvents,
  type StreamEventRow,
} from '@stepwise/db';
import pLimit from 'p-limit';
import type { EventHub } from './event-hub.js';

const PAGE = 500;
/**
 * Catch-up reads at once per instance: thousands of followers joining (or resyncing after a
 * lost LISTEN connection) queue here instead of filling the pool every request needs.
 */
const CATCH_UP_READS = 4;

/**
 * What a live event carries to every follower of its generation: a place for a follower to
 * keep what it derives from the event (its SSE frame), so that is done once, not per follower.
 */
export interface SharedEvent {
  frame?: string;
}

export type FollowEnd =
  | { reason: 'terminal' }
  | { reason: 'shutdown' }
  | { reason: 'failed'; error: unknown };

/** Where a follower's events go. Calls are synchronous, in id order, and stop after `end`. */
export interface FollowerSink {
  send(event: StreamEventRow, shared: SharedEvent): void;
  end(end: FollowEnd): void;
}

export interface GenerationFanout {
  /**
   * Follows a generation's events after `lastEventId`: its stored history, then live ones,
   * without gap or duplicate; ends after a terminal event, on shutdown, or when a read fails.
   * Returns the function that stops following (no `end` is sent then).
   */
  follow(input: {
    generationId: string;
    lastEventId?: string | null | undefined;
    /** Event types after which the generation has nothing more to say. */
    terminalTypes: readonly string[];
    sink: FollowerSink;
  }): () => void;
  /** Generations followed on this instance, and followers in all. */
  stats(): { generations: number; followers: number };
}

interface Follower {
  cursor: bigint;
  /** Reading history: live events wait in `pending`. */
  replaying: boolean;
  /** Notices may have been missed while replaying: read again before going live. */
  needsRead: boolean;
  pending: StreamEventRow[];
  done: boolean;
  terminalTypes: readonly string[];
  /** Resuming: checks once whether the terminal event is already behind the cursor. */
  checkEnded: boolean;
  sink: FollowerSink;
  /** Leaves its channel (closing the channel's hub subscription when it was the last). */
  leave: () => void;
}

interface Channel {
  followers: Set<Follower>;
  unsubscribe: () => void;
}

/**
 * Shares one hub subscription among every follower of a generation on this instance: a live
 * event is handed to all of them in one synchronous loop, with one `SharedEvent` each can
 * cache its serialized form on. Only catching up (a reconnect with an old `lastEventId`, or
 * a resync after the LISTEN connection dropped) reads the database, per follower.
 */
export function createGenerationFanout(input: {
  db: Kysely<Database>;
  hub: EventHub;
  shutdown: AbortSignal;
  onReadError?: (error: unknown, generationId: string) => void;
}): GenerationFanout {
  const { db, hub, shutdown } = input;
  const channels = new Map<string, Channel>();
  const limit = pLimit(CATCH_UP_READS);

  const finish = (follower: Follower, end: FollowEnd) => {
    if (follower.done) return;
    follower.done = true;
    follower.pending.length = 0;
    follower.leave();
    follower.sink.end(end);
  };

  const deliver = (follower: Follower, event: StreamEventRow, id: bigint, shared: SharedEvent) => {
    follower.cursor = id;
    follower.sink.send(event, shared);
    if (follower.terminalTypes.includes(event.type)) finish(follower, { reason: 'terminal' });
  };

  const catchUp = async (follower: Follower, generationId: string) => {
    follower.replaying = true;
    try {
      if (follower.checkEnded) {
        // A client that got the terminal event but not the end of the stream comes back with
        // its id (or a later one): nothing follows, so end it here instead of waiting forever.
        follower.checkEnded = false;
        const ended = await limit(() =>
          hasStreamEventOfType(db, {
            generationId,
            atOrBeforeId: follower.cursor.toString(),
            types: follower.terminalTypes,
          }),
        );
        if (ended) return finish(follower, { reason: 'terminal' });
      }
      do {
        follower.needsRead = false;
        for (;;) {
          if (follower.done) return;
          const page = await limit(() =>
            listStreamEvents(db, {
              generationId,
              afterId: follower.cursor.toString(),
              limit: PAGE,
            }),
          );
          for (const event of page) {
            if (follower.done) return;
            deliver(follower, event, BigInt(event.id), {});
          }
          if (follower.done || page.length < PAGE) break;
        }
        // What arrived live while reading: the part the read did not already cover.
        while (follower.pending.length > 0 && !follower.done && !follower.needsRead) {
          const event = follower.pending.shift()!;
          const id = BigInt(event.id);
          if (id > follower.cursor) deliver(follower, event, id, {});
        }
      } while (follower.needsRead && !follower.done);
    } catch (error) {
      input.onReadError?.(error, generationId);
      finish(follower, { reason: 'failed', error });
    } finally {
      follower.replaying = false;
    }
  };

  const openChannel = (generationId: string): Channel => {
    const followers = new Set<Follower>();
    const unsubscribe = hub.subscribe(generationId, {
      onEvent(event) {
        const id = BigInt(event.id);
        const shared: SharedEvent = {};
        for (const follower of followers) {
          if (follower.done) continue;
          if (follower.replaying) follower.pending.push(event);
          else if (id > follower.cursor) deliver(follower, event, id, shared);
        }
      },
      onResync() {
        for (const follower of followers) {
          if (follower.done) continue;
          if (follower.replaying) follower.needsRead = true;
          else void catchUp(follower, generationId);
        }
      },
    });
    const channel = { followers, unsubscribe };
    channels.set(generationId, channel);
    return channel;
  };

  const stopAll = () => {
    for (const channel of channels.values()) {
      for (const follower of channel.followers) finish(follower, { reason: 'shutdown' });
    }
  };
  shutdown.addEventListener('abort', stopAll, { once: true });

  return {
    follow({ generationId, lastEventId, terminalTypes, sink }) {
      const channel = channels.get(generationId) ?? openChannel(generationId);
      const follower: Follower = {
        cursor: BigInt(lastEventId ?? '0'),
        replaying: true,
        needsRead: false,
        pending: [],
        done: false,
        terminalTypes,
        checkEnded: lastEventId !== undefined && lastEventId !== null,
        sink,
        leave() {
          channel.followers.delete(follower);
          if (channel.followers.size === 0 && channels.get(generationId) === channel) {
            channels.delete(generationId);
            channel.unsubscribe();
          }
        },
      };
      channel.followers.add(follower);
      if (shutdown.aborted) finish(follower, { reason: 'shutdown' });
      // Subscribed before reading, so nothing committed in between is missed.
      else void catchUp(follower, generationId);
      return () => {
        follower.done = true;
        follower.pending.length = 0;
        follower.leave();
      };
    },
    stats() {
      let followers = 0;
      for (const channel of channels.values()) followers += channel.followers.size;
      return { generations: channels.size, followers };
    },
  };
}
