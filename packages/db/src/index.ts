export { createDb, createPgClient, type CreateDbOptions, type DbHandle } from './create-db.js';
export { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.js';
export { findProjectRoot } from './find-project-root.js';
export { migrateToLatest, resetDatabase } from './migrate.js';
export { openDatabase, type OpenDatabase, type OpenDatabaseOptions } from './open-database.js';
export type * from './schema.js';
export type { Insertable, Selectable, Updateable } from 'kysely';
export type { Kysely, Transaction } from 'kysely';
export { pingDatabase } from './queries/health.queries.js';
