import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

const DATE_OID = 1082;

/** Dates stay 'YYYY-MM-DD' strings: a calendar day has no time zone to shift it. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === DATE_OID
      ? (value: string) => value
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface CreateDbOptions {
  url: string;
  /** Pool size; defaults to 10. */
  max?: number;
  /** Called when an idle pooled connection fails (e.g. the server restarts). */
  onPoolError?: (error: Error) => void;
  applicationName?: string;
}

export interface DbHandle {
  db: Kysely<Database>;
  pool: pg.Pool;
  /** Ends the pool; resolves once every connection has been released. */
  close(): Promise<void>;
}

/**
 * A Kysely instance over a pg pool. The pool gets an error handler, so a dropped idle
 * connection is logged and replaced instead of crashing the process.
 *
 * @example
 * const { db, close } = createDb({ url: process.env.DATABASE_URL! });
 */
export function createDb(options: CreateDbOptions): DbHandle {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    types,
    application_name: options.applicationName ?? 'stepwise',
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', (error) => options.onPoolError?.(error));
  // A checked-out client whose socket dies emits 'error' on itself, not on the pool.
  const open = new Set<pg.PoolClient>();
  pool.on('connect', (client) => {
    open.add(client);
    client.once('end', () => open.delete(client));
    client.on('error', (error) => options.onPoolError?.(error));
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closing: Promise<void> | undefined;
  return {
    db,
    pool,
    close: () => {
      closing ??= (async () => {
        await db.destroy();
        // pool.end() resolves before the sockets are closed; wait (bounded) until they are,
        // so stopping the server right after does not cut live connections.
        for (let waited = 0; open.size > 0 && waited < 2_000; waited += 10) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      return closing;
    },
  };
}

/** A standalone pg client with the same type parsing, e.g. for LISTEN. */
export function createPgClient(url: string, applicationName = 'stepwise'): pg.Client {
  return new pg.Client({ connectionString: url, types, application_name: applicationName });
}
