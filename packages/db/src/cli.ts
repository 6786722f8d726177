import './env-file.js';
import path from 'node:path';
import { databaseHost } from './database-host.js';
import { migrateToLatest, resetDatabase } from './migrate.js';
import { openDatabase } from './open-database.js';

// `pnpm db:migrate` / `pnpm db:reset [--force]`: DATABASE_URL, or the embedded default
// (.data/pg; a cluster a running `pnpm dev` owns is used, and left running).
const USAGE = 'usage: cli.ts migrate | cli.ts reset [--force]';
const [command, ...flags] = process.argv.slice(2);
const force = flags.includes('--force');
if (
  (command !== 'migrate' && command !== 'reset') ||
  flags.some((flag) => flag !== '--force') ||
  (command === 'migrate' && force)
) {
  console.error(USAGE);
  process.exit(2);
}

const url = process.env.DATABASE_URL || undefined;
if (command === 'reset' && url && !force) {
  // Before any connection: a reset drops every table.
  const { host, isLocal } = databaseHost(url);
  if (!isLocal) {
    console.error(
      `refusing to reset the database on ${host}: DATABASE_URL is not on this machine ` +
        '(localhost, 127.0.0.1, ::1 or a unix socket), and a reset drops every table.\n' +
        'If you mean it: pnpm db:reset --force',
    );
    process.exit(2);
  }
}

const database = await openDatabase({
  url,
  port: process.env.EMBEDDED_PG_PORT ? Number(process.env.EMBEDDED_PG_PORT) : undefined,
  dataDir: process.env.DATA_DIR ? path.join(process.env.DATA_DIR, 'pg') : undefined,
  onWarning: (message) => console.warn(message),
});
if (database.embedded?.role === 'attached') {
  console.log(
    `using the embedded Postgres started by pid ${database.embedded.ownerPid} (port ${database.embedded.port}); it stays running`,
  );
}
try {
  const applied =
    command === 'migrate' ? await migrateToLatest(database) : await resetDatabase(database);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await database.close();
}
