import {
  CHANGES_CHANNEL,
  createPgClient,
  type Database,
  getStreamEvent,
  type Kysely,
  STREAM_EVENTS_CHANNEL,
  type StreamEventNotice,
  type StreamEventRow,
} from '@stepwise/db';
import type pg from 'pg';
import type { Logger } from '../../logger.js';

interface Subscriber {
  onEvent(event: StreamEventRow): void;
  /** Notices may have been missed (the LISTEN connection dropped): re-read from the log. */
  onResync(): void;
}

/** Told that a person's data changed: `change_events` has rows to read. */
interface ChangeSubscriber {
  onChange(): void;
  /** Notices may have been missed (the LISTEN connection dropped): read from the table. */
  onResync(): void;
}

export interface EventHub {
  /** Follows one generation's events on this instance; returns the unsubscribe function. */
  subscribe(generationId: string, subscriber: Subscriber): () => void;
  /** Follows one person's change notices on this instance; returns the unsubscribe function. */
  subscribeChanges(userId: string, subscriber: ChangeSubscriber): () => void;
  /** Number of local subscriptions, of both kinds (for metrics and tests). */
  size(): number;
  close(): Promise<void>;
}

/** Adds to a set in a map; the returned function removes it, and the set once empty. */
function addTo<T>(map: Map<string, Set<T>>, key: string, value: T): () => void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
  return () => {
    set.delete(value);
    if (set.size === 0 && map.get(key) === set) map.delete(key);
  };
}

/**
 * One LISTEN connection per server instance, fanning stream-event notices out to the local
 * subscribers of each generation, and change notices (the `record_change` trigger's, whose
 * payload is a person's id) to the local subscribers of each person. A notice that carries
 * only an id is read from the table once and shared by every subscriber. After a reconnect,
 * every subscriber resyncs from the durable log, so nothing committed while the connection
 * was down is lost.
 */
export async function createEventHub(input: {
  url: string;
  db: Kysely<Database>;
  logger: Logger;
}): Promise<EventHub> {
  const { db, logger } = input;
  const subscribers = new Map<string, Set<Subscriber>>();
  const changeSubscribers = new Map<string, Set<ChangeSubscriber>>();
  let client: pg.Client | undefined;
  let closed = false;
  let reconnectDelay = 100;

  const dispatch = (event: StreamEventRow) => {
    for (const subscriber of subscribers.get(event.generationId) ?? []) subscriber.onEvent(event);
  };

  // Events go out in the order of their notices. A notice that carries only an id needs a
  // read; notices behind it wait for it (their own reads start at once), or a subscriber would
  // see a later event first and drop the earlier one as already passed.
  let tail: Promise<void> = Promise.resolve();
  let waiting = 0;
  const deliverInOrder = (
    generationId: string,
    loaded: Promise<StreamEventRow | undefined>,
    eventId: string,
  ) => {
    waiting++;
    tail = tail
      .then(() => loaded)
      .then(
        (event) => {
          if (event) dispatch(event);
        },
        (error: unknown) => {
          logger.warn({ err: error, eventId }, 'could not read announced event; resyncing');
          for (const subscriber of subscribers.get(generationId) ?? []) subscriber.onResync();
        },
      )
      .finally(() => {
        waiting--;
      });
  };
  const deliver = (event: StreamEventRow) => {
    if (waiting === 0) dispatch(event);
    else deliverInOrder(event.generationId, Promise.resolve(event), event.id);
  };

  const onNotification = (message: pg.Notification) => {
    if (!message.payload) return;
    if (message.channel === CHANGES_CHANNEL) {
      for (const subscriber of changeSubscribers.get(message.payload) ?? []) subscriber.onChange();
      return;
    }
    let notice: StreamEventNotice;
    try {
      notice = JSON.parse(message.payload) as StreamEventNotice;
    } catch {
      logger.warn({ payload: message.payload.slice(0, 200) }, 'unreadable stream event notice');
      return;
    }
    if (!subscribers.has(notice.generationId)) return;
    if (notice.event) deliver(notice.event);
    else deliverInOrder(notice.generationId, getStreamEvent(db, notice.id), notice.id);
  };

  /**
   * Opens a LISTEN connection. After a reconnect every subscriber resyncs from the log before
   * the new connection delivers anything: a notice that came in with LISTEN's reply must not
   * move a subscriber past events committed while no connection was listening.
   */
  const connect = async (reconnect: boolean): Promise<void> => {
    const next = createPgClient(input.url, 'stepwise-listener');
    next.on('error', (error) => logger.warn({ err: error }, 'listen connection error'));
    next.on('end', () => {
      if (closed || client !== next) return;
      client = undefined;
      logger.warn('listen connection lost; reconnecting');
      scheduleReconnect();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${STREAM_EVENTS_CHANNEL}; LISTEN ${CHANGES_CHANNEL}`);
    } catch (error) {
      await next.end().catch(() => {});
      throw error;
    }
    if (closed) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    reconnectDelay = 100;
    if (reconnect) {
      for (const set of subscribers.values()) for (const s of set) s.onResync();
      for (const set of changeSubscribers.values()) for (const s of set) s.onResync();
    }
    next.on('notification', onNotification);
  };

  const scheduleReconnect = () => {
    setTimeout(() => {
      if (closed) return;
      connect(true).catch((error: unknown) => {
        logger.warn({ err: error, retryInMs: reconnectDelay }, 'listen reconnect failed');
        reconnectDelay = Math.min(reconnectDelay * 2, 5_000);
        scheduleReconnect();
      });
    }, reconnectDelay).unref();
  };

  await connect(false);

  return {
    subscribe: (generationId, subscriber) => addTo(subscribers, generationId, subscriber),
    subscribeChanges: (userId, subscriber) => addTo(changeSubscribers, userId, subscriber),
    size: () => {
      let total = 0;
      for (const set of subscribers.values()) total += set.size;
      for (const set of changeSubscribers.values()) total += set.size;
      return total;
    },
    async close() {
      closed = true;
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}
