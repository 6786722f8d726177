import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded.js';
import { isProcessAlive } from './file-lock.js';

interface ChildInfo {
  pid: number;
  role: 'owner' | 'attached';
  ownerPid: number;
  port: number;
  url: string;
  one: number;
}

interface EmbeddedChild {
  process: ChildProcess;
  /** The JSON line the child prints once it has run its query. */
  ready: Promise<ChildInfo>;
  exited: Promise<number | null>;
  stderr(): string;
}

const packageDir = path.resolve(import.meta.dirname, '..');
const dirs: string[] = [];
const children: ChildProcess[] = [];
const postmasters = new Set<number>();

afterEach(() => {
  // Whatever a failed test left running: its processes, then any postmaster it started.
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const pid of postmasters) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
  postmasters.clear();
});
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** `startEmbeddedPostgres` in its own node process (testing/embedded-postgres.child.ts). */
function startChild(dataDir: string, port: number, mode?: 'exit'): EmbeddedChild {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=stepwise-source',
      'src/testing/embedded-postgres.child.ts',
      dataDir,
      String(port),
      ...(mode ? [mode] : []),
    ],
    { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ready = new Promise<ChildInfo>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as ChildInfo);
    });
    void exited.then((code) =>
      reject(new Error(`child exited (${code}) before ready:\n${stderr}`)),
    );
  });
  ready.catch(() => {});
  return { process: child, ready, exited, stderr: () => stderr };
}

async function newDataDir() {
  const dir = await mkdtemp(path.join(tmpdir(), 'stepwise-embedded-'));
  dirs.push(dir);
  return path.join(dir, 'pg');
}

async function postmasterPid(dataDir: string): Promise<number> {
  const pid = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  postmasters.add(pid);
  return pid;
}

async function roundTrip(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
    return rows[0]?.one;
  } finally {
    await client.end();
  }
}

async function waitFor(check: () => boolean, timeoutMs = 10_000) {
  for (let waited = 0; !check(); waited += 50) {
    if (waited > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
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

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('startEmbeddedPostgres across processes', () => {
  it('a second process attaches to a running cluster, leaves it running, and takes over when the owner stops', async () => {
    const dataDir = await newDataDir();
    const port = await freePort();
    const owner = startChild(dataDir, port);
    const ownerInfo = await owner.ready;
    expect(ownerInfo).toMatchObject({ role: 'owner', ownerPid: ownerInfo.pid, port, one: 1 });
    const postmaster = await postmasterPid(dataDir);

    // Asking for another port does not start a second cluster: the running one is used.
    const second = startChild(dataDir, await freePort(), 'exit');
    expect(await second.ready).toMatchObject({
      role: 'attached',
      ownerPid: ownerInfo.pid,
      port,
      one: 1,
    });
    expect(await second.exited).toBe(0);
    expect(isProcessAlive(postmaster)).toBe(true);
    expect(await roundTrip(ownerInfo.url)).toBe(1);

    // The owner's shutdown stops its cluster; a process still attached starts it again.
    const attached = startChild(dataDir, port);
    const attachedInfo = await attached.ready;
    expect(attachedInfo.role).toBe('attached');
    owner.process.kill('SIGTERM');
    expect(await owner.exited).toBe(0);
    expect(isProcessAlive(postmaster)).toBe(false);
    await waitFor(() => attached.stderr().includes('this process owns it now'));
    expect(attached.stderr()).toContain(
      `(port ${port}, started by pid ${ownerInfo.pid}) has stopped`,
    );
    expect(await roundTrip(ownerInfo.url)).toBe(1);
    const owned = JSON.parse(await readFile(`${dataDir}.owner.json`, 'utf8')) as { pid: number };
    expect(owned.pid).toBe(attachedInfo.pid);
    await postmasterPid(dataDir);

    // With nobody else left, its shutdown stops the cluster for good.
    attached.process.kill('SIGTERM');
    expect(await attached.exited).toBe(0);
    await expect(readFile(path.join(dataDir, 'postmaster.pid'))).rejects.toThrow();
    await expect(readFile(`${dataDir}.owner.json`)).rejects.toThrow();
    await expect(roundTrip(ownerInfo.url)).rejects.toThrow(/ECONNREFUSED/);
  }, 90_000);

  it("cleans up a killed owner's cluster and starts it again", async () => {
    const dataDir = await newDataDir();
    const port = await freePort();
    const owner = startChild(dataDir, port);
    await owner.ready;
    const orphan = await postmasterPid(dataDir);

    owner.process.kill('SIGKILL');
    await owner.exited;
    expect(isProcessAlive(orphan)).toBe(true);

    const next = startChild(dataDir, port);
    const nextInfo = await next.ready;
    expect(nextInfo).toMatchObject({ role: 'owner', ownerPid: nextInfo.pid, one: 1 });
    expect(next.stderr()).toContain(`stopping postmaster ${orphan}`);
    expect(isProcessAlive(orphan)).toBe(false);
    await postmasterPid(dataDir);
    next.process.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  }, 90_000);

  it('of two processes starting at once, one starts the cluster and the other attaches', async () => {
    const dataDir = await newDataDir();
    const port = await freePort();
    // A fresh directory: the race includes initdb.
    const a = startChild(dataDir, port);
    const b = startChild(dataDir, port);
    const infos = await Promise.all([a.ready, b.ready]);
    await postmasterPid(dataDir);

    expect(infos.map((info) => info.role).sort()).toEqual(['attached', 'owner']);
    const owner = infos.find((info) => info.role === 'owner')!;
    expect(infos.every((info) => info.ownerPid === owner.pid && info.port === port)).toBe(true);

    const [first, second] = owner.pid === infos[0]?.pid ? [b, a] : [a, b];
    first.process.kill('SIGTERM');
    second.process.kill('SIGTERM');
    expect(await Promise.all([first.exited, second.exited])).toEqual([0, 0]);
  }, 90_000);
});

describe('startEmbeddedPostgres in one process', () => {
  it('recovers from a stale postmaster.pid, owner record and start lock', async () => {
    const dataDir = await newDataDir();
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir, port, ephemeral: true });
    expect(first.role).toBe('owner');
    await first.stop();

    // A crashed postmaster and a killed owner, killed while it held the start lock.
    const dead = await deadPid();
    await writeFile(path.join(dataDir, 'postmaster.pid'), `${dead}\n`);
    await writeFile(
      `${dataDir}.owner.json`,
      JSON.stringify({ pid: dead, postmasterPid: dead, port, startedAt: '' }),
    );
    await writeFile(`${dataDir}.lock`, `${dead} stale\n`);
    const warnings: string[] = [];
    const second = await startEmbeddedPostgres({
      dataDir,
      port,
      ephemeral: true,
      onWarning: (message) => warnings.push(message),
    });
    expect(second.role).toBe('owner');
    await postmasterPid(dataDir);
    expect(await roundTrip(second.url)).toBe(1);
    expect(warnings.join('\n')).toMatch(/stale lock[\s\S]*stale .*postmaster\.pid/);

    // A second start in the same process attaches; its stop() leaves the cluster running.
    const again = await startEmbeddedPostgres({ dataDir, port, ephemeral: true });
    expect(again.role).toBe('attached');
    await again.stop();
    expect(await roundTrip(second.url)).toBe(1);

    await second.stop();
    await expect(readFile(path.join(dataDir, 'postmaster.pid'))).rejects.toThrow();
    await expect(readFile(`${dataDir}.lock`)).rejects.toThrow();
  }, 60_000);
});
