import path from 'node:path';
import { createDb, type DbHandle } from './create-db.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded.js';
import { findProjectRoot } from './find-project-root.js';
import { migrateToLatest } from './migrate.js';

export interface OpenDatabaseOptions {
  /** A Postgres URL; when absent, an embedded Postgres is started. */
  url?: string | undefined;
  /** Embedded cluster directory, relative to the repository root; default `<repo>/.data/pg`. */
  dataDir?: string | undefined;
  /** Embedded cluster port; default 5439 (not the system default, 5432). */
  port?: number | undefined;
  /** Apply pending migrations before returning. */
  migrate?: boolean;
  max?: number;
  applicationName?: string;
  onPoolError?: (error: Error) => void;
  onLog?: (line: string) => void;
  onWarning?: (message: string) => void;
}

export interface OpenDatabase extends DbHandle {
  url: string;
  embedded: EmbeddedPostgres | undefined;
}

/**
 * Connects to `url`, or to the embedded default when there is none (started here, or the one
 * another process already runs on the same data directory: see `startEmbeddedPostgres`);
 * optionally migrates. `close()` ends the pool first, then stops the embedded cluster if
 * this process started it.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<OpenDatabase> {
  const embedded = options.url
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: path.resolve(findProjectRoot(), options.dataDir ?? path.join('.data', 'pg')),
        port: options.port ?? 5439,
        ...(options.onLog ? { onLog: options.onLog } : {}),
        ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      });
  const url = options.url ?? embedded!.url;
  const handle = createDb({
    url,
    ...(options.max !== undefined ? { max: options.max } : {}),
    ...(options.applicationName ? { applicationName: options.applicationName } : {}),
    ...(options.onPoolError ? { onPoolError: options.onPoolError } : {}),
  });
  try {
    if (options.migrate) await migrateToLatest(handle);
  } catch (error) {
    await handle.close();
    await embedded?.stop();
    throw error;
  }
  return {
    ...handle,
    url,
    embedded,
    close: async () => {
      await handle.close();
      await embedded?.stop();
    },
  };
}
