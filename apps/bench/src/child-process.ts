import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findProjectRoot } from '@stepwise/db';

/** A Node process started by a benchmark, measured and stopped by its PID. */
export interface BenchProcess {
  pid: number;
  url: string;
  port: number;
  /** Resident memory now and its peak, from /proc/<pid>/status. */
  memory(): { rss: number; peak: number };
  /** CPU time (user + system) used so far, in seconds. */
  cpuSeconds(): number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

const tsxLoader = import.meta.resolve('tsx');

// Children still running when this process exits (a crash included) are killed with it.
const running = new Set<number>();
process.on('exit', () => {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
});
const here = path.dirname(fileURLToPath(import.meta.url));

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** VmRSS and VmHWM of a process, in bytes. */
export function processMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
}

/** CPU time (user + system) a process has used, in seconds (from /proc/<pid>/stat). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** CPU seconds used so far by the Postgres backends serving `database` (by their title). */
export function postgresBackendCpuSeconds(database: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (title.startsWith('postgres:') && title.includes(` ${database} `))
        total += processCpuSeconds(Number(entry));
    } catch {}
  }
  return total;
}

/**
 * Runs a TypeScript entry point in its own `node` process (tsx loader, source conditions),
 * with only the given environment (plus PATH), and waits until `readyPath` answers 200.
 */
function startNodeProcess(input: {
  name: string;
  entry: string;
  cwd: string;
  env: Record<string, string>;
  readyPath: string;
  nodeArgs?: string[];
  timeoutMs?: number;
}): Promise<BenchProcess> {
  return startBenchProcess({
    ...input,
    command: process.execPath,
    args: [
      ...(input.nodeArgs ?? []),
      '--import',
      tsxLoader,
      '--conditions=stepwise-source',
      input.entry,
    ],
  });
}

/**
 * Runs `command` with only the given environment (plus PATH and a free PORT) and waits until
 * `readyPath` on that port answers 200.
 */
export async function startBenchProcess(input: {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  readyPath: string;
  timeoutMs?: number;
}): Promise<BenchProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(input.command, input.args, {
    cwd: input.cwd,
    env: { PATH: process.env.PATH ?? '', ...input.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exitCode: number | null | undefined;
  child.once('exit', (code) => {
    exitCode = code;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${input.name}: could not start`);
  running.add(pid);
  void exited.then(() => running.delete(pid));

  const stop = async (graceMs = 8_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (input.timeoutMs ?? 30_000);
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`${input.name} exited with ${exitCode} before it was ready:\n${stderr}`);
    }
    const ok = await fetch(`${url}${input.readyPath}`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop(1_000);
      throw new Error(`${input.name} was not ready within the time limit:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    pid,
    url,
    port,
    memory: () => processMemory(pid),
    cpuSeconds: () => processCpuSeconds(pid),
    stop,
  };
}

/**
 * Extra `node` flags for the Stepwise servers a benchmark starts, from BENCH_SERVER_NODE_ARGS
 * (space-separated), e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them.
 */
export const serverNodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);

/**
 * One Stepwise server (`apps/server/src/main.ts`) in a child process, so its memory can be
 * read alone. `env` is the whole environment it gets, besides PATH and PORT.
 */
export function startStepwiseProcess(env: Record<string, string>): Promise<BenchProcess> {
  return startNodeProcess({
    name: 'stepwise server',
    entry: 'src/main.ts',
    cwd: path.join(findProjectRoot(here), 'apps', 'server'),
    env,
    readyPath: '/ready',
    nodeArgs: serverNodeArgs,
  });
}

/** The bare `node:http` SSE server (`sse-reference-server.ts`) in a child process. */
export function startReferenceSseProcess(env: { DATABASE_URL: string }): Promise<BenchProcess> {
  return startNodeProcess({
    name: 'reference SSE server',
    entry: path.join(here, 'sse-reference-server.ts'),
    cwd: here,
    env,
    readyPath: '/health',
  });
}
