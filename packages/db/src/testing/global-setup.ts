import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDb } from '../create-db.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../embedded.js';
import { findProjectRoot } from '../find-project-root.js';
import { migrateToLatest } from '../migrate.js';

export interface TestDatabaseInfo {
  /** URL of a maintenance database on the test server (for CREATE/DROP DATABASE). */
  adminUrl: string;
  /** Migrated database that each worker's database is copied from. */
  template: string;
  /** Prefix of every database this run creates. */
  prefix: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stepwiseTestDatabase: TestDatabaseInfo;
  }
}

/**
 * vitest globalSetup: a Postgres for this project's test run, either `DATABASE_URL`'s server
 * or a throwaway embedded cluster (`.data/pg-test/<project>`, free port). Migrates a template
 * database once; workers copy it (see `useTestDatabase`). Drops everything at the end.
 */
export default async function setup(project: TestProject) {
  const name = project.name.replace(/[^a-z0-9]/gi, '').toLowerCase() || 'tests';
  let embedded: EmbeddedPostgres | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(findProjectRoot(), '.data', 'pg-test', name),
      port: await freePort(),
      ephemeral: true,
    });
    adminUrl = embedded.url;
  }
  const prefix = `stepwise_test_${name}_${randomBytes(3).toString('hex')}`;
  const template = `${prefix}_template`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${template}"`));
  const handle = createDb({ url: withDatabase(adminUrl, template), max: 1 });
  try {
    await migrateToLatest(handle);
  } finally {
    await handle.close();
  }
  project.provide('stepwiseTestDatabase', { adminUrl, template, prefix });

  return async () => {
    await withAdmin(adminUrl, async (client) => {
      const { rows } = await client.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE datname LIKE $1',
        [`${prefix}%`],
      );
      for (const { datname } of rows) {
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    });
    await embedded?.stop();
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function withAdmin<T>(url: string, run: (client: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
