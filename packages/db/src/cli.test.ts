import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const packageDir = path.resolve(import.meta.dirname, '..');

/** `pnpm db:<command>` from sources, with DATABASE_URL set; resolves to its exit and output. */
async function runCli(args: string[], databaseUrl: string) {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', '--conditions=stepwise-source', 'src/cli.ts', ...args],
      { cwd: packageDir, env: { ...process.env, DATABASE_URL: databaseUrl }, timeout: 30_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('db:reset', () => {
  // `.invalid` never resolves: a connection attempt would fail with ENOTFOUND.
  const remote = 'postgresql://app:secret@db.example.invalid:5432/stepwise';

  it('refuses a database on another host before connecting, without showing the password', async () => {
    const result = await runCli(['reset'], remote);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('refusing to reset the database on db.example.invalid');
    expect(result.stderr).toContain('pnpm db:reset --force');
    expect(result.stderr).not.toContain('ENOTFOUND');
    expect(result.stderr).not.toContain('secret');
  });

  it('goes ahead with --force (and then fails to connect to the unreachable host)', async () => {
    const result = await runCli(['reset', '--force'], remote);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('refusing');
    expect(result.stderr).toContain('ENOTFOUND');
  });
});
