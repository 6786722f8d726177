import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  /** JSON text; sent with `content-type: application/json`. */
  body?: string;
}

export interface LoadConfig {
  /** Base URL, always on 127.0.0.1. */
  url: string;
  connections: number;
  durationS: number;
  headers: Record<string, string>;
  /** One looped request sequence per connection (connection i gets `sequences[i % length]`). */
  sequences: LoadRequest[][];
}

export interface LoadResult {
  durationS: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** 2xx responses per second over the run. */
  reqPerSec: number;
  /** Milliseconds. */
  latency: { mean: number; p50: number; p99: number; max: number };
}

const CHILD = fileURLToPath(new URL('./load-generator.child.ts', import.meta.url));

/**
 * Runs autocannon against `config.url` in a child process (like wrk would be: its own process,
 * not the servers' event loop) and returns its summary. The child inherits the tsx loader but
 * not profiling flags; it is killed if it overruns its duration by 20 s.
 */
export function runLoad(config: LoadConfig): Promise<LoadResult> {
  if (new URL(config.url).hostname !== '127.0.0.1') throw new Error('load only on 127.0.0.1');
  const execArgv = process.execArgv.filter((arg) => !/^--(cpu-prof|prof|heap-prof)/.test(arg));
  const child = spawn(process.execPath, [...execArgv, CHILD], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), (config.durationS + 20) * 1000);
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stdin.end(JSON.stringify(config));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`load generator exited with ${signal ?? code}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as LoadResult);
      } catch (error) {
        reject(error);
      }
    });
  });
}
