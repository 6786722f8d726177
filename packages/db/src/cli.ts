import { migrateToLatest, resetDatabase } from './migrate.js';
import { openDatabase } from './open-database.js';

// `pnpm db:migrate` / `pnpm db:reset`: DATABASE_URL, or the embedded default (.data/pg).
const command = process.argv[2];
if (command !== 'migrate' && command !== 'reset') {
  console.error('usage: cli.ts migrate|reset');
  process.exit(2);
}
const database = await openDatabase({
  url: process.env.DATABASE_URL || undefined,
  port: process.env.EMBEDDED_PG_PORT ? Number(process.env.EMBEDDED_PG_PORT) : undefined,
});
try {
  const applied =
    command === 'migrate' ? await migrateToLatest(database.db) : await resetDatabase(database.db);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await database.close();
}
