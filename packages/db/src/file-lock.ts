import { randomBytes } from 'node:crypto';
import { link, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';

export interface FileLockOptions {
  /** Give up (reject) after waiting this long for a live holder; default 120 s. */
  timeoutMs?: number;
  /** Says what the lock is for in the timeout error, e.g. "starting the embedded Postgres". */
  purpose?: string;
  /** Receives the removal of a lock whose holder is gone. */
  onWarning?: (message: string) => void;
}

/** A lock that has been empty this long belongs to a process that died while creating it. */
const EMPTY_LOCK_GRACE_MS = 5_000;

/**
 * An inter-process lock: a file created with O_EXCL that holds `<pid> <token>`. Waits while a
 * live process holds it; breaks it when its holder has died (a `kill -9` mid-start). Resolves
 * to the release function, which removes the file only if it is still this acquisition's.
 *
 * @example
 * const release = await acquireFileLock('.data/pg.lock');
 * try { ... } finally { await release(); }
 */
export async function acquireFileLock(
  file: string,
  options: FileLockOptions = {},
): Promise<() => Promise<void>> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const content = `${process.pid} ${randomBytes(6).toString('hex')}\n`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await writeFile(file, content, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = await readFile(file, 'utf8').catch(() => undefined);
    if (held === undefined) continue;
    const holder = Number.parseInt(held, 10);
    if (held === '' ? await isOlderThan(file, EMPTY_LOCK_GRACE_MS) : !isProcessAlive(holder)) {
      await breakStaleLock(file, held, options.onWarning);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `gave up after ${Math.round(timeoutMs / 1000)} s waiting for ${file}, held by pid ${holder}` +
          `${options.purpose ? ` (${options.purpose})` : ''}; if that is not a Stepwise process, delete the file`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return async () => {
    if ((await readFile(file, 'utf8').catch(() => undefined)) === content) {
      await rm(file, { force: true });
    }
  };
}

/**
 * Moves the lock aside before deleting it, so that of two processes breaking the same stale
 * lock, the second cannot delete the fresh lock the first has meanwhile taken: it finds
 * different content in what it moved, and puts that back.
 */
async function breakStaleLock(
  file: string,
  seen: string,
  onWarning: ((message: string) => void) | undefined,
) {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch {
    return;
  }
  const moved = await readFile(aside, 'utf8').catch(() => undefined);
  if (moved === seen) {
    onWarning?.(`removing stale lock ${file} (pid ${Number.parseInt(seen, 10) || '?'} is gone)`);
  } else {
    await link(aside, file).catch(() => {});
  }
  await rm(aside, { force: true });
}

async function isOlderThan(file: string, ms: number): Promise<boolean> {
  const stats = await stat(file).catch(() => undefined);
  return stats !== undefined && Date.now() - stats.mtimeMs > ms;
}

/** True while `pid` exists, including processes of another user (EPERM). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
