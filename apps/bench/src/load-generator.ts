import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

export type LoadTool = 'wrk' | 'autocannon';

export interface LoadResult {
  tool: LoadTool;
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

let wrkOnPath: boolean | undefined;

/**
 * The load generator of this run: wrk when it is on the PATH (C, one thread, far less CPU per
 * request than a Node client), autocannon otherwise; `BENCH_LOAD=autocannon|wrk` picks one.
 */
export function loadTool(): LoadTool {
  const wanted = process.env.BENCH_LOAD;
  if (wanted === 'wrk' || wanted === 'autocannon') return wanted;
  wrkOnPath ??= spawnSync('wrk', ['--version']).error === undefined;
  return wrkOnPath ? 'wrk' : 'autocannon';
}

/**
 * Runs the load generator against `config.url` in its own process (not the servers' event
 * loop) and returns its summary. It is killed if it overruns its duration by 20 s.
 */
export function runLoad(config: LoadConfig): Promise<LoadResult> {
  if (new URL(config.url).hostname !== '127.0.0.1') throw new Error('load only on 127.0.0.1');
  return loadTool() === 'wrk' ? runWrk(config) : runAutocannon(config);
}

/** Collects a child's stdout; rejects on a non-zero exit; kills it after `limitS`. */
function childOutput(child: ReturnType<typeof spawn>, limitS: number): Promise<string> {
  const timer = setTimeout(() => child.kill('SIGKILL'), limitS * 1000);
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`load generator exited with ${signal ?? code}: ${stdout.slice(-500)}`));
    });
  });
}

/** A Lua string literal: JSON's escapes of ASCII text (\" \\ \n) are Lua's too. */
const lua = (value: string) => {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new Error(`wrk script: not printable ASCII: ${value}`);
  return JSON.stringify(value);
};

/**
 * wrk with a Lua script: the connections' sequences interleaved into one looped list (wrk's
 * single thread hands each connection the next request when it is free, so connection i still
 * meets its own requests in order, one round of every sequence apart). `done` prints the
 * summary as JSON.
 */
async function runWrk(config: LoadConfig): Promise<LoadResult> {
  const longest = Math.max(...config.sequences.map((s) => s.length));
  const requests: LoadRequest[] = [];
  for (let step = 0; step < longest; step++) {
    for (let i = 0; i < config.connections; i++) {
      const own = config.sequences[i % config.sequences.length]!;
      if (step < own.length) requests.push(own[step]!);
    }
  }
  const headers = (r: LoadRequest) =>
    Object.entries({
      ...config.headers,
      ...(r.body === undefined ? {} : { 'content-type': 'application/json' }),
    })
      .map(([k, v]) => `[${lua(k)}] = ${lua(v)}`)
      .join(', ');
  const script = `
local specs = {
${requests
  .map(
    (r) =>
      `  { ${lua(r.method)}, ${lua(r.path)}, { ${headers(r)} }, ${r.body === undefined ? 'nil' : lua(r.body)} },`,
  )
  .join('\n')}
}
local formatted = {}
local next_index = 0
init = function(args)
  for i, s in ipairs(specs) do formatted[i] = wrk.format(s[1], s[2], s[3], s[4]) end
end
request = function()
  next_index = next_index % #formatted + 1
  return formatted[next_index]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"duration_us":%d,"requests":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"mean_us":%f,"p50_us":%d,"p99_us":%d,"max_us":%d}',
    summary.duration, summary.requests, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(99), latency.max))
end
`;
  const dir = await mkdtemp(join(tmpdir(), 'stepwise-wrk-'));
  try {
    const file = join(dir, 'load.lua');
    await writeFile(file, script);
    const child = spawn(
      'wrk',
      [
        '-t1',
        `-c${config.connections}`,
        `-d${config.durationS}s`,
        '--timeout',
        '10s',
        '-s',
        file,
        config.url,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const stdout = await childOutput(child, config.durationS + 20);
    const json = stdout.slice(stdout.lastIndexOf('{"duration_us"'));
    const w = JSON.parse(json) as Record<string, number>;
    const durationS = w.duration_us! / 1e6;
    const ok = w.requests! - w.status!;
    const ms = (us: number) => Math.round(us / 10) / 100;
    return {
      tool: 'wrk',
      durationS,
      ok,
      non2xx: w.status!,
      errors: w.connect! + w.read! + w.write!,
      timeouts: w.timeout!,
      reqPerSec: ok / durationS,
      latency: { mean: ms(w.mean_us!), p50: ms(w.p50_us!), p99: ms(w.p99_us!), max: ms(w.max_us!) },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * autocannon in a child process. The child inherits the tsx loader but not profiling flags.
 */
async function runAutocannon(config: LoadConfig): Promise<LoadResult> {
  const execArgv = process.execArgv.filter((arg) => !/^--(cpu-prof|prof|heap-prof)/.test(arg));
  const child = spawn(process.execPath, [...execArgv, CHILD], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin.end(JSON.stringify(config));
  return JSON.parse(await childOutput(child, config.durationS + 20)) as LoadResult;
}
