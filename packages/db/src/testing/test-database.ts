import { inject } from 'vitest';
import { createDb, type DbHandle } from '../create-db.js';
import { withAdmin, withDatabase } from './global-setup.js';

export interface TestDatabase extends DbHandle {
  url: string;
}

/**
 * This worker's database: a copy of the migrated template, created on first use and kept
 * for every test file the worker runs. Rows from other files may be present, so tests
 * create their own users (see factories) instead of counting whole tables.
 *
 * @example
 * const database = await useTestDatabase();
 * afterAll(() => database.close());
 */
export async function useTestDatabase(options: { max?: number } = {}): Promise<TestDatabase> {
  const { adminUrl, template, prefix } = inject('stepwiseTestDatabase');
  const name = `${prefix}_w${process.env.VITEST_POOL_ID ?? '0'}`;
  await withAdmin(adminUrl, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return;
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === '42P04') return; // created by a racing file of the same worker
        // 55006: the template is briefly in use by another worker's copy.
        if (code !== '55006' || attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });
  const url = withDatabase(adminUrl, name);
  return { ...createDb({ url, max: options.max ?? 5 }), url };
}
