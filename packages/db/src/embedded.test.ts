import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function roundTrip(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
  await client.end();
  return rows[0]?.one;
}

describe('startEmbeddedPostgres', () => {
  it('recovers from a leftover postmaster and from a stale postmaster.pid', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'stepwise-embedded-'));
    dirs.push(dir);
    const dataDir = path.join(dir, 'pg');
    const port = 20_000 + Math.floor(Math.random() * 20_000);

    // The first cluster is never stopped: as after a kill -9 of the process that owned it.
    const orphan = await startEmbeddedPostgres({ dataDir, port, ephemeral: true });
    expect(await roundTrip(orphan.url)).toBe(1);
    const orphanPid = Number(
      (await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0],
    );

    const second = await startEmbeddedPostgres({ dataDir, port, ephemeral: true });
    expect(await roundTrip(second.url)).toBe(1);
    expect(() => process.kill(orphanPid, 0)).toThrow();
    await second.stop();

    // A crash of the postmaster itself leaves its pid file behind.
    await writeFile(path.join(dataDir, 'postmaster.pid'), '999999\n');
    const third = await startEmbeddedPostgres({ dataDir, port, ephemeral: true });
    expect(await roundTrip(third.url)).toBe(1);
    await third.stop();
    await expect(readFile(path.join(dataDir, 'postmaster.pid'))).rejects.toThrow();
  }, 60_000);
});
