import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEnvFile } from './load-env-file.js';

const execFileAsync = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '../../..');
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempEnvFile(content: string) {
  const dir = await mkdtemp(path.join(tmpdir(), 'stepwise-env-'));
  dirs.push(dir);
  await writeFile(path.join(dir, '.env'), content);
  return { dir, file: path.join(dir, '.env') };
}

describe('loadEnvFile', () => {
  it('applies the file, but a variable already set (even to empty) wins', async () => {
    const { file } = await tempEnvFile(
      [
        '# a comment',
        'PORT=4000',
        'DATABASE_URL="postgresql://u:p@localhost:5432/app" # inline comment',
        'LOG_LEVEL=debug',
        'AI_PLAN_MODEL=from-file',
      ].join('\n'),
    );
    const env: Record<string, string | undefined> = { LOG_LEVEL: 'warn', AI_PLAN_MODEL: '' };

    expect(loadEnvFile({ path: file, env }).sort()).toEqual(['DATABASE_URL', 'PORT']);
    expect(env).toEqual({
      PORT: '4000',
      DATABASE_URL: 'postgresql://u:p@localhost:5432/app',
      LOG_LEVEL: 'warn',
      AI_PLAN_MODEL: '',
    });
  });

  it('skips a missing file without a word', () => {
    const env = {};
    expect(loadEnvFile({ path: path.join(tmpdir(), 'no-such-dir', '.env'), env })).toEqual([]);
    expect(env).toEqual({});
  });

  it('reads .env from the repository root, whatever the cwd (as for a filtered pnpm script)', async () => {
    const { dir, file } = await tempEnvFile('STEPWISE_PROBE=from-file\nSTEPWISE_OTHER=from-file\n');
    // A real process: the loader runs against process.env, with a real variable set.
    const script = [
      `const { envFilePath, loadEnvFile } = await import(${JSON.stringify(pathToFileURL(path.join(import.meta.dirname, 'load-env-file.ts')).href)});`,
      `loadEnvFile({ path: ${JSON.stringify(file)} });`,
      'console.log(JSON.stringify({ path: envFilePath(), probe: process.env.STEPWISE_PROBE, other: process.env.STEPWISE_OTHER }));',
    ].join('\n');
    const { stdout } = await execFileAsync(
      process.execPath,
      [
        '--import',
        pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
        '--input-type=module',
        '--eval',
        script,
      ],
      { cwd: dir, env: { ...process.env, STEPWISE_OTHER: 'from-environment' } },
    );
    expect(JSON.parse(stdout)).toEqual({
      path: path.join(repoRoot, '.env'),
      probe: 'from-file',
      other: 'from-environment',
    });
  });
});
