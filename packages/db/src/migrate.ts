import { runMigrations as migrateJobQueue } from 'graphile-worker';
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { DbHandle } from './create-db.js';
import * as initialSchema from './migrations/2026-11-22T10-00-00_initial-schema.js';
import * as taskViews from './migrations/2026-11-22T12-00-00_task-views.js';
import * as hotTaskUpdates from './migrations/2026-12-02T10-00-00_hot-task-updates.js';
import * as workspaces from './migrations/2026-12-02T12-00-00_workspaces.js';
import * as streamEventLock from './migrations/2026-12-02T14-00-00_stream-event-lock.js';
import * as changeEvents from './migrations/2026-12-02T16-00-00_change-events.js';
import * as notificationsWebhooksApiKeys from './migrations/2026-12-02T16-10-00_notifications-webhooks-api-keys.js';
import * as reminderSchedule from './migrations/2026-12-02T16-20-00_reminder-schedule.js';
import * as webhookDispatch from './migrations/2026-12-02T16-30-00_webhook-dispatch.js';

/**
 * Migrations in order. A static list (instead of reading a folder) works the same from
 * TypeScript sources, the built output and a bundle.
 */
const migrations: Record<string, Migration> = {
  '2026-11-22T10-00-00_initial-schema': initialSchema,
  '2026-11-22T12-00-00_task-views': taskViews,
  '2026-12-02T10-00-00_hot-task-updates': hotTaskUpdates,
  '2026-12-02T12-00-00_workspaces': workspaces,
  '2026-12-02T14-00-00_stream-event-lock': streamEventLock,
  '2026-12-02T16-00-00_change-events': changeEvents,
  '2026-12-02T16-10-00_notifications-webhooks-api-keys': notificationsWebhooksApiKeys,
  '2026-12-02T16-20-00_reminder-schedule': reminderSchedule,
  '2026-12-02T16-30-00_webhook-dispatch': webhookDispatch,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

function createMigrator(db: Kysely<any>) {
  return new Migrator({ db, provider, migrationTableName: 'kysely_migration' });
}

/**
 * Applies every pending migration, then graphile-worker's own (its `graphile_worker` schema:
 * our triggers queue reminder and webhook jobs with `graphile_worker.add_job`, so the job
 * queue must exist wherever the tables do). Throws with the failing migration's name and cause.
 */
export async function migrateToLatest(handle: Pick<DbHandle, 'db' | 'pool'>): Promise<string[]> {
  const { error, results = [] } = await createMigrator(handle.db).migrateToLatest();
  const failed = results.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed`, { cause: error });
  }
  await migrateJobQueue({ pgPool: handle.pool });
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Drops everything the migrations created (and graphile-worker's schema), then migrates. */
export async function resetDatabase(handle: Pick<DbHandle, 'db' | 'pool'>): Promise<string[]> {
  const { sql } = await import('kysely');
  await sql`DROP SCHEMA public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS graphile_worker CASCADE;`.execute(
    handle.db,
  );
  return migrateToLatest(handle);
}
