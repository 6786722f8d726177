import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  createDb,
  type EmbeddedPostgres,
  findProjectRoot,
  migrateToLatest,
  startEmbeddedPostgres,
} from '@stepwise/db';
import pg from 'pg';
import { freePort } from './child-process.js';

/**
 * A fresh, migrated database for one benchmark run: on DATABASE_URL's server when set, else
 * on a throwaway embedded cluster of its own (`.data/pg-bench/<pid>`, a free port), so two
 * runs at once do not stop each other's. `drop()` removes it again.
 */
export async function createBenchDatabase(adminUrl = process.env.DATABASE_URL) {
  let embedded: EmbeddedPostgres | undefined;
  const dataDir = path.join(
    findProjectRoot(),
    '.data',
    'pg-bench',
    `${process.pid}-${randomBytes(2).toString('hex')}`,
  );
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres({ dataDir, port: await freePort(), ephemeral: true });
    adminUrl = embedded.url;
  }
  const name = `stepwise_bench_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = createDb({ url: url.toString(), max: 1 });
  await migrateToLatest(handle);
  await handle.close();
  return {
    url: url.toString(),
    kind: embedded ? 'embedded Postgres 18' : 'DATABASE_URL',
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      if (embedded) {
        await embedded.stop();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}
